// Host firewall rules from the port catalogue (`parley firewall`).
//
// The rules accept, inbound, exactly the ports a deployment's roles need and drop
// every other new inbound connection; established traffic, loopback and ICMP /
// ICMPv6 (which IPv6 needs for neighbour discovery, RFC 4890) pass. Two sets of
// "needed" ports:
//   served (default)  the listeners this configuration opens for the roles
//                     (port_plan.hpp): their configured address and port, which may
//                     differ from the catalogue's;
//   documented        every catalogue row of the roles, as the seed documents list
//                     them (a role this build does not serve, e.g. an Edge of a
//                     mixed deployment), with served rows at their configured port.
// Each rule carries the catalogue's role, service, port and protocol as its comment,
// and the rows' purposes as comment lines above it. Outbound traffic is not
// restricted, so the catalogue's outbound rows (e.g. Edge to federation partners)
// appear as comments only.
//
// Targets: an nftables script (`nft -f`) that replaces only its own table "inet
// parley"; or iptables-restore input for IPv4 (iptables) or IPv6 (ip6tables),
// which replaces the filter table's INPUT chain.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "topology/catalogue.hpp"
#include "topology/deployment.hpp"
#include "topology/port_plan.hpp"

namespace parley::topology {

enum class FirewallTarget { Nftables, Iptables, Ip6tables };
enum class L4 { Tcp, Udp };

// "nftables", "iptables", "ip6tables"; parse returns nullopt for anything else.
std::string_view to_string(FirewallTarget t);
std::optional<FirewallTarget> parse_firewall_target(std::string_view s);

// A port (range) and transport to accept in addition to the catalogue's,
// e.g. the administrator's own SSH: "22/tcp", "60000-60100/udp".
struct ExtraPort {
  PortRange ports;
  L4 proto = L4::Tcp;
};
// Parses "PORT/tcp", "LOW-HIGH/udp" (ports 1-65535, LOW <= HIGH). nullopt if malformed.
std::optional<ExtraPort> parse_extra_port(std::string_view s);

struct FirewallOptions {
  FirewallTarget target = FirewallTarget::Nftables;
  std::optional<Role> role;  // one role; default: every server role the topology runs
  bool documented = false;   // every catalogue row of the roles (see above)
  std::vector<ExtraPort> allow;
};

// One accept rule.
struct Opening {
  L4 proto = L4::Tcp;
  PortRange ports;
  std::string address;               // destination address to match; "" = any
  std::string label;                 // "Front End / Front-End service 5061 TCP (TLS)"
  std::vector<std::string> reasons;  // the purposes of every row this rule serves
};

// What the rules open, merged per (transport, ports, address), in catalogue order.
// Throws std::invalid_argument for --role clients (the client's own setup opens its
// ports, seed 000).
std::vector<Opening> openings(const PortPlan& plan, const FirewallOptions& options);

// The whole ruleset for options.target, starting with comment lines naming the
// topology and how to load it. Throws as openings() does.
std::string firewall_rules(const PortPlan& plan, const FirewallOptions& options);

}  // namespace parley::topology
