// Internal: one TCP or TLS connection, a "flow" (RFC 5626 3). It lives on one
// worker for its whole life; all its state is touched only there, except
// id(), transport(), usable() and send(), which are thread-safe.
//
// Reads are framed with sip::find_message() (RFC 3261 18.3); a CRLFCRLF ping
// is answered with a CRLF pong (RFC 5626 3.5.1); a framing error closes the
// connection. Writes are queued and written one message at a time, never
// interleaved. The connection closes itself on: peer close or I/O error,
// framing error, idle timeout (no bytes either way), connect/TLS handshake
// timeout, or a write queue over kMaxQueuedBytes (a peer that stops reading).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/timer.hpp"
#include "net/transport_core.hpp"

namespace parley::net {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<tcp::socket>;

  // Bytes queued for writing beyond which the peer is considered stuck.
  static constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;
  // Bytes asked of the socket per read.
  static constexpr std::size_t kReadChunk = 8192;

  // An accepted socket, already admitted for `admitted_ip` (released on close).
  // `socket` must belong to `worker`'s io_context.
  static std::shared_ptr<Connection> inbound(std::shared_ptr<TransportCore> core, Worker& worker,
                                             sip::Transport transport, tcp::socket socket,
                                             const tcp::endpoint& remote, sip::FlowId id,
                                             std::string admitted_ip);
  // A connection still to be made to `remote` (admitted against the total only).
  static std::shared_ptr<Connection> outbound(std::shared_ptr<TransportCore> core, Worker& worker,
                                              sip::Transport transport, const tcp::endpoint& remote,
                                              sip::FlowId id);
  ~Connection();

  sip::FlowId id() const { return id_; }
  sip::Transport transport() const { return transport_; }
  Worker& worker() const { return worker_; }
  const std::string& key() const { return key_; }
  // False once closing; a send() then fails.
  bool usable() const { return usable_.load(); }

  // On the worker: inbound connections start the TLS handshake or reading,
  // outbound ones connect first.
  void start();
  // Any thread: queues `bytes` for writing; `done` runs on the worker.
  void send(std::string bytes, SendDone done);
  // On the worker. Idempotent.
  void close(std::string_view reason);

 private:
  enum class State { Idle, Connecting, Handshaking, Open, Closed };
  struct Write {
    std::string bytes;
    SendDone done;
  };

  Connection(std::shared_ptr<TransportCore> core, Worker& worker, sip::Transport transport,
             const tcp::endpoint& remote, sip::FlowId id, std::string admitted_ip);

  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *plain_; }
  void on_connected();
  void handshake(boost::asio::ssl::stream_base::handshake_type type);
  void open();
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void process();
  void enqueue(std::string bytes, SendDone done);
  void write_next();
  void on_write(const boost::system::error_code& ec);
  void touch();
  void arm_setup_deadline();
  void arm_idle();
  // Closes once the write queue is empty (see closing_).
  void close_after_writes(std::string reason);
  void unregister();

  std::shared_ptr<TransportCore> core_;
  Worker& worker_;
  const sip::Transport transport_;
  const sip::FlowId id_;
  const bool inbound_;
  const tcp::endpoint remote_;
  const std::string admitted_ip_;  // empty for outbound connections
  std::string key_;
  sip::Peer peer_;
  sip::Local local_;

  std::optional<tcp::socket> plain_;
  std::optional<TlsStream> tls_;
  boost::asio::steady_timer timer_;
  base::TimePoint last_activity_{};
  // When the unfinished message at the front of in_ began (Limits::message_timeout);
  // empty while no partial message is buffered.
  std::optional<base::TimePoint> partial_since_;
  // Set by a framing error: stop reading, let the answers to the messages
  // already framed (posted to this worker while they were handled) go out,
  // then close with this reason.
  std::optional<std::string> closing_;

  State state_ = State::Idle;
  bool opened_ = false;
  bool registered_ = true;
  std::atomic<bool> usable_{true};

  std::string in_;               // received bytes not yet framed
  std::size_t read_base_ = 0;    // size of in_ before the pending read
  std::size_t resume_ = 0;       // sip::find_message() resume hint for in_
  std::size_t needed_ = 0;       // in_ size at which the current message is whole

  std::deque<Write> out_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
};

}  // namespace parley::net
