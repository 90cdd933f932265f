// The topology: which of the system's server roles a deployment runs.
//
// The seed documents (shared/PORTS.md) list ports by server role: Front End,
// Director, Mediation Server, Persistent Chat Front End, Edge, and the machines
// around them (reverse proxy, Office Web Apps Server, clients). A deployment runs
// some of the server roles; a Standard Edition server runs every Front End role
// collocated, holds the Central Management Store and, as Lync Server 2013 does by
// default, the Mediation service. This header names the roles, holds the
// topology read from the configuration ([topology] in etc/parley.toml) and says
// which catalogue rows belong to which role. Pure types and functions; it does not
// include the configuration, so config/ can hold a Topology.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "topology/catalogue.hpp"

namespace parley::topology {

// A role of the catalogue. The first five are server roles a deployment can run;
// the last three are the other machines the seed gives ports for.
enum class Role : std::uint8_t {
  FrontEnd,
  Director,
  Mediation,  // a stand-alone Mediation Server (collocated Mediation is a Front End row)
  PersistentChat,
  Edge,
  ReverseProxy,
  OfficeWebApps,
  Clients,
};

// Every role, in the order above.
std::span<const Role> all_roles();
// True for the five roles a deployment can run (FrontEnd .. Edge).
constexpr bool is_server_role(Role r) { return r <= Role::Edge; }
// "front-end", "director", "mediation", "persistent-chat", "edge", "reverse-proxy",
// "office-web-apps", "clients": the token of --role and of [topology] roles.
std::string_view to_token(Role r);
// The seed's name: "Front End", "Director", "Mediation Server", ...
std::string_view to_title(Role r);
// The role a token names (exact, lower case), or nullopt.
std::optional<Role> parse_role(std::string_view token);
// "front-end, director, ..." for error messages.
std::string role_tokens();

// What a deployment runs. Built by config::load from [topology]; the default is a
// Standard Edition server.
struct Topology {
  // "standard-edition" was named: one server with every Front End role collocated,
  // the Central Management Store and the Mediation service.
  bool standard_edition = true;
  std::vector<Role> roles{Role::FrontEnd};  // server roles only, in all_roles() order, unique
  bool collocated_mediation = true;         // Front End rows "with collocated Mediation" apply
  bool central_management_store = true;     // the Front End holds the CMS (Master Replicator)
  // How the deployment's pools are load balanced; nullopt = single servers, no pool
  // load balancer (the seed's two load-balancer lists then do not apply).
  std::optional<LoadBalancing> load_balancing;

  bool runs(Role r) const;
};

// The topology a [topology] roles list describes: "standard-edition" (which
// implies front-end with collocated Mediation and the CMS) or any of the server
// role tokens. Throws std::invalid_argument naming the bad token, when
// "standard-edition" and "front-end" are both given (a Standard Edition server is
// not a pool member), when "standard-edition" comes with a load-balancing mode (it
// has no pool), or when the list is empty.
Topology make_topology(const std::vector<std::string>& tokens, bool collocated_mediation,
                       std::optional<LoadBalancing> load_balancing);

// The roles a server row of the catalogue belongs to: "Front End" and its variants
// (collocated Mediation, CMS holder) to FrontEnd; "all servers" to every server
// role; "all internal servers" (the audio media range) to FrontEnd and Mediation,
// the servers that terminate audio.
std::vector<Role> roles_of(const ServerPort& row);
// The pool a load-balancer list entry serves: FrontEnd, Mediation or Director.
Role role_of(const LoadBalancerPort& row);

// True when the deployment needs the row: its role runs here and the row's
// condition holds (collocated Mediation, CMS holder, the load-balancing mode).
bool needs(const Topology& t, const ServerPort& row);
bool needs(const Topology& t, const LoadBalancerPort& row);

}  // namespace parley::topology
