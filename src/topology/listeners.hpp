// Listeners: the catalogue rows Parley serves, and where they bind.
//
// A listener is a server row of the catalogue (catalogue.hpp) with a stable key
// ("frontend.sip-tls") and a default transport. The configuration may override its
// address, port and whether it is enabled ([listeners."<key>"] in etc/parley.toml);
// listener_specs() resolves those against the catalogue's defaults into the list
// the network layer opens. Pure functions of their inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "sip/peer.hpp"
#include "topology/catalogue.hpp"

namespace parley::topology {

// A listener Parley knows how to serve. Only the enum sip::Transport is used here
// (no function of the sip module), so the topology module links base only.
struct ListenerDef {
  std::string_view key;      // "frontend.sip-udp", "frontend.sip-tcp", "frontend.sip-tls"
  sip::Transport transport;  // RFC 3261 18: UDP, TCP or TLS
  bool enabled_by_default;
  const ServerPort& row() const;  // the catalogue row (role, service, default port)
};

// Every listener, in a fixed order (sip-udp, sip-tcp, sip-tls).
std::span<const ListenerDef> listener_defs();
// nullptr when no listener has that key.
const ListenerDef* find_listener(std::string_view key);

// One listener to open, defaults and configuration resolved.
struct ListenerSpec {
  std::string key;      // listener key, e.g. "frontend.sip-tls"
  std::string role;     // catalogue role, e.g. "Front End"
  std::string service;  // catalogue service, e.g. "Front-End service"
  sip::Transport transport = sip::Transport::Udp;
  std::string address;               // numeric address to bind (override or default_address)
  std::uint16_t port = 0;            // port to bind (override or catalogue port); 0 = any
  std::uint16_t catalogue_port = 0;  // the catalogue's port for this row
};

// The enabled listeners of `cfg`, in listener_defs() order: those whose row the
// topology needs (deployment.hpp) and the configuration does not disable. Override
// keys that name no listener are ignored here (config::load rejects them).
std::vector<ListenerSpec> listener_specs(const config::Config& cfg);

// "UDP", "TCP", "TLS".
std::string_view transport_label(sip::Transport t);

// "0.0.0.0:5061", "[::1]:5060".
std::string format_endpoint(std::string_view address, std::uint16_t port);

// The startup log line for a listener, e.g.
//   "listening: Front End / Front-End service 5061/TLS on 0.0.0.0:5061 (frontend.sip-tls)"
// `bound_port` is the port actually bound (when the spec asked for port 0); the
// spec's port is shown when it is not given.
std::string startup_line(const ListenerSpec& spec,
                         std::optional<std::uint16_t> bound_port = std::nullopt);

}  // namespace parley::topology
