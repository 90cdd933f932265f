// The port catalogue: every table of shared/PORTS.md (the English digest of the
// seed documents "Ports and protocols for internal servers", "Port summary - Reverse
// proxy" and "Port summary - SIP, XMPP federation, and public instant messaging")
// held as data, row for row and in the same order.
//
// Text fields are the digest's wording; `protocol` is the seed's protocol column
// verbatim and protocols() parses it (protocol.hpp). A port range is
// [port_low, port_high]; a single port has port_low == port_high. Rows Parley adds
// that the seed does not have are flagged `parley_extension` and say so in their
// purpose. All tables are static and immutable; the spans stay valid for the
// program's lifetime.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "topology/protocol.hpp"

namespace parley::topology {

// A port or an inclusive range of ports.
struct PortRange {
  std::uint16_t low = 0;
  std::uint16_t high = 0;  // == low for a single port
  constexpr bool single() const { return low == high; }
  constexpr bool contains(std::uint16_t p) const { return p >= low && p <= high; }
};

// "Required server ports, by server role" (seed 000, first table).
struct ServerPort {
  std::string_view role;     // "Front End", "Director", "Mediation Server", ...
  std::string_view service;  // "Front-End service", "IM Conferencing service", ...; may be empty
  PortRange ports;
  std::string_view protocol;  // as in the seed, e.g. "TCP (TLS)"; may be empty
  std::string_view purpose;   // may be empty
  // Stable key of the Parley listener that serves this row ("frontend.sip-tls"),
  // empty when Parley does not listen here. See listeners.hpp.
  std::string_view listener_key;
  bool parley_extension = false;  // not in the seed: added by Parley
  constexpr ProtocolSet protocols() const { return parse_protocols(protocol); }
};

// The two hardware-load-balancer lists of seed 000.
enum class LoadBalancing {
  HardwareOnly,  // pools that use hardware load balancing only
  Dns,           // pools that use DNS load balancing (web traffic still needs an HLB)
};

struct LoadBalancerPort {
  LoadBalancing mode;
  std::string_view load_balancer;  // "Front End pool", "Mediation pool", "Director pool", ...
  std::uint16_t port;
  std::string_view protocol;  // "TCP (TLS)", "HTTPS", "DCOM, RPC", "TCP", ...
  std::string_view note;      // e.g. "from reverse proxy"; may be empty
  constexpr ProtocolSet protocols() const { return parse_protocols(protocol); }
};

// "Required client ports" (seed 000).
struct ClientPort {
  std::string_view component;  // "clients" or the IP phone models
  PortRange ports;             // 67/68 is the range [67, 68]
  std::string_view protocol;
  std::string_view purpose;
  constexpr ProtocolSet protocols() const { return parse_protocols(protocol); }
};

// "Port summary - Reverse proxy" (seed 001).
enum class ProxyInterface { External, Internal };

struct ReverseProxyPort {
  ProxyInterface interface;
  std::string_view protocol;   // "HTTP" or "HTTPS"
  std::string_view transport;  // "TCP"
  std::uint16_t port;
  std::string_view peer;  // external: the source ("any"); internal: the destination
  std::string_view purpose;
  constexpr ProtocolSet protocols() const { return parse_protocols(protocol); }
};

// "SIP federation, public IM connectivity and XMPP" (seed 004).
struct FederationPort {
  std::string_view label;      // the seed's first column, e.g. "Access/SIP (MTLS)/TCP/5061"
  std::string_view role;       // "Access", "A/V", "XMPP"
  std::string_view protocol;   // "SIP (MTLS)", "RTP", "STUN,MSTURN", "MTLS"; "" for XMPP/TCP
  std::string_view transport;  // "TCP" or "UDP" (TCP where the label implies it: MTLS)
  PortRange ports;
  std::string_view source;
  std::string_view destination;
  std::string_view purpose;
  // Everything the label names (role, protocol and transport), e.g. Sip|Mtls|Tcp.
  constexpr ProtocolSet protocols() const { return parse_protocols(label); }
};

std::span<const ServerPort> server_ports();
std::span<const LoadBalancerPort> load_balancer_ports();  // both lists, HardwareOnly first
std::span<const ClientPort> client_ports();
std::span<const ReverseProxyPort> reverse_proxy_ports();  // External rows first
std::span<const FederationPort> federation_ports();

// The server row a listener key names, or nullptr.
const ServerPort* find_server_port(std::string_view listener_key);

std::string_view to_string(LoadBalancing m);   // "hardware-only", "dns"
std::string_view to_string(ProxyInterface i);  // "external", "internal"

}  // namespace parley::topology
