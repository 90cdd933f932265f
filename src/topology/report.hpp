// The port catalogue as text for people and for tools (`parley ports`), each row with
// its status in this deployment (port_plan.hpp).
//
// Every format prints the five tables of shared/PORTS.md in the digest's order:
// server ports by role, the two hardware-load-balancer lists, client ports, the
// reverse proxy's interfaces, and SIP/XMPP federation. A ReportFilter narrows the
// rows; with no filter every row of the digest appears (plus Parley's extension
// rows, marked as such).
#pragma once

#include <optional>
#include <string>

#include "topology/deployment.hpp"
#include "topology/port_plan.hpp"

namespace parley::topology {

struct ReportFilter {
  std::optional<Role> role;    // only rows that belong to this role (port_plan.hpp belongs)
  bool topology_only = false;  // leave out rows whose status is NotInTopology
};

// Aligned text, one section per table, one line per row:
//   "  5061        TCP (TLS)                 Front End / Front-End service  [frontend.sip-tls]
//    enabled 127.0.0.1:15061"
// Ranges print as "57501-65535"; Parley's extension rows are marked "(Parley)".
std::string catalogue_table(const PortPlan& plan, const ReportFilter& filter = {});

// One JSON object (RFC 8259), a member per table:
//   {"topology":{"standard_edition":bool,"roles":["front-end",...],
//                "collocated_mediation":bool,"central_management_store":bool,
//                "load_balancing":"none"|"dns"|"hardware-only"},
//    "server_ports":[{"role","service","port_low","port_high","protocol","purpose",
//                     "listener","parley_extension","roles":[...],"status","enabled",
//                     "listen"}...],
//    "load_balancer_ports":[{"mode":"hardware-only"|"dns","load_balancer","port",
//                            "protocol","note","status","enabled"}...],
//    "client_ports":[{"component","port_low","port_high","protocol","purpose","status",
//                     "enabled"}...],
//    "reverse_proxy_ports":[{"interface":"external"|"internal","protocol","transport",
//                            "port","peer","purpose","status","enabled"}...],
//    "federation_ports":[{"label","role","protocol","transport","port_low","port_high",
//                         "source","destination","purpose","status","enabled"}...]}
// "listener" is null when Parley has no listener for the row; "listen" is the
// address:port the open listener binds, or null. "status" is to_string(Status);
// "enabled" is status == "enabled". Ends with a newline.
std::string catalogue_json(const PortPlan& plan, const ReportFilter& filter = {});

// GitHub-flavoured Markdown: a "## " heading and a pipe table per section, with the
// digest's columns plus "status" (and, for server rows, "listen"). A "|" in a cell is
// escaped as "\|".
std::string catalogue_markdown(const PortPlan& plan, const ReportFilter& filter = {});

// CSV (RFC 4180, CRLF line ends): a header row
//   table,role,service,port,protocol,purpose,status,listen
// then one row per catalogue row of every table. "table" is server, load-balancer,
// client, reverse-proxy or federation; for the other tables the columns hold: role =
// the load balancer / component / "reverse proxy <interface>" / the federation label,
// service = the load-balancing mode / "" / the peer / "source -> destination",
// purpose = the note or purpose. Fields with a comma, quote or line break are quoted.
std::string catalogue_csv(const PortPlan& plan, const ReportFilter& filter = {});

// `parley topology`: the deployment's roles and, per server role it runs, each
// service of the catalogue with its status and where Parley listens, e.g.
//   Topology: Standard Edition
//     roles: front-end
//     Mediation: collocated on the Front End
//     Central Management Store: on this server
//     load balancing: none (single servers, no pool load balancer)
//
//   Front End
//     5061/TCP (TLS)    Front-End service      enabled   127.0.0.1:5061 (frontend.sip-tls)
//     5062/TCP          IM Conferencing service  not-implemented
std::string topology_report(const PortPlan& plan);

}  // namespace parley::topology
