// The port catalogue as one deployment sees it: for every row, whether this
// deployment needs it and whether Parley serves it here, and on which address and
// port. `parley ports`, `parley firewall`, `parley check` and `parley topology`
// all read the catalogue through a PortPlan, so they agree with each other and
// with the listeners `parley serve` opens (listener_specs).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "topology/catalogue.hpp"
#include "topology/deployment.hpp"
#include "topology/listeners.hpp"

namespace parley::topology {

// A row's status in this deployment.
enum class Status {
  Enabled,         // a role the topology runs; Parley listens here (a listener is open)
  Disabled,        // a role the topology runs; Parley serves it but the config turns it off
  NotImplemented,  // a role the topology runs; this build of Parley has no listener for it
  External,        // needed, on another machine: a load balancer, reverse proxy, client
  NotInTopology,   // a role (or condition, e.g. collocated Mediation) this deployment lacks
};

// "enabled", "disabled", "not-implemented", "external", "not-in-topology".
std::string_view to_string(Status s);

class PortPlan {
 public:
  // Reads cfg.topology and cfg.listeners; keeps a reference to neither.
  explicit PortPlan(const config::Config& cfg);

  const Topology& topology() const { return topology_; }
  // The listeners `parley serve` opens for this configuration, in listener_defs() order.
  const std::vector<ListenerSpec>& listeners() const { return listeners_; }

  Status status(const ServerPort& row) const;
  // Needed when the pools are load balanced in the row's mode and its pool's role runs.
  Status status(const LoadBalancerPort& row) const;
  // Client ports are always External: the client's own setup opens them (seed 000).
  Status status(const ClientPort& row) const;
  // External when a Front End or Director runs (the reverse proxy fronts their web
  // services), else NotInTopology.
  Status status(const ReverseProxyPort& row) const;
  // Edge rows: NotImplemented when the topology runs an Edge, else NotInTopology.
  Status status(const FederationPort& row) const;

  // The open listener serving `row`, or nullptr (no listener, disabled, not needed).
  const ListenerSpec* listener(const ServerPort& row) const;

 private:
  Topology topology_;
  std::vector<ListenerSpec> listeners_;
};

// True when the row belongs to `role` (deployment.hpp roles_of / role_of; the
// federation table belongs to the Edge, the reverse-proxy table to the reverse
// proxy, the client table to clients).
bool belongs(const ServerPort& row, Role role);
bool belongs(const LoadBalancerPort& row, Role role);
constexpr bool belongs(const ClientPort&, Role role) { return role == Role::Clients; }
constexpr bool belongs(const ReverseProxyPort&, Role role) { return role == Role::ReverseProxy; }
constexpr bool belongs(const FederationPort&, Role role) { return role == Role::Edge; }

// Server rows the seed describes as the server's own outgoing traffic ("outgoing SIP
// requests from Mediation to the PSTN gateway", "outbound Enhanced 9-1-1 gateway"):
// ports on the peer, not ones this server accepts.
bool outbound(const ServerPort& row);

// Federation rows whose destination is an interface of the Edge (traffic the Edge
// accepts), as opposed to rows the Edge sends.
bool inbound_to_edge(const FederationPort& row);

// The server roles a --role option selects: that one role, or every server role the
// topology runs when none is named.
std::vector<Role> selected_roles(const Topology& t, std::optional<Role> role);

// One port a role accepts on its server: what `parley firewall` opens and `parley
// check` probes. Exactly one of `row`, `federation`, `reverse_proxy` is set; the
// pointers refer to the static catalogue.
struct NeededPort {
  const ServerPort* row = nullptr;
  const FederationPort* federation = nullptr;       // the Edge's inbound rows
  const ReverseProxyPort* reverse_proxy = nullptr;  // the reverse proxy's external interface
  // The open listener serving `row` (its address, transport and configured port), or
  // nullptr for a documented row this deployment does not listen on.
  const ListenerSpec* listener = nullptr;
  PortRange ports;  // the listener's configured port, else the catalogue's
};

// The inbound ports of the selected roles (selected_roles), in catalogue order:
//   - every open listener of their rows (a listener on port 0 is left out: the
//     kernel picks its port at start);
//   - with `documented`, also every other server row of the roles that the topology
//     needs (any row of the role when `role` is named), except rows whose listener
//     the configuration turned off and the outbound rows (outbound()); for the Edge,
//     its inbound federation rows (inbound_to_edge()); for the reverse proxy, its
//     external interface.
std::vector<NeededPort> needed_ports(const PortPlan& plan, std::optional<Role> role,
                                     bool documented);

}  // namespace parley::topology
