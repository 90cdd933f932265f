#include "net/connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "net/address.hpp"
#include "sip/framing.hpp"

namespace parley::net {

namespace asio = boost::asio;
using boost::system::error_code;

Connection::Connection(std::shared_ptr<TransportCore> core, Worker& worker,
                       sip::Transport transport, const tcp::endpoint& remote, sip::FlowId id,
                       std::string admitted_ip)
    : core_(std::move(core)),
      worker_(worker),
      transport_(transport),
      id_(id),
      inbound_(!admitted_ip.empty()),
      remote_(remote),
      admitted_ip_(std::move(admitted_ip)),
      key_(flow_key(transport, remote.address(), remote.port())),
      timer_(worker.context()) {
  peer_.transport = transport;
  peer_.ip = ip_text(remote.address());
  peer_.port = remote.port();
  peer_.flow = id;
  local_.transport = transport;
}

std::shared_ptr<Connection> Connection::inbound(std::shared_ptr<TransportCore> core,
                                                Worker& worker, sip::Transport transport,
                                                tcp::socket socket, const tcp::endpoint& remote,
                                                sip::FlowId id, std::string admitted_ip) {
  auto c = std::shared_ptr<Connection>(
      new Connection(std::move(core), worker, transport, remote, id, std::move(admitted_ip)));
  if (transport == sip::Transport::Tls) {
    c->tls_.emplace(std::move(socket), *c->core_->options.tls_server);
  } else {
    c->plain_.emplace(std::move(socket));
  }
  return c;
}

std::shared_ptr<Connection> Connection::outbound(std::shared_ptr<TransportCore> core,
                                                 Worker& worker, sip::Transport transport,
                                                 const tcp::endpoint& remote, sip::FlowId id) {
  auto c = std::shared_ptr<Connection>(
      new Connection(std::move(core), worker, transport, remote, id, std::string()));
  if (transport == sip::Transport::Tls) {
    c->tls_.emplace(worker.context(), *c->core_->options.tls_client);
  } else {
    c->plain_.emplace(worker.context());
  }
  return c;
}

Connection::~Connection() {
  // Normally close() has run; this covers connections dropped with their
  // io_context at shutdown. No callbacks from a destructor.
  unregister();
}

void Connection::unregister() {
  if (!registered_) return;
  registered_ = false;
  usable_ = false;
  core_->flows.erase(id_, key_);
  core_->admission.release(admitted_ip_);
}

void Connection::start() {
  if (state_ != State::Idle) return;
  if (core_->stopping.load()) {
    close("transport stopping");
    return;
  }
  if (inbound_) {
    error_code ec;
    lowest().set_option(tcp::no_delay(true), ec);
    auto local = lowest().local_endpoint(ec);
    if (ec) {
      close("socket gone before start");
      return;
    }
    local_.ip = ip_text(local.address());
    local_.port = local.port();
    if (tls_) {
      handshake(asio::ssl::stream_base::server);
    } else {
      open();
    }
    return;
  }
  state_ = State::Connecting;
  arm_setup_deadline();
  lowest().async_connect(remote_, [self = shared_from_this()](const error_code& ec) {
    if (self->state_ == State::Closed) return;
    if (ec) {
      self->close("connect failed: " + ec.message());
      return;
    }
    self->on_connected();
  });
}

void Connection::on_connected() {
  error_code ec;
  lowest().set_option(tcp::no_delay(true), ec);
  auto local = lowest().local_endpoint(ec);
  if (ec) {
    close("connected socket has no local address");
    return;
  }
  local_.ip = ip_text(local.address());
  // RFC 3261 18.1.1: the Via of a request sent on this connection should name
  // our listening port, not the ephemeral one, when we have a listener.
  std::uint16_t listening = core_->listen_port(transport_, local.address().is_v6());
  local_.port = listening != 0 ? listening : local.port();
  if (tls_) {
    handshake(asio::ssl::stream_base::client);
  } else {
    open();
  }
}

void Connection::handshake(asio::ssl::stream_base::handshake_type type) {
  // An outbound connection's deadline, armed before connecting, covers the
  // handshake too; an inbound one gets its own.
  if (state_ == State::Idle) arm_setup_deadline();
  state_ = State::Handshaking;
  tls_->async_handshake(type, [self = shared_from_this()](const error_code& ec) {
    if (self->state_ == State::Closed) return;
    if (ec) {
      self->close("TLS handshake failed: " + ec.message());
      return;
    }
    self->open();
  });
}

void Connection::open() {
  state_ = State::Open;
  opened_ = true;
  spdlog::debug("flow {} open: {} (local {}:{})", id_, peer_.to_string(), local_.ip, local_.port);
  touch();
  arm_idle();
  read();
  if (!out_.empty() && !writing_) write_next();
}

void Connection::arm_setup_deadline() {
  timer_.expires_after(core_->limits().tls_handshake_timeout);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->state_ == State::Closed || self->state_ == State::Open) return;
    self->close(self->state_ == State::Connecting ? "connect timeout" : "TLS handshake timeout");
  });
}

void Connection::touch() { last_activity_ = base::SteadyClock::now(); }

void Connection::arm_idle() {
  // One timer serves both deadlines: idle, and a partial message's (each
  // disabled by a zero limit).
  const auto idle = core_->limits().tcp_idle_timeout;
  const auto message_timeout = core_->limits().message_timeout;
  const bool idle_on = idle.count() > 0;
  const bool partial_on = partial_since_ && message_timeout.count() > 0;
  if (!idle_on && !partial_on) {
    timer_.cancel();
    return;
  }
  base::TimePoint deadline = idle_on ? last_activity_ + idle : base::TimePoint::max();
  if (partial_on) deadline = std::min(deadline, *partial_since_ + message_timeout);
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->state_ != State::Open) return;
    const auto now = base::SteadyClock::now();
    const auto& limits = self->core_->limits();
    if (self->partial_since_ && limits.message_timeout.count() > 0 &&
        now - *self->partial_since_ >= limits.message_timeout) {
      self->close("message not complete within " + std::to_string(limits.message_timeout.count()) +
                  " s (slow sender)");
    } else if (limits.tcp_idle_timeout.count() > 0 &&
               now - self->last_activity_ >= limits.tcp_idle_timeout) {
      self->close("idle timeout");
    } else {
      self->arm_idle();
    }
  });
}

void Connection::read() {
  read_base_ = in_.size();
  in_.resize(read_base_ + kReadChunk);
  auto buffer = asio::buffer(in_.data() + read_base_, kReadChunk);
  auto handler = [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  };
  if (tls_) {
    tls_->async_read_some(buffer, std::move(handler));
  } else {
    plain_->async_read_some(buffer, std::move(handler));
  }
}

void Connection::on_read(const error_code& ec, std::size_t n) {
  if (state_ == State::Closed) return;
  in_.resize(read_base_ + (ec ? 0 : n));
  if (ec) {
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      close("closed by peer");
    } else {
      close("read failed: " + ec.message());
    }
    return;
  }
  touch();
  if (needed_ == 0 || in_.size() >= needed_) process();
  if (state_ == State::Open && !closing_) read();
}

void Connection::process() {
  const std::size_t max = core_->limits().max_message_size;
  std::size_t pos = 0;
  for (;;) {
    std::string_view rest = std::string_view(in_).substr(pos);
    sip::FrameResult r = sip::find_message(rest, max, resume_);
    if (auto* c = std::get_if<sip::frame::Complete>(&r)) {
      std::string message(rest.substr(c->offset, c->length));
      pos += c->consumed();
      resume_ = 0;
      needed_ = 0;
      core_->deliver(std::move(message), peer_, local_);
      if (state_ != State::Open) return;
    } else if (auto* k = std::get_if<sip::frame::KeepAlive>(&r)) {
      pos += k->consumed;
      resume_ = 0;
      needed_ = 0;
      if (k->ping) enqueue("\r\n", {});  // RFC 5626 3.5.1 pong
      if (state_ != State::Open) return;
    } else if (auto* i = std::get_if<sip::frame::Incomplete>(&r)) {
      resume_ = i->resume;
      needed_ = i->needed;
      break;
    } else {
      // Answers to the messages framed before the bad bytes are still on
      // their way (posted to this worker): send them, then close.
      in_.erase(0, pos);
      close_after_writes(std::string("framing error: ") +
                         std::string(std::get<sip::frame::Error>(r).reason));
      return;
    }
  }
  in_.erase(0, pos);
  if (in_.empty() && in_.capacity() > 4 * kReadChunk) in_.shrink_to_fit();
  // A partial message starts its clock once; a completed one stops it.
  if (in_.empty()) {
    partial_since_.reset();
  } else if (!partial_since_ || pos > 0) {
    partial_since_ = base::SteadyClock::now();
    arm_idle();
  }
}

void Connection::send(std::string bytes, SendDone done) {
  asio::post(worker_.context(),
             [self = shared_from_this(), bytes = std::move(bytes), done = std::move(done)]() mutable {
               self->enqueue(std::move(bytes), std::move(done));
             });
}

void Connection::enqueue(std::string bytes, SendDone done) {
  if (state_ == State::Closed) {
    if (done) done(false);
    return;
  }
  if (queued_bytes_ + bytes.size() > kMaxQueuedBytes) {
    if (done) done(false);
    close("write queue full");
    return;
  }
  queued_bytes_ += bytes.size();
  out_.push_back(Write{std::move(bytes), std::move(done)});
  if (state_ == State::Open && !writing_) write_next();
}

void Connection::write_next() {
  writing_ = true;
  auto buffer = asio::buffer(out_.front().bytes);
  auto handler = [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->on_write(ec);
  };
  if (tls_) {
    asio::async_write(*tls_, buffer, std::move(handler));
  } else {
    asio::async_write(*plain_, buffer, std::move(handler));
  }
}

void Connection::on_write(const error_code& ec) {
  writing_ = false;
  Write w = std::move(out_.front());
  out_.pop_front();
  queued_bytes_ -= w.bytes.size();
  if (state_ == State::Closed) return;  // close() already failed the rest
  if (ec) {
    if (w.done) w.done(false);
    close("write failed: " + ec.message());
    return;
  }
  touch();
  if (w.done) w.done(true);
  if (state_ == State::Open && !out_.empty() && !writing_) write_next();
  if (state_ == State::Open && closing_ && out_.empty()) close(*closing_);
}

void Connection::close_after_writes(std::string reason) {
  if (state_ != State::Open || closing_) return;
  closing_ = std::move(reason);
  // Posted, so it runs after the sends the handlers posted while framing.
  asio::post(worker_.context(), [self = shared_from_this()] {
    if (self->state_ == State::Open && self->out_.empty() && !self->writing_)
      self->close(*self->closing_);
  });
}

void Connection::close(std::string_view reason) {
  if (state_ == State::Closed) return;
  const bool was_open = opened_;
  state_ = State::Closed;
  spdlog::debug("flow {} {} closed: {}", id_, peer_.to_string(), reason);
  unregister();
  timer_.cancel();
  error_code ec;
  lowest().shutdown(tcp::socket::shutdown_both, ec);
  lowest().close(ec);
  // Fail every queued write. The one being written keeps its bytes until its
  // (aborted) completion runs, since the write operation still points at them.
  std::deque<Write> failed;
  if (writing_ && !out_.empty()) {
    failed.push_back(Write{std::string(), std::move(out_.front().done)});
    for (std::size_t i = 1; i < out_.size(); ++i) failed.push_back(std::move(out_[i]));
    out_.resize(1);
    queued_bytes_ = out_.front().bytes.size();
  } else {
    failed.swap(out_);
    queued_bytes_ = 0;
  }
  for (auto& w : failed) {
    if (w.done) w.done(false);
  }
  // in_ is left alone: a pending read may still point into it.
  if (was_open) core_->flow_closed(id_);
}

}  // namespace parley::net
