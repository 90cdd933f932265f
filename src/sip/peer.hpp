// Where a SIP message came from or goes to, at the transport level.
//
// RFC 3261 section 18 and RFC 5626: a response or a request to a client goes back
// over the connection (the "flow") the client used, so a Peer carries the flow's id
// as well as the address. For UDP the flow id is the id of the local socket's worker
// pair (address, port); for TCP/TLS it names one live connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::sip {

enum class Transport : std::uint8_t { Udp, Tcp, Tls };

// "UDP", "TCP", "TLS" as used in Via sent-protocol (RFC 3261 20.42).
std::string_view transport_name(Transport t);
// Lower-case form used in the URI transport parameter ("udp", "tcp", "tls").
std::string_view transport_param(Transport t);
// Parses a Via transport token or a URI transport parameter, case-insensitively.
// Returns false for anything else (SCTP, WS... are not supported).
bool parse_transport(std::string_view s, Transport& out);
inline bool is_reliable(Transport t) { return t != Transport::Udp; }

// Identifies a connection (TCP/TLS) the transport layer keeps open.
// 0 means "no particular connection": open or reuse one to the address.
using FlowId = std::uint64_t;

// Host text for URIs, Via and logs (RFC 3261 25.1 IPv6reference): an IPv6
// address gets brackets, anything else is returned as it is.
inline std::string bracket_host(std::string_view ip) {
  if (ip.find(':') == std::string_view::npos) return std::string(ip);
  std::string s = "[";
  s += ip;
  s += ']';
  return s;
}
// The reverse: "[::1]" -> "::1"; other text unchanged.
inline std::string_view unbracket_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

struct Peer {
  Transport transport = Transport::Udp;
  std::string ip;       // numeric address, IPv6 without brackets
  std::uint16_t port = 0;
  FlowId flow = 0;      // connection the message arrived on / must leave on

  // "udp:192.0.2.1:5060" or "tcp:[::1]:5061#7" (flow id after '#'), for logs.
  std::string to_string() const;
  bool same_address(const Peer& o) const {
    return transport == o.transport && port == o.port && ip == o.ip;
  }
};

// The local side a message was received on: lets the core write its own Via,
// Record-Route and Contact with an address the peer can reach.
struct Local {
  Transport transport = Transport::Udp;
  std::string ip;
  std::uint16_t port = 0;
};

}  // namespace parley::sip
