#include "topology/catalogue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace parley::topology {
namespace {

// Row counts taken from shared/PORTS.md (one per table row or list entry).
constexpr std::size_t kSeedServerRows = 51;
constexpr std::size_t kHardwareOnlyRows =
    20;                              // FE pool 14, Mediation 1, FE+Mediation 1, Director 4
constexpr std::size_t kDnsRows = 6;  // FE pool 4, Director 2
constexpr std::size_t kClientRows = 12;
constexpr std::size_t kReverseProxyExternal = 2;
constexpr std::size_t kReverseProxyInternal = 3;
constexpr std::size_t kFederationRows = 10;

TEST(Catalogue, ServerTableHasEverySeedRowPlusTheUdpExtension) {
  auto rows = server_ports();
  auto seed =
      std::count_if(rows.begin(), rows.end(), [](const auto& r) { return !r.parley_extension; });
  auto ext =
      std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.parley_extension; });
  EXPECT_EQ(static_cast<std::size_t>(seed), kSeedServerRows);
  EXPECT_EQ(ext, 1);
}

TEST(Catalogue, LoadBalancerListsMatchTheSeed) {
  auto rows = load_balancer_ports();
  auto hw = std::count_if(rows.begin(), rows.end(),
                          [](const auto& r) { return r.mode == LoadBalancing::HardwareOnly; });
  auto dns = std::count_if(rows.begin(), rows.end(),
                           [](const auto& r) { return r.mode == LoadBalancing::Dns; });
  EXPECT_EQ(static_cast<std::size_t>(hw), kHardwareOnlyRows);
  EXPECT_EQ(static_cast<std::size_t>(dns), kDnsRows);
  // Hardware-only rows come first.
  EXPECT_TRUE(std::is_partitioned(rows.begin(), rows.end(), [](const auto& r) {
    return r.mode == LoadBalancing::HardwareOnly;
  }));

  std::set<std::uint16_t> dir_dns;
  for (const auto& r : rows) {
    if (r.mode == LoadBalancing::Dns && r.load_balancer == "Director pool") dir_dns.insert(r.port);
  }
  EXPECT_EQ(dir_dns, (std::set<std::uint16_t>{443, 4443}));
}

TEST(Catalogue, OtherTableCounts) {
  EXPECT_EQ(client_ports().size(), kClientRows);
  auto rp = reverse_proxy_ports();
  EXPECT_EQ(std::count_if(rp.begin(), rp.end(),
                          [](const auto& r) { return r.interface == ProxyInterface::External; }),
            static_cast<long>(kReverseProxyExternal));
  EXPECT_EQ(std::count_if(rp.begin(), rp.end(),
                          [](const auto& r) { return r.interface == ProxyInterface::Internal; }),
            static_cast<long>(kReverseProxyInternal));
  EXPECT_EQ(federation_ports().size(), kFederationRows);
}

TEST(Catalogue, FrontEndSipTlsRow) {
  const ServerPort* row = find_server_port("frontend.sip-tls");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->role, "Front End");
  EXPECT_EQ(row->service, "Front-End service");
  EXPECT_EQ(row->ports.low, 5061);
  EXPECT_TRUE(row->ports.single());
  EXPECT_EQ(row->protocol, "TCP (TLS)");
  EXPECT_TRUE(row->protocols().has(Protocol::Tcp));
  EXPECT_TRUE(row->protocols().has(Protocol::Tls));
  EXPECT_FALSE(row->protocols().has(Protocol::Udp));
  EXPECT_FALSE(row->parley_extension);
}

TEST(Catalogue, UdpRowIsAMarkedExtension) {
  const ServerPort* row = find_server_port("frontend.sip-udp");
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(row->parley_extension);
  EXPECT_EQ(row->role, "Front End");
  EXPECT_EQ(row->service, "Front-End service (standard SIP clients)");
  EXPECT_EQ(row->ports.low, 5060);
  EXPECT_EQ(row->protocol, "UDP");
  EXPECT_NE(row->purpose.find("Lync itself has no UDP"), std::string_view::npos);
}

TEST(Catalogue, SampleServerRows) {
  auto rows = server_ports();
  auto find = [&](std::string_view service, std::uint16_t port) -> const ServerPort* {
    for (const auto& r : rows) {
      if (r.service == service && r.ports.low == port) return &r;
    }
    return nullptr;
  };
  const ServerPort* av = find("A/V Conferencing service", 57501);
  ASSERT_NE(av, nullptr);
  EXPECT_EQ(av->ports.high, 65535);
  EXPECT_TRUE(av->protocols().has(Protocol::Tcp));
  EXPECT_TRUE(av->protocols().has(Protocol::Udp));

  const ServerPort* dcom = find("Front-End service", 135);
  ASSERT_NE(dcom, nullptr);
  EXPECT_EQ(dcom->protocols(), ProtocolSet().with(Protocol::Dcom).with(Protocol::Rpc));

  const ServerPort* callpark = find("Call Park service", 5075);
  ASSERT_NE(callpark, nullptr);
  EXPECT_EQ(callpark->role, "Front End");

  const ServerPort* wcf = find("Persistent Chat Windows Communication Foundation (WCF)", 881);
  ASSERT_NE(wcf, nullptr);
  EXPECT_TRUE(wcf->protocols().has(Protocol::Tls));
  EXPECT_TRUE(wcf->protocols().has(Protocol::Mtls));

  // The first and last rows of the seed table.
  EXPECT_EQ(rows.front().service, "SQL Browser");
  EXPECT_EQ(rows.front().ports.low, 1434);
  EXPECT_EQ(rows.back().service, "Persistent Chat File Transfer service");
  EXPECT_EQ(rows.back().ports.low, 443);
}

TEST(Catalogue, ListenerKeysAreUnique) {
  std::set<std::string_view> keys;
  for (const auto& r : server_ports()) {
    if (!r.listener_key.empty()) {
      EXPECT_TRUE(keys.insert(r.listener_key).second) << r.listener_key;
    }
  }
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_EQ(find_server_port(""), nullptr);
  EXPECT_EQ(find_server_port("frontend.nope"), nullptr);
}

TEST(Catalogue, RangesAreOrdered) {
  for (const auto& r : server_ports()) EXPECT_LE(r.ports.low, r.ports.high) << r.service;
  for (const auto& r : client_ports()) EXPECT_LE(r.ports.low, r.ports.high) << r.purpose;
  for (const auto& r : federation_ports()) EXPECT_LE(r.ports.low, r.ports.high) << r.label;
}

TEST(Catalogue, ClientAndFederationSamples) {
  auto clients = client_ports();
  EXPECT_EQ(clients[0].ports.low, 67);
  EXPECT_EQ(clients[0].ports.high, 68);
  EXPECT_TRUE(clients[0].protocols().has(Protocol::Dhcp));
  EXPECT_EQ(clients[4].ports.low, 3478);
  EXPECT_TRUE(clients[4].protocols().has(Protocol::Udp));
  EXPECT_TRUE(clients[4].protocols().has(Protocol::Msturn));

  auto fed = federation_ports();
  EXPECT_EQ(fed[0].label, "Access/SIP (MTLS)/TCP/5061");
  EXPECT_EQ(fed[0].ports.low, 5061);
  EXPECT_EQ(fed[0].protocols(),
            ProtocolSet().with(Protocol::Sip).with(Protocol::Mtls).with(Protocol::Tcp));
  EXPECT_EQ(fed[4].ports.low, 50000);
  EXPECT_EQ(fed[4].ports.high, 59999);
  EXPECT_EQ(fed[9].ports.low, 23456);
  EXPECT_TRUE(fed[9].protocols().has(Protocol::Xmpp));

  auto rp = reverse_proxy_ports();
  EXPECT_EQ(rp[0].port, 80);
  EXPECT_EQ(rp[3].port, 4443);
  EXPECT_EQ(to_string(rp[3].interface), "internal");
  EXPECT_EQ(to_string(LoadBalancing::Dns), "dns");
}

TEST(Protocols, ParsesSeedText) {
  static_assert(parse_protocols("TCP (TLS)").has(Protocol::Tls));
  EXPECT_EQ(parse_protocols("HTTPS, TCP"), ProtocolSet().with(Protocol::Https).with(Protocol::Tcp));
  EXPECT_EQ(parse_protocols("tcp/udp"), ProtocolSet().with(Protocol::Tcp).with(Protocol::Udp));
  EXPECT_EQ(parse_protocols("TCP and HTTP"),
            ProtocolSet().with(Protocol::Tcp).with(Protocol::Http));
  EXPECT_TRUE(parse_protocols("").empty());
  EXPECT_TRUE(parse_protocols("various things").empty());
  // "HTTPS" is not "HTTP".
  EXPECT_FALSE(parse_protocols("HTTPS").has(Protocol::Http));
}

}  // namespace
}  // namespace parley::topology
