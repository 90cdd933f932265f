#include "net/acceptor.hpp"

#include <chrono>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/address.hpp"
#include "net/connection.hpp"

namespace parley::net {

using boost::system::error_code;

Acceptor::Acceptor(std::shared_ptr<TransportCore> core, Worker& worker, tcp::acceptor acceptor,
                   sip::Transport transport)
    : core_(std::move(core)),
      worker_(worker),
      acceptor_(std::move(acceptor)),
      transport_(transport),
      retry_(worker.context()) {}

void Acceptor::start() { accept(); }

void Acceptor::accept() {
  Worker& target = core_->pool.next();
  auto socket = std::make_shared<tcp::socket>(target.context());
  acceptor_.async_accept(*socket, [self = shared_from_this(), socket,
                                   &target](const error_code& ec) {
    if (self->closed_ || ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      if (self->failures_++ % 100 == 0)
        spdlog::warn("accept on {} failed: {} ({} time(s) in a row; retrying every 100 ms)",
                     sip::transport_name(self->transport_), ec.message(), self->failures_);
      self->retry_.expires_after(std::chrono::milliseconds(100));
      self->retry_.async_wait([self](const error_code& e) {
        if (!e && !self->closed_) self->accept();
      });
      return;
    }
    if (self->failures_ > 0) {
      spdlog::info("accept on {} works again after {} failure(s)",
                   sip::transport_name(self->transport_), self->failures_);
      self->failures_ = 0;
    }
    error_code e;
    tcp::endpoint remote = socket->remote_endpoint(e);
    if (e || self->core_->stopping.load()) {
      socket->close(e);
      self->accept();
      return;
    }
    std::string ip = ip_text(remote.address());
    if (!self->core_->admission.try_acquire(ip)) {
      spdlog::debug("refusing {} connection from {}:{}: connection limit",
                    sip::transport_name(self->transport_), ip, remote.port());
      socket->close(e);
      self->accept();
      return;
    }
    auto conn = Connection::inbound(self->core_, target, self->transport_, std::move(*socket),
                                    remote, self->core_->new_flow_id(), std::move(ip));
    self->core_->flows.insert(conn);
    self->core_->flows.index(conn->key(), conn->id());
    boost::asio::post(target.context(), [conn] { conn->start(); });
    self->accept();
  });
}

void Acceptor::close() {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  retry_.cancel();
  acceptor_.close(ec);
}

}  // namespace parley::net
