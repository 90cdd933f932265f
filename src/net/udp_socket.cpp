#include "net/udp_socket.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <spdlog/spdlog.h>

#include "net/address.hpp"
#include "sip/framing.hpp"

namespace parley::net {

using boost::system::error_code;

UdpSocket::UdpSocket(std::shared_ptr<TransportCore> core, Worker& worker, udp::socket socket,
                     sip::FlowId id, sip::Local local)
    : core_(std::move(core)),
      worker_(worker),
      socket_(std::move(socket)),
      id_(id),
      local_(std::move(local)),
      v6_(socket_.local_endpoint().address().is_v6()) {}

void UdpSocket::start() { receive(); }

void UdpSocket::receive() {
  socket_.async_receive_from(
      boost::asio::buffer(buffer_), sender_,
      [self = shared_from_this()](const error_code& ec, std::size_t n) {
        if (self->closed_ || ec == boost::asio::error::operation_aborted ||
            ec == boost::asio::error::bad_descriptor) {
          return;
        }
        if (!ec) {
          std::string_view datagram(self->buffer_.data(), n);
          if (n > self->core_->limits().max_message_size) {
            spdlog::trace("udp: dropping {}-byte datagram from {}", n,
                          self->sender_.address().to_string());
          } else if (auto message = sip::datagram_message(datagram)) {
            sip::Peer source;
            source.transport = sip::Transport::Udp;
            source.ip = ip_text(self->sender_.address());
            source.port = self->sender_.port();
            source.flow = self->id_;
            self->core_->deliver(std::string(*message), source, self->local_);
          }
        }
        // Errors such as ECONNREFUSED (an ICMP for an earlier send) concern one
        // peer only: keep receiving.
        if (!self->closed_) self->receive();
      });
}

bool UdpSocket::send_to(const udp::endpoint& to, std::string_view bytes) {
  ssize_t n = ::sendto(socket_.native_handle(), bytes.data(), bytes.size(),
                       MSG_DONTWAIT | MSG_NOSIGNAL, to.data(), static_cast<socklen_t>(to.size()));
  return n >= 0 && static_cast<std::size_t>(n) == bytes.size();
}

void UdpSocket::close() {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  socket_.close(ec);
}

}  // namespace parley::net
