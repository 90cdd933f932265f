#include "topology/report.hpp"

#include <fmt/format.h>

#include <utility>

#include "topology/catalogue.hpp"

namespace parley::topology {
namespace {

std::string ports_text(PortRange r) {
  return r.single() ? std::to_string(r.low) : fmt::format("{}-{}", r.low, r.high);
}

// RFC 8259 7: quotation mark, reverse solidus and control characters are escaped.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// Builds one JSON object from alternating key / already-encoded value pairs.
class JsonObject {
 public:
  JsonObject& str(std::string_view key, std::string_view v) { return raw(key, json_string(v)); }
  JsonObject& num(std::string_view key, unsigned v) { return raw(key, std::to_string(v)); }
  JsonObject& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonObject& status(Status s) {
    return str("status", to_string(s)).boolean("enabled", s == Status::Enabled);
  }
  JsonObject& raw(std::string_view key, std::string_view encoded) {
    body_ += body_.empty() ? "{" : ",";
    body_ += json_string(key);
    body_ += ':';
    body_ += encoded;
    return *this;
  }
  std::string done() const { return body_.empty() ? "{}" : body_ + "}"; }

 private:
  std::string body_;
};

std::string json_strings(const std::vector<std::string_view>& items) {
  std::string out = "[";
  for (const auto& s : items) {
    if (out.size() > 1) out += ',';
    out += json_string(s);
  }
  return out + "]";
}

// One row of any table in the shape the table, Markdown and CSV formats share.
struct Line {
  std::string ports;
  std::string protocol;
  std::string role;     // who: role, load balancer, component, interface, label
  std::string service;  // what: service, mode, peer, source -> destination
  std::string purpose;
  std::string listener_key;
  bool parley_extension = false;
  Status status = Status::NotInTopology;
  std::string listen;  // address:port of the open listener, or ""
};

struct Section {
  std::string_view id;       // CSV "table" column
  std::string_view heading;  // text and Markdown heading
  std::vector<Line> lines;
};

// The filter's verdict on one row of any table.
template <class Row>
bool keep(const PortPlan& plan, const ReportFilter& f, const Row& row) {
  if (f.role && !belongs(row, *f.role)) return false;
  return !(f.topology_only && plan.status(row) == Status::NotInTopology);
}

std::vector<Section> sections(const PortPlan& plan, const ReportFilter& f) {
  std::vector<Section> out;
  Section server{"server", "Server ports, by role (seed 000)", {}};
  for (const auto& r : server_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    Line l{ports_text(r.ports),
           std::string(r.protocol),
           std::string(r.role),
           std::string(r.service),
           std::string(r.purpose),
           std::string(r.listener_key),
           r.parley_extension,
           s,
           ""};
    if (const auto* spec = plan.listener(r)) l.listen = format_endpoint(spec->address, spec->port);
    server.lines.push_back(std::move(l));
  }
  out.push_back(std::move(server));
  for (LoadBalancing mode : {LoadBalancing::HardwareOnly, LoadBalancing::Dns}) {
    Section lb{"load-balancer",
               mode == LoadBalancing::HardwareOnly
                   ? "Hardware load balancer ports, hardware load balancing only (seed 000)"
                   : "Hardware load balancer ports, DNS load balancing (seed 000)",
               {}};
    for (const auto& r : load_balancer_ports()) {
      if (r.mode != mode || !keep(plan, f, r)) continue;
      Status s = plan.status(r);
      lb.lines.push_back(Line{std::to_string(r.port), std::string(r.protocol),
                              std::string(r.load_balancer), std::string(to_string(r.mode)),
                              std::string(r.note), "", false, s, ""});
    }
    out.push_back(std::move(lb));
  }
  Section client{"client", "Client ports (seed 000)", {}};
  for (const auto& r : client_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    client.lines.push_back(Line{ports_text(r.ports), std::string(r.protocol),
                                std::string(r.component), "", std::string(r.purpose), "", false, s,
                                ""});
  }
  out.push_back(std::move(client));
  Section rp{"reverse-proxy", "Reverse proxy (seed 001)", {}};
  for (const auto& r : reverse_proxy_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    rp.lines.push_back(
        Line{std::to_string(r.port), fmt::format("{}/{}", r.protocol, r.transport),
             fmt::format("reverse proxy {}", to_string(r.interface)),
             fmt::format("{} {}", r.interface == ProxyInterface::External ? "from" : "to", r.peer),
             std::string(r.purpose), "", false, s, ""});
  }
  out.push_back(std::move(rp));
  Section fed{"federation", "SIP federation, public IM connectivity and XMPP (seed 004)", {}};
  for (const auto& r : federation_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    fed.lines.push_back(Line{ports_text(r.ports), std::string(r.label), std::string(r.label),
                             fmt::format("{} -> {}", r.source, r.destination),
                             std::string(r.purpose), "", false, s, ""});
  }
  out.push_back(std::move(fed));
  return out;
}

std::string topology_summary(const Topology& t) {
  std::string roles;
  for (Role r : t.roles) {
    if (!roles.empty()) roles += ", ";
    roles += to_token(r);
  }
  return fmt::format("Topology: {}{}{}\n", t.standard_edition ? "Standard Edition; " : "",
                     roles.empty() ? "no server role" : "roles " + roles,
                     t.collocated_mediation && t.runs(Role::FrontEnd)
                         ? "; Mediation collocated on the Front End"
                         : "");
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

// RFC 4180 2.6/2.7: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string catalogue_table(const PortPlan& plan, const ReportFilter& filter) {
  std::string out = topology_summary(plan.topology());
  for (const auto& sec : sections(plan, filter)) {
    out += fmt::format("\n{}\n", sec.heading);
    if (sec.lines.empty()) out += "  (no rows)\n";
    for (const auto& l : sec.lines) {
      // The federation label is already the protocol column: say who talks to whom.
      std::string who = sec.id == "federation" ? l.service : l.role;
      if (sec.id != "federation" && !l.service.empty()) who += " / " + l.service;
      out += fmt::format("  {:<12}{:<26}{}", l.ports, l.protocol, who);
      if (!l.listener_key.empty()) out += fmt::format("  [{}]", l.listener_key);
      if (l.parley_extension) out += "  (Parley)";
      out += fmt::format("  {}", to_string(l.status));
      if (!l.listen.empty()) out += fmt::format(" {}", l.listen);
      out += '\n';
    }
  }
  return out;
}

std::string catalogue_markdown(const PortPlan& plan, const ReportFilter& filter) {
  std::string out = "# Port catalogue\n\n" + topology_summary(plan.topology());
  for (const auto& sec : sections(plan, filter)) {
    bool server = sec.id == "server";
    out += fmt::format("\n## {}\n\n", sec.heading);
    out += server ? "| role | service | port | protocol | what it is for | status | listen |\n"
                    "|---|---|---|---|---|---|---|\n"
                  : "| who | what | port | protocol | what it is for | status |\n"
                    "|---|---|---|---|---|---|\n";
    for (const auto& l : sec.lines) {
      std::string purpose = l.purpose;
      if (l.parley_extension && purpose.find("Parley") == std::string::npos) {
        purpose = "Parley extension: " + purpose;
      }
      out += fmt::format("| {} | {} | {} | {} | {} | {} |", md_cell(l.role), md_cell(l.service),
                         l.ports, md_cell(l.protocol), md_cell(purpose), to_string(l.status));
      if (server) out += fmt::format(" {} |", md_cell(l.listen));
      out += '\n';
    }
  }
  return out;
}

std::string catalogue_csv(const PortPlan& plan, const ReportFilter& filter) {
  std::string out = "table,role,service,port,protocol,purpose,status,listen\r\n";
  for (const auto& sec : sections(plan, filter)) {
    for (const auto& l : sec.lines) {
      out += fmt::format("{},{},{},{},{},{},{},{}\r\n", sec.id, csv_field(l.role),
                         csv_field(l.service), l.ports, csv_field(l.protocol), csv_field(l.purpose),
                         to_string(l.status), csv_field(l.listen));
    }
  }
  return out;
}

std::string catalogue_json(const PortPlan& plan, const ReportFilter& f) {
  const Topology& t = plan.topology();
  std::vector<std::string_view> roles;
  for (Role r : t.roles) roles.push_back(to_token(r));
  JsonObject root;
  root.raw("topology",
           JsonObject()
               .boolean("standard_edition", t.standard_edition)
               .raw("roles", json_strings(roles))
               .boolean("collocated_mediation", t.collocated_mediation)
               .boolean("central_management_store", t.central_management_store)
               .str("load_balancing", t.load_balancing ? to_string(*t.load_balancing) : "none")
               .done());

  auto array = [](std::string items) { return "[" + items + "]"; };
  auto append = [](std::string& items, const std::string& obj) {
    if (!items.empty()) items += ",\n  ";
    items += obj;
  };

  std::string items;
  for (const auto& r : server_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    std::vector<std::string_view> row_roles;
    for (Role role : roles_of(r)) row_roles.push_back(to_token(role));
    const ListenerSpec* spec = plan.listener(r);
    append(
        items,
        JsonObject()
            .str("role", r.role)
            .str("service", r.service)
            .num("port_low", r.ports.low)
            .num("port_high", r.ports.high)
            .str("protocol", r.protocol)
            .str("purpose", r.purpose)
            .raw("listener", r.listener_key.empty() ? "null" : json_string(r.listener_key))
            .boolean("parley_extension", r.parley_extension)
            .raw("roles", json_strings(row_roles))
            .status(s)
            .raw("listen", spec ? json_string(format_endpoint(spec->address, spec->port)) : "null")
            .done());
  }
  root.raw("server_ports", array(std::exchange(items, {})));

  for (const auto& r : load_balancer_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    append(items, JsonObject()
                      .str("mode", to_string(r.mode))
                      .str("load_balancer", r.load_balancer)
                      .num("port", r.port)
                      .str("protocol", r.protocol)
                      .str("note", r.note)
                      .status(s)
                      .done());
  }
  root.raw("load_balancer_ports", array(std::exchange(items, {})));

  for (const auto& r : client_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    append(items, JsonObject()
                      .str("component", r.component)
                      .num("port_low", r.ports.low)
                      .num("port_high", r.ports.high)
                      .str("protocol", r.protocol)
                      .str("purpose", r.purpose)
                      .status(s)
                      .done());
  }
  root.raw("client_ports", array(std::exchange(items, {})));

  for (const auto& r : reverse_proxy_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    append(items, JsonObject()
                      .str("interface", to_string(r.interface))
                      .str("protocol", r.protocol)
                      .str("transport", r.transport)
                      .num("port", r.port)
                      .str("peer", r.peer)
                      .str("purpose", r.purpose)
                      .status(s)
                      .done());
  }
  root.raw("reverse_proxy_ports", array(std::exchange(items, {})));

  for (const auto& r : federation_ports()) {
    if (!keep(plan, f, r)) continue;
    Status s = plan.status(r);
    append(items, JsonObject()
                      .str("label", r.label)
                      .str("role", r.role)
                      .str("protocol", r.protocol)
                      .str("transport", r.transport)
                      .num("port_low", r.ports.low)
                      .num("port_high", r.ports.high)
                      .str("source", r.source)
                      .str("destination", r.destination)
                      .str("purpose", r.purpose)
                      .status(s)
                      .done());
  }
  root.raw("federation_ports", array(std::exchange(items, {})));
  return root.done() + "\n";
}

std::string topology_report(const PortPlan& plan) {
  const Topology& t = plan.topology();
  std::string out =
      fmt::format("Topology: {}\n",
                  t.standard_edition ? "Standard Edition" : "Enterprise Edition / separate roles");
  std::string roles;
  for (Role r : t.roles) roles += fmt::format("{}{}", roles.empty() ? "" : ", ", to_token(r));
  out += fmt::format("  roles: {}\n", roles.empty() ? "none" : roles);
  if (t.runs(Role::FrontEnd)) {
    out += fmt::format("  Mediation: {}\n", t.collocated_mediation ? "collocated on the Front End"
                                                                   : "not on the Front End");
    out += fmt::format("  Central Management Store: {}\n",
                       t.central_management_store ? "on this server" : "elsewhere");
  }
  out += fmt::format("  load balancing: {}\n",
                     !t.load_balancing ? "none (single servers, no pool load balancer)"
                     : *t.load_balancing == LoadBalancing::Dns
                         ? "DNS (a hardware load balancer for web traffic only)"
                         : "hardware only");
  std::size_t listening = 0;
  for (Role role : t.roles) {
    out += fmt::format("\n{}\n", to_title(role));
    for (const auto& r : server_ports()) {
      if (!belongs(r, role) || !needs(t, r)) continue;
      Status s = plan.status(r);
      std::string where;
      if (const auto* spec = plan.listener(r)) {
        where = fmt::format(" {} ({})", format_endpoint(spec->address, spec->port), spec->key);
        ++listening;
      }
      std::string svc = r.service.empty() ? std::string(r.role) : std::string(r.service);
      out += fmt::format(
          "  {:<26}{:<44}{}{}\n",
          fmt::format("{}/{}", ports_text(r.ports), r.protocol.empty() ? "-" : r.protocol), svc,
          to_string(s), where);
    }
    if (role == Role::Edge) {
      for (const auto& r : federation_ports()) {
        if (!inbound_to_edge(r)) continue;
        out += fmt::format("  {:<26}{:<44}{}\n", r.label, "from " + std::string(r.source),
                           to_string(plan.status(r)));
      }
    }
  }
  out += fmt::format("\n{} listener{} open for this topology.\n", listening,
                     listening == 1 ? "" : "s");
  return out;
}

}  // namespace parley::topology
