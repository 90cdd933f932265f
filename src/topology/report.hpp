// The port catalogue as text for people (`parley ports`) and as JSON for tools.
#pragma once

#include <string>

namespace parley::topology {

// Every table of the catalogue, one section per table, one line per row:
//   "  5061        TCP (TLS)            Front End / Front-End service  [frontend.sip-tls]"
// Ranges print as "57501-65535"; Parley's extension rows are marked "(Parley)".
std::string catalogue_table();

// The catalogue as one JSON object:
//   {"server_ports":[{"role","service","port_low","port_high","protocol","purpose",
//                     "listener","parley_extension"}...],
//    "load_balancer_ports":[{"mode":"hardware-only"|"dns","load_balancer","port",
//                            "protocol","note"}...],
//    "client_ports":[{"component","port_low","port_high","protocol","purpose"}...],
//    "reverse_proxy_ports":[{"interface":"external"|"internal","protocol","transport",
//                            "port","peer","purpose"}...],
//    "federation_ports":[{"label","role","protocol","transport","port_low","port_high",
//                         "source","destination","purpose"}...]}
// "listener" is null when Parley does not listen on the row. Ends with a newline.
std::string catalogue_json();

}  // namespace parley::topology
