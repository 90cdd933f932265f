// Internal: a TCP or TLS listening socket. It runs on one worker and hands
// each accepted connection to the next worker (round-robin), where the
// connection then lives. Admission (max_connections, max_connections_per_ip)
// is checked here: a connection over a limit is closed at once.
#pragma once

#include <cstdint>

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/transport_core.hpp"

namespace parley::net {

class Acceptor : public std::enable_shared_from_this<Acceptor> {
 public:
  using tcp = boost::asio::ip::tcp;

  Acceptor(std::shared_ptr<TransportCore> core, Worker& worker, tcp::acceptor acceptor,
           sip::Transport transport);

  Worker& worker() const { return worker_; }
  // Starts accepting (call once).
  void start();
  // On the worker (or with no worker running).
  void close();

 private:
  void accept();

  std::shared_ptr<TransportCore> core_;
  Worker& worker_;
  tcp::acceptor acceptor_;
  const sip::Transport transport_;
  boost::asio::steady_timer retry_;
  bool closed_ = false;
  // Accept failures in a row (EMFILE...): logged on the first and then once
  // every 100 (about every 10 s of back-off), so a descriptor shortage cannot
  // flood the log. Touched only on the acceptor's worker.
  std::uint64_t failures_ = 0;
};

}  // namespace parley::net
