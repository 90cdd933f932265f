// Shapes shared by the transport layer's public interface (transport_layer.hpp)
// and its parts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "sip/peer.hpp"

namespace boost::asio::ssl {
class context;
}

namespace parley::net {

// One listener to open.
struct ListenerSpec {
  sip::Transport transport = sip::Transport::Udp;
  std::string address;     // numeric IPv4 or IPv6 ("0.0.0.0", "::", "127.0.0.1")
  std::uint16_t port = 0;  // 0 = let the kernel choose (see BoundListener)
};

// A listener as opened: the port is the one actually bound.
struct BoundListener {
  sip::Transport transport = sip::Transport::Udp;
  std::string address;
  std::uint16_t port = 0;
};

struct TransportOptions {
  // Uses max_message_size, max_connections, max_connections_per_ip,
  // tcp_idle_timeout (0 = never) and tls_handshake_timeout (which also bounds
  // an outbound TCP connect).
  config::Limits limits;
  // Needed for TLS listeners (net/tls_context.hpp: make_server_tls_context).
  std::shared_ptr<boost::asio::ssl::context> tls_server;
  // Needed for outbound TLS connections (make_client_tls_context).
  std::shared_ptr<boost::asio::ssl::context> tls_client;
};

// One framed SIP message: a whole datagram, or one message cut from a stream
// by sip::find_message(). `source.flow` names the TCP/TLS connection (or the
// UDP socket) it came in on; pass that Peer back to send() to answer on it.
using MessageHandler =
    std::function<void(std::string bytes, const sip::Peer& source, const sip::Local& local)>;

// A TCP/TLS flow that had been established has closed (peer closed it, error,
// idle timeout, framing error, stop()). Called once per flow, on its worker.
using FlowClosedHandler = std::function<void(sip::FlowId flow)>;

// Outcome of one send(): true once the bytes were handed to the kernel (UDP
// sendto succeeded; TCP/TLS write completed), false if the message could not
// be sent (no route, connect or TLS handshake failure, write error, closed
// flow, queue overflow, stopped). RFC 3261 18.4 / 17.1.4: the transaction
// layer treats false as a transport error.
using SendDone = std::function<void(bool ok)>;

}  // namespace parley::net
