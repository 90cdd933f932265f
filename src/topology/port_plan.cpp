#include "topology/port_plan.hpp"

#include <algorithm>

namespace parley::topology {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Enabled:
      return "enabled";
    case Status::Disabled:
      return "disabled";
    case Status::NotImplemented:
      return "not-implemented";
    case Status::External:
      return "external";
    case Status::NotInTopology:
      return "not-in-topology";
  }
  return "not-in-topology";
}

PortPlan::PortPlan(const config::Config& cfg)
    : topology_(cfg.topology), listeners_(listener_specs(cfg)) {}

const ListenerSpec* PortPlan::listener(const ServerPort& row) const {
  if (row.listener_key.empty()) return nullptr;
  for (const auto& spec : listeners_) {
    if (spec.key == row.listener_key) return &spec;
  }
  return nullptr;
}

Status PortPlan::status(const ServerPort& row) const {
  if (!needs(topology_, row)) return Status::NotInTopology;
  if (row.listener_key.empty() || find_listener(row.listener_key) == nullptr) {
    return Status::NotImplemented;
  }
  return listener(row) != nullptr ? Status::Enabled : Status::Disabled;
}

Status PortPlan::status(const LoadBalancerPort& row) const {
  return needs(topology_, row) ? Status::External : Status::NotInTopology;
}

Status PortPlan::status(const ClientPort&) const { return Status::External; }

Status PortPlan::status(const ReverseProxyPort&) const {
  return topology_.runs(Role::FrontEnd) || topology_.runs(Role::Director) ? Status::External
                                                                          : Status::NotInTopology;
}

Status PortPlan::status(const FederationPort&) const {
  return topology_.runs(Role::Edge) ? Status::NotImplemented : Status::NotInTopology;
}

bool belongs(const ServerPort& row, Role role) {
  auto roles = roles_of(row);
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool belongs(const LoadBalancerPort& row, Role role) { return role_of(row) == role; }

bool outbound(const ServerPort& row) {
  return row.purpose.starts_with("outgoing ") || row.purpose.starts_with("outbound ");
}

bool inbound_to_edge(const FederationPort& row) {
  return row.destination.find("Edge") != std::string_view::npos;
}

std::vector<Role> selected_roles(const Topology& t, std::optional<Role> role) {
  return role ? std::vector<Role>{*role} : t.roles;
}

std::vector<NeededPort> needed_ports(const PortPlan& plan, std::optional<Role> role,
                                     bool documented) {
  std::vector<Role> roles = selected_roles(plan.topology(), role);
  auto selected = [&](Role r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  std::vector<NeededPort> out;
  for (const auto& row : server_ports()) {
    if (!std::any_of(roles.begin(), roles.end(), [&](Role r) { return belongs(row, r); })) {
      continue;
    }
    if (const ListenerSpec* spec = plan.listener(row)) {
      if (spec->port != 0) out.push_back({&row, nullptr, nullptr, spec, {spec->port, spec->port}});
      continue;
    }
    if (!documented || outbound(row) || plan.status(row) == Status::Disabled) continue;
    if (!role && !needs(plan.topology(), row)) continue;
    out.push_back({&row, nullptr, nullptr, nullptr, row.ports});
  }
  if (documented && selected(Role::Edge)) {
    for (const auto& row : federation_ports()) {
      if (inbound_to_edge(row)) out.push_back({nullptr, &row, nullptr, nullptr, row.ports});
    }
  }
  if (documented && selected(Role::ReverseProxy)) {
    for (const auto& row : reverse_proxy_ports()) {
      if (row.interface == ProxyInterface::External) {
        out.push_back({nullptr, nullptr, &row, nullptr, {row.port, row.port}});
      }
    }
  }
  return out;
}

}  // namespace parley::topology
