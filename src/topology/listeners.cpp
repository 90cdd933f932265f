#include "topology/listeners.hpp"

#include <array>
#include <cstdlib>

namespace parley::topology {
namespace {

constexpr std::array kListeners = {
    ListenerDef{"frontend.sip-udp", sip::Transport::Udp, true},
    ListenerDef{"frontend.sip-tcp", sip::Transport::Tcp, true},
    ListenerDef{"frontend.sip-tls", sip::Transport::Tls, true},
};

}  // namespace

const ServerPort& ListenerDef::row() const {
  const ServerPort* row = find_server_port(key);
  // Every listener key is a catalogue row's key (checked by the unit tests).
  if (row == nullptr) std::abort();
  return *row;
}

std::span<const ListenerDef> listener_defs() { return kListeners; }

const ListenerDef* find_listener(std::string_view key) {
  for (const auto& def : kListeners) {
    if (def.key == key) return &def;
  }
  return nullptr;
}

std::vector<ListenerSpec> listener_specs(const config::Config& cfg) {
  std::vector<ListenerSpec> out;
  for (const auto& def : kListeners) {
    const config::ListenerOverride* ov = nullptr;
    if (auto it = cfg.listeners.find(std::string(def.key)); it != cfg.listeners.end()) {
      ov = &it->second;
    }
    bool enabled = def.enabled_by_default;
    if (ov != nullptr && ov->enabled) enabled = *ov->enabled;
    if (!enabled) continue;
    const ServerPort& row = def.row();
    if (!needs(cfg.topology, row)) continue;  // a role this deployment does not run

    ListenerSpec spec;
    spec.key = std::string(def.key);
    spec.role = std::string(row.role);
    spec.service = std::string(row.service);
    spec.transport = def.transport;
    spec.catalogue_port = row.ports.low;
    spec.address = (ov != nullptr && ov->address) ? *ov->address : cfg.default_address;
    spec.port = (ov != nullptr && ov->port) ? *ov->port : row.ports.low;
    out.push_back(std::move(spec));
  }
  return out;
}

std::string_view transport_label(sip::Transport t) {
  switch (t) {
    case sip::Transport::Udp:
      return "UDP";
    case sip::Transport::Tcp:
      return "TCP";
    case sip::Transport::Tls:
      return "TLS";
  }
  return "UDP";
}

std::string format_endpoint(std::string_view address, std::uint16_t port) {
  std::string s = sip::bracket_host(address);
  s += ':';
  s += std::to_string(port);
  return s;
}

std::string startup_line(const ListenerSpec& spec, std::optional<std::uint16_t> bound_port) {
  std::string s = "listening: ";
  s += spec.role;
  s += " / ";
  s += spec.service;
  s += ' ';
  s += std::to_string(spec.catalogue_port);
  s += '/';
  s += transport_label(spec.transport);
  s += " on ";
  s += format_endpoint(spec.address, bound_port.value_or(spec.port));
  s += " (";
  s += spec.key;
  s += ')';
  return s;
}

}  // namespace parley::topology
