#include "topology/listeners.hpp"

#include <gtest/gtest.h>

namespace parley::topology {
namespace {

const ListenerSpec* find(const std::vector<ListenerSpec>& specs, std::string_view key) {
  for (const auto& s : specs) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

TEST(Listeners, EveryDefinitionHasACatalogueRow) {
  for (const auto& def : listener_defs()) {
    const ServerPort* row = find_server_port(def.key);
    ASSERT_NE(row, nullptr) << def.key;
    EXPECT_EQ(&def.row(), row);
  }
  ASSERT_NE(find_listener("frontend.sip-tcp"), nullptr);
  EXPECT_EQ(find_listener("frontend.sip-tcp")->transport, sip::Transport::Tcp);
  EXPECT_EQ(find_listener("bogus"), nullptr);
}

TEST(Listeners, DefaultsComeFromTheCatalogue) {
  config::Config cfg;
  auto specs = listener_specs(cfg);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].key, "frontend.sip-udp");
  EXPECT_EQ(specs[1].key, "frontend.sip-tcp");
  EXPECT_EQ(specs[2].key, "frontend.sip-tls");

  const ListenerSpec* tls = find(specs, "frontend.sip-tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->role, "Front End");
  EXPECT_EQ(tls->service, "Front-End service");
  EXPECT_EQ(tls->transport, sip::Transport::Tls);
  EXPECT_EQ(tls->address, "0.0.0.0");
  EXPECT_EQ(tls->port, 5061);
  EXPECT_EQ(tls->catalogue_port, 5061);

  const ListenerSpec* udp = find(specs, "frontend.sip-udp");
  ASSERT_NE(udp, nullptr);
  EXPECT_EQ(udp->transport, sip::Transport::Udp);
  EXPECT_EQ(udp->port, 5060);
  EXPECT_EQ(udp->service, "Front-End service (standard SIP clients)");
}

TEST(Listeners, OverridesApply) {
  config::Config cfg;
  cfg.default_address = "127.0.0.1";
  cfg.listeners["frontend.sip-tls"].port = 0;
  cfg.listeners["frontend.sip-tls"].address = "::1";
  cfg.listeners["frontend.sip-udp"].enabled = false;
  cfg.listeners["frontend.sip-tcp"].port = 15060;

  auto specs = listener_specs(cfg);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(find(specs, "frontend.sip-udp"), nullptr);

  const ListenerSpec* tcp = find(specs, "frontend.sip-tcp");
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(tcp->address, "127.0.0.1");
  EXPECT_EQ(tcp->port, 15060);
  EXPECT_EQ(tcp->catalogue_port, 5060);

  const ListenerSpec* tls = find(specs, "frontend.sip-tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->address, "::1");
  EXPECT_EQ(tls->port, 0);
}

TEST(Listeners, StartupLine) {
  config::Config cfg;
  auto specs = listener_specs(cfg);
  const ListenerSpec* tls = find(specs, "frontend.sip-tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(startup_line(*tls),
            "listening: Front End / Front-End service 5061/TLS on 0.0.0.0:5061 (frontend.sip-tls)");

  ListenerSpec any = *find(specs, "frontend.sip-udp");
  any.address = "::1";
  any.port = 0;
  EXPECT_EQ(startup_line(any, 40000),
            "listening: Front End / Front-End service (standard SIP clients) 5060/UDP on "
            "[::1]:40000 (frontend.sip-udp)");
}

TEST(Listeners, FormatEndpoint) {
  EXPECT_EQ(format_endpoint("192.0.2.1", 5060), "192.0.2.1:5060");
  EXPECT_EQ(format_endpoint("2001:db8::1", 5061), "[2001:db8::1]:5061");
  EXPECT_EQ(transport_label(sip::Transport::Tcp), "TCP");
}

}  // namespace
}  // namespace parley::topology
