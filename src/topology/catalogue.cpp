// The tables of shared/PORTS.md, row for row. Keep the order of the digest so a row
// here can be found by reading the page side by side.
#include "topology/catalogue.hpp"

#include <array>

namespace parley::topology {
namespace {

constexpr PortRange one(std::uint16_t p) { return {p, p}; }
constexpr PortRange range(std::uint16_t lo, std::uint16_t hi) { return {lo, hi}; }

// A server row; listener_key and parley_extension are rarely set.
constexpr ServerPort srv(std::string_view role, std::string_view service, PortRange ports,
                         std::string_view protocol, std::string_view purpose,
                         std::string_view listener_key = {}, bool parley_extension = false) {
  return ServerPort{role, service, ports, protocol, purpose, listener_key, parley_extension};
}

constexpr std::string_view kFE = "Front End";
constexpr std::string_view kFES = "Front-End service";
constexpr std::string_view kFEMed = "Front End with collocated Mediation";
constexpr std::string_view kMedSvc = "Mediation service";
constexpr std::string_view kDir = "Director";
constexpr std::string_view kMed = "Mediation Server";
constexpr std::string_view kPChat = "Persistent Chat Front End";

// Seed 000, "Required server ports, by server role".
constexpr std::array kServerPorts = {
    srv("all servers", "SQL Browser", one(1434), "UDP",
        "SQL Browser for the local replicated copy of the Central Management Store database"),
    srv(kFE, kFES, one(5060), "TCP",
        "optional: static routes to trusted services, e.g. remote call control servers",
        "frontend.sip-tcp"),
    srv(kFE, "Front-End service (standard SIP clients)", one(5060), "UDP",
        "Parley extension: SIP over UDP for standard SIP clients (RFC 3261 18); "
        "Lync itself has no UDP row",
        "frontend.sip-udp", true),
    srv(kFE, kFES, one(5061), "TCP (TLS)",
        "all internal SIP between servers (MTLS), SIP between server and client (TLS), "
        "SIP between Front End and Mediation (MTLS); also monitoring",
        "frontend.sip-tls"),
    srv(kFE, kFES, one(444), "HTTPS, TCP",
        "HTTPS between the Focus (the component that manages conference state) and the "
        "individual servers; TCP between Survivable Branch Appliances and Front Ends"),
    srv(kFE, kFES, one(135), "DCOM, RPC",
        "DCOM-based operations: moving users, User Replicator sync, Address Book sync"),
    srv(kFE, "IM Conferencing service", one(5062), "TCP",
        "incoming SIP requests for instant-messaging conferencing (the IM MCU)"),
    srv(kFE, "Web Conferencing service", one(8057), "TCP (TLS)",
        "listens for PSOM (Persistent Shared Object Model) connections from the client"),
    srv(kFE, "Web Conferencing Compatibility service", one(8058), "TCP (TLS)",
        "PSOM connections from the Live Meeting client and earlier versions"),
    srv(kFE, "A/V Conferencing service", one(5063), "TCP",
        "incoming SIP requests for audio/video conferencing"),
    srv(kFE, "A/V Conferencing service", range(57501, 65535), "TCP/UDP",
        "media port range for video conferencing"),
    srv(kFE, "Web Compatibility service", one(80), "HTTP",
        "Front End to the web farm FQDNs (IIS web components) when HTTPS is not used"),
    srv(kFE, "Web Compatibility service", one(443), "HTTPS",
        "Front End to the web farm FQDNs (IIS web components)"),
    srv(kFE, "Web Compatibility service", one(8080), "TCP and HTTP",
        "web components, external access"),
    srv(kFE, "Web Server component", one(4443), "HTTPS",
        "HTTPS from the reverse proxy, and inter-pool HTTPS for autodiscover of sign-in"),
    srv(kFE, "Web Server component", one(8060), "TCP (MTLS)", ""),
    srv(kFE, "Web Server component", one(8061), "TCP (MTLS)", ""),
    srv(kFE, "Mobility Services component", one(5086), "TCP (MTLS)",
        "SIP port used by the Mobility Services' internal processes"),
    srv(kFE, "Mobility Services component", one(5087), "TCP (MTLS)",
        "SIP port used by the Mobility Services' internal processes"),
    srv(kFE, "Mobility Services component", one(443), "HTTPS", ""),
    srv(kFE, "Conferencing Attendant service (dial-in)", one(5064), "TCP",
        "incoming SIP requests for dial-in conferencing"),
    srv(kFE, "Conferencing Attendant service (dial-in)", one(5072), "TCP",
        "incoming SIP requests for the Attendant (dial-in conferencing)"),
    srv(kFEMed, kMedSvc, one(5070), "TCP",
        "Mediation Server: incoming requests from the Front End"),
    srv(kFEMed, kMedSvc, one(5067), "TCP (TLS)",
        "incoming SIP requests from the PSTN gateway to Mediation"),
    srv(kFEMed, kMedSvc, one(5068), "TCP",
        "incoming SIP requests from the PSTN gateway to Mediation"),
    srv(kFEMed, kMedSvc, one(5081), "TCP",
        "outgoing SIP requests from Mediation to the PSTN gateway"),
    srv(kFEMed, kMedSvc, one(5082), "TCP (TLS)",
        "outgoing SIP requests from Mediation to the PSTN gateway"),
    srv(kFE, "Application Sharing service", one(5065), "TCP",
        "incoming SIP listening requests for application sharing"),
    srv(kFE, "Application Sharing service", range(49152, 65535), "TCP",
        "media port range for application sharing"),
    srv(kFE, "Conferencing Announcement service", one(5073), "TCP",
        "incoming SIP requests for the announcement service (dial-in conferencing)"),
    srv(kFE, "Call Park service", one(5075), "TCP",
        "incoming SIP requests for the Call Park application"),
    srv(kFE, "Audio Test service", one(5076), "TCP",
        "incoming SIP requests for the Audio Test service"),
    srv(kFE, "not applicable", one(5066), "TCP", "outbound Enhanced 9-1-1 (E9-1-1) gateway"),
    srv(kFE, "Response Group service", one(5071), "TCP",
        "incoming SIP requests for the Response Group application"),
    srv(kFE, "Response Group service", one(8404), "TCP (MTLS)",
        "incoming SIP requests for the Response Group application"),
    srv(kFE, "Bandwidth Policy service", one(5080), "TCP",
        "call admission control by the Bandwidth Policy service for A/V Edge TURN traffic"),
    srv(kFE, "Bandwidth Policy service", one(448), "TCP",
        "call admission control by the Bandwidth Policy service"),
    srv("Front End holding the Central Management Store", "Master Replicator Agent service",
        one(445), "TCP",
        "pushes configuration data from the Central Management Store to the servers"),
    srv("all internal servers", "various", range(49152, 57500), "TCP/UDP",
        "media port range for audio conferencing on every server that terminates audio: "
        "Front End (Conferencing Attendant, Conferencing Announcement, A/V Conferencing) "
        "and Mediation"),
    srv("Office Web Apps Server", "", one(443), "",
        "Lync Server connects to Office Web Apps Server"),
    srv(kDir, kFES, one(5060), "TCP",
        "optional: static routes to trusted services, e.g. remote call control servers"),
    srv(kDir, kFES, one(444), "HTTPS, TCP",
        "server-to-server between Front End and Director; client certificate publishing "
        "(for Front Ends) or checking that it was already published"),
    srv(kDir, "Web Compatibility service", one(80), "TCP",
        "initial communication from Directors to the web farm FQDNs; normal operation "
        "switches to HTTPS on 443"),
    srv(kDir, "Web Compatibility service", one(443), "HTTPS", "Directors to the web farm FQDNs"),
    srv(kDir, kFES, one(5061), "TCP",
        "internal server-to-server communication and client connections"),
    srv(kMed, kMedSvc, one(5070), "TCP", "incoming requests from the Front End"),
    srv(kMed, kMedSvc, one(5067), "TCP (TLS)", "incoming SIP requests from the PSTN gateway"),
    srv(kMed, kMedSvc, one(5068), "TCP", "incoming SIP requests from the PSTN gateway"),
    srv(kMed, kMedSvc, one(5070), "TCP (MTLS)", "SIP requests from the Front Ends"),
    srv(kPChat, "Persistent Chat SIP", one(5041), "TCP (MTLS)", ""),
    srv(kPChat, "Persistent Chat Windows Communication Foundation (WCF)", one(881),
        "TCP (TLS) and TCP (MTLS)", ""),
    srv(kPChat, "Persistent Chat File Transfer service", one(443), "TCP (TLS)", ""),
};

constexpr std::string_view kFEPool = "Front End pool";
constexpr std::string_view kDirPool = "Director pool";
constexpr std::string_view kFromRP = "from reverse proxy";
constexpr std::string_view kRootCert =
    "client and device retrieval of root certificate from the Front End; clients and devices "
    "authenticated by NTLM";
constexpr auto HW = LoadBalancing::HardwareOnly;
constexpr auto DNS = LoadBalancing::Dns;

// Seed 000, the two hardware-load-balancer tables.
constexpr std::array kLoadBalancerPorts = {
    LoadBalancerPort{HW, kFEPool, 5061, "TCP (TLS)", ""},
    LoadBalancerPort{HW, kFEPool, 444, "HTTPS", ""},
    LoadBalancerPort{HW, kFEPool, 135, "DCOM, RPC", ""},
    LoadBalancerPort{HW, kFEPool, 80, "HTTP", ""},
    LoadBalancerPort{HW, kFEPool, 8080, "TCP", kRootCert},
    LoadBalancerPort{HW, kFEPool, 443, "HTTPS", ""},
    LoadBalancerPort{HW, kFEPool, 4443, "HTTPS", kFromRP},
    LoadBalancerPort{HW, kFEPool, 5072, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 5073, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 5075, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 5076, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 5071, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 5080, "TCP", ""},
    LoadBalancerPort{HW, kFEPool, 448, "TCP", ""},
    LoadBalancerPort{HW, "Mediation pool", 5070, "TCP", ""},
    LoadBalancerPort{HW, "Front End pool (also running Mediation)", 5070, "TCP", ""},
    LoadBalancerPort{HW, kDirPool, 443, "HTTPS", ""},
    LoadBalancerPort{HW, kDirPool, 444, "HTTPS", ""},
    LoadBalancerPort{HW, kDirPool, 5061, "TCP", ""},
    LoadBalancerPort{HW, kDirPool, 4443, "HTTPS", kFromRP},
    LoadBalancerPort{DNS, kFEPool, 80, "HTTP", ""},
    LoadBalancerPort{DNS, kFEPool, 443, "HTTPS", ""},
    LoadBalancerPort{DNS, kFEPool, 8080, "TCP", kRootCert},
    LoadBalancerPort{DNS, kFEPool, 4443, "HTTPS", kFromRP},
    LoadBalancerPort{DNS, kDirPool, 443, "HTTPS", ""},
    LoadBalancerPort{DNS, kDirPool, 4443, "HTTPS", kFromRP},
};

constexpr std::string_view kClients = "clients";
constexpr std::string_view kAnyPort = "1024-65535";

// Seed 000, "Required client ports".
constexpr std::array kClientPorts = {
    ClientPort{kClients, range(67, 68), "DHCP",
               "finding the registrar's FQDN when DNS SRV fails and nothing is set by hand"},
    ClientPort{kClients, one(443), "TCP (TLS)", "client-to-server SIP for external user access"},
    ClientPort{kClients, one(443), "TCP (PSOM/TLS)",
               "external users' access to web conferencing sessions"},
    ClientPort{kClients, one(443), "TCP (STUN/MSTURN)",
               "external users' access to A/V sessions and media (TCP)"},
    ClientPort{kClients, one(3478), "UDP (STUN/MSTURN)",
               "external users' access to A/V sessions and media (UDP)"},
    ClientPort{kClients, one(5061), "TCP (MTLS)", "client-to-server SIP for external user access"},
    ClientPort{kClients, range(6891, 6901), "TCP",
               "file transfer between Lync clients and older clients (Office Communications "
               "Server 2007 R2, 2007, Live Communications Server 2005)"},
    ClientPort{kClients, range(1024, 65535), "TCP/UDP", "audio port range (at least 20 ports)"},
    ClientPort{kClients, range(1024, 65535), "TCP/UDP", "video port range (at least 20 ports)"},
    ClientPort{kClients, range(1024, 65535), "TCP",
               "peer-to-peer file transfer (conference file transfer uses PSOM)"},
    ClientPort{kClients, range(1024, 65535), "TCP", "application sharing"},
    ClientPort{"IP phones (Aastra 6721ip/6725ip, HP 4110/4120, Polycom CX500/CX600/CX700/CX3000)",
               range(67, 68), "DHCP",
               "finding the server certificate, provisioning FQDN and registrar FQDN"},
};

constexpr std::string_view kPools = "Front End / Front End pool / Director / Director pool";

// Seed 001, "Port summary - Reverse proxy".
constexpr std::array kReverseProxyPorts = {
    ReverseProxyPort{ProxyInterface::External, "HTTP", "TCP", 80, "any",
                     "optional: redirect to HTTPS; also needed for Office Web Apps for "
                     "conferencing and for mobile autodiscover where the external web publishing "
                     "certificate is not changed"},
    ReverseProxyPort{ProxyInterface::External, "HTTPS", "TCP", 443, "any",
                     "address book download, address book web query, autodiscover, client "
                     "updates, meeting content, device updates, group expansion, Office Web Apps "
                     "for conferencing, dial-in conferencing, meetings"},
    ReverseProxyPort{ProxyInterface::Internal, "HTTP", "TCP", 8080, kPools,
                     "traffic sent to external port 80 is forwarded to the pool on 8080 so the "
                     "pool's web services can tell it from internal web traffic; needed for "
                     "mobile autodiscover without a certificate change"},
    ReverseProxyPort{ProxyInterface::Internal, "HTTPS", "TCP", 4443, kPools,
                     "traffic sent to external 443 is forwarded to 4443 so the pool's web "
                     "services can tell it from internal web traffic (not the 4443 of the "
                     "server holding the Central Management Store)"},
    ReverseProxyPort{ProxyInterface::Internal, "HTTPS", "TCP", 443, "Office Web Apps Server",
                     "Office Web Apps Server"},
};

constexpr std::string_view kFedIm = "federated and public IM connectivity using SIP";
constexpr std::string_view kPubAv = "required for public IM connectivity with A/V";
constexpr std::string_view kEdgeAccess = "Edge Access interface";
constexpr std::string_view kPartners = "public IM connectivity partners";

// Seed 004, "SIP federation, public IM connectivity and XMPP".
constexpr std::array kFederationPorts = {
    FederationPort{"Access/SIP (MTLS)/TCP/5061", "Access", "SIP (MTLS)", "TCP", one(5061),
                   "Access Edge public IP", "any", kFedIm},
    FederationPort{"Access/SIP (MTLS)/TCP/5061", "Access", "SIP (MTLS)", "TCP", one(5061),
                   kPartners, kEdgeAccess, kFedIm},
    FederationPort{"Access/SIP (MTLS)/TCP/5061", "Access", "SIP (MTLS)", "TCP", one(5061),
                   kEdgeAccess, kPartners, kFedIm},
    FederationPort{"Access/SIP (TLS)/TCP/443", "Access", "SIP (TLS)", "TCP", one(443), "clients",
                   kEdgeAccess, "client-to-server SIP for external user access"},
    FederationPort{"A/V/RTP/TCP/50000-59999", "A/V", "RTP", "TCP", range(50000, 59999), kEdgeAccess,
                   "Live Messenger clients", "A/V sessions with public IM users"},
    FederationPort{"A/V/STUN,MSTURN/UDP/3478", "A/V", "STUN,MSTURN", "UDP", one(3478), kEdgeAccess,
                   "Live Messenger clients", kPubAv},
    FederationPort{"A/V/STUN,MSTURN/UDP/3478", "A/V", "STUN,MSTURN", "UDP", one(3478),
                   "Live Messenger clients", kEdgeAccess, kPubAv},
    FederationPort{"XMPP/TCP/5269", "XMPP", "", "TCP", one(5269), "any", "Access Edge interface",
                   "standard XMPP server-to-server port: from federated XMPP partners to the "
                   "Edge's XMPP proxy"},
    FederationPort{"XMPP/TCP/5269", "XMPP", "", "TCP", one(5269), "Access Edge interface", "any",
                   "from the Edge's XMPP proxy to federated XMPP partners"},
    FederationPort{"XMPP/MTLS/23456", "XMPP", "MTLS", "TCP", one(23456), "any",
                   "internal Edge interface",
                   "internal XMPP traffic from the XMPP gateway on the Front End (pool) to the "
                   "Edge"},
};

}  // namespace

std::span<const ServerPort> server_ports() { return kServerPorts; }
std::span<const LoadBalancerPort> load_balancer_ports() { return kLoadBalancerPorts; }
std::span<const ClientPort> client_ports() { return kClientPorts; }
std::span<const ReverseProxyPort> reverse_proxy_ports() { return kReverseProxyPorts; }
std::span<const FederationPort> federation_ports() { return kFederationPorts; }

const ServerPort* find_server_port(std::string_view listener_key) {
  if (listener_key.empty()) return nullptr;
  for (const auto& row : kServerPorts) {
    if (row.listener_key == listener_key) return &row;
  }
  return nullptr;
}

std::string_view to_string(LoadBalancing m) {
  return m == LoadBalancing::HardwareOnly ? "hardware-only" : "dns";
}

std::string_view to_string(ProxyInterface i) {
  return i == ProxyInterface::External ? "external" : "internal";
}

}  // namespace parley::topology
