// Internal: one UDP socket of a listener. A UDP listener has one socket per
// worker, all bound to the same address and port with SO_REUSEPORT, so the
// kernel spreads datagrams over the workers (DESIGN.md, "Threads"), at random
// rather than by source (transport_layer.cpp, spread_at_random).
//
// Each socket has a FlowId of its own (sip::Peer::flow of the datagrams it
// receives), so a reply can leave from the socket the request came in on.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string_view>

#include <boost/asio/ip/udp.hpp>

#include "net/transport_core.hpp"

namespace parley::net {

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
 public:
  using udp = boost::asio::ip::udp;

  UdpSocket(std::shared_ptr<TransportCore> core, Worker& worker, udp::socket socket,
            sip::FlowId id, sip::Local local);

  sip::FlowId id() const { return id_; }
  Worker& worker() const { return worker_; }
  bool is_v6() const { return v6_; }
  const sip::Local& local() const { return local_; }
  // The socket's descriptor, for socket options (before start()).
  int native_handle() { return socket_.native_handle(); }

  // Starts receiving (call once, before or after the worker runs).
  void start();
  // Any thread: one non-blocking sendto(2) on the socket. False if the kernel
  // refused it (buffer full, unreachable...). The caller must ensure the
  // socket is not being closed concurrently (TransportLayer's lock does).
  bool send_to(const udp::endpoint& to, std::string_view bytes);
  // On the worker (or with no worker running).
  void close();

 private:
  void receive();

  std::shared_ptr<TransportCore> core_;
  Worker& worker_;
  udp::socket socket_;
  const sip::FlowId id_;
  const sip::Local local_;
  const bool v6_;
  bool closed_ = false;
  udp::endpoint sender_;
  std::array<char, 65536> buffer_;
};

}  // namespace parley::net
