#include "topology/deployment.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace parley::topology {
namespace {

struct RoleName {
  Role role;
  std::string_view token;
  std::string_view title;
};

constexpr std::array kRoles = {
    RoleName{Role::FrontEnd, "front-end", "Front End"},
    RoleName{Role::Director, "director", "Director"},
    RoleName{Role::Mediation, "mediation", "Mediation Server"},
    RoleName{Role::PersistentChat, "persistent-chat", "Persistent Chat Front End"},
    RoleName{Role::Edge, "edge", "Edge Server"},
    RoleName{Role::ReverseProxy, "reverse-proxy", "reverse proxy"},
    RoleName{Role::OfficeWebApps, "office-web-apps", "Office Web Apps Server"},
    RoleName{Role::Clients, "clients", "clients"},
};

constexpr std::array kAllRoles = {Role::FrontEnd,       Role::Director, Role::Mediation,
                                  Role::PersistentChat, Role::Edge,     Role::ReverseProxy,
                                  Role::OfficeWebApps,  Role::Clients};

// The seed's role column for the Front End rows that apply only in some deployments.
constexpr std::string_view kWithMediation = "Front End with collocated Mediation";
constexpr std::string_view kCmsHolder = "Front End holding the Central Management Store";

}  // namespace

std::span<const Role> all_roles() { return kAllRoles; }

std::string_view to_token(Role r) { return kRoles[static_cast<std::size_t>(r)].token; }
std::string_view to_title(Role r) { return kRoles[static_cast<std::size_t>(r)].title; }

std::optional<Role> parse_role(std::string_view token) {
  for (const auto& n : kRoles) {
    if (n.token == token) return n.role;
  }
  return std::nullopt;
}

std::string role_tokens() {
  std::string out;
  for (const auto& n : kRoles) {
    if (!out.empty()) out += ", ";
    out += n.token;
  }
  return out;
}

bool Topology::runs(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

Topology make_topology(const std::vector<std::string>& tokens, bool collocated_mediation,
                       std::optional<LoadBalancing> load_balancing) {
  if (tokens.empty()) throw std::invalid_argument("at least one role is required");
  Topology t;
  t.standard_edition = false;
  t.roles.clear();
  t.central_management_store = false;
  t.collocated_mediation = collocated_mediation;
  t.load_balancing = load_balancing;
  bool front_end = false;
  for (const auto& token : tokens) {
    if (token == "standard-edition") {
      t.standard_edition = true;
      continue;
    }
    auto role = parse_role(token);
    if (!role || !is_server_role(*role)) {
      throw std::invalid_argument("unknown server role \"" + token +
                                  "\" (known: standard-edition, front-end, director, mediation, "
                                  "persistent-chat, edge)");
    }
    if (*role == Role::FrontEnd) front_end = true;
    if (!t.runs(*role)) t.roles.push_back(*role);
  }
  if (t.standard_edition && front_end) {
    throw std::invalid_argument(
        "\"standard-edition\" already runs the Front End roles; \"front-end\" is a member of an "
        "Enterprise Edition pool");
  }
  if (t.standard_edition) {
    // Standard Edition: one server with the CMS on it, and no pool, so no pool load
    // balancer.
    if (load_balancing) {
      throw std::invalid_argument(
          "a Standard Edition server is not a pool: load_balancing must be \"none\"");
    }
    t.roles.push_back(Role::FrontEnd);
    t.central_management_store = true;
  }
  std::sort(t.roles.begin(), t.roles.end());
  return t;
}

std::vector<Role> roles_of(const ServerPort& row) {
  if (row.role == "all servers") {
    return {Role::FrontEnd, Role::Director, Role::Mediation, Role::PersistentChat, Role::Edge};
  }
  if (row.role == "all internal servers") return {Role::FrontEnd, Role::Mediation};
  if (row.role.starts_with("Front End")) return {Role::FrontEnd};
  if (row.role == "Director") return {Role::Director};
  if (row.role == "Mediation Server") return {Role::Mediation};
  if (row.role == "Persistent Chat Front End") return {Role::PersistentChat};
  if (row.role == "Office Web Apps Server") return {Role::OfficeWebApps};
  return {};
}

Role role_of(const LoadBalancerPort& row) {
  if (row.load_balancer.starts_with("Mediation")) return Role::Mediation;
  if (row.load_balancer.starts_with("Director")) return Role::Director;
  return Role::FrontEnd;
}

bool needs(const Topology& t, const ServerPort& row) {
  if (row.role == kWithMediation && !t.collocated_mediation) return false;
  if (row.role == kCmsHolder && !t.central_management_store) return false;
  auto roles = roles_of(row);
  return std::any_of(roles.begin(), roles.end(), [&](Role r) { return t.runs(r); });
}

bool needs(const Topology& t, const LoadBalancerPort& row) {
  if (!t.load_balancing || *t.load_balancing != row.mode) return false;
  if (row.load_balancer.find("Mediation") != std::string_view::npos &&
      row.load_balancer.starts_with("Front End") && !t.collocated_mediation) {
    return false;
  }
  return t.runs(role_of(row));
}

}  // namespace parley::topology
