#include "topology/deployment.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "config/config.hpp"
#include "topology/firewall.hpp"
#include "topology/port_plan.hpp"

namespace parley::topology {
namespace {

const ServerPort& row_at(std::uint16_t port, std::string_view role, std::string_view protocol) {
  for (const auto& r : server_ports()) {
    if (r.ports.low == port && r.role == role && r.protocol == protocol) return r;
  }
  ADD_FAILURE() << "no row " << port << " " << role << " " << protocol;
  return server_ports().front();
}

TEST(Roles, TokensRoundTrip) {
  for (Role r : all_roles()) {
    EXPECT_EQ(parse_role(to_token(r)), r);
    EXPECT_FALSE(to_title(r).empty());
  }
  EXPECT_FALSE(parse_role("Front-End").has_value());
  EXPECT_FALSE(parse_role("").has_value());
  EXPECT_TRUE(is_server_role(Role::Edge));
  EXPECT_FALSE(is_server_role(Role::ReverseProxy));
}

TEST(Topology, StandardEditionRunsTheFrontEndWithCmsAndMediation) {
  Topology t = make_topology({"standard-edition"}, true, std::nullopt);
  EXPECT_TRUE(t.standard_edition);
  EXPECT_EQ(t.roles, std::vector<Role>{Role::FrontEnd});
  EXPECT_TRUE(t.central_management_store);
  EXPECT_TRUE(needs(t, row_at(445, "Front End holding the Central Management Store", "TCP")));
  EXPECT_TRUE(needs(t, row_at(5070, "Front End with collocated Mediation", "TCP")));
  EXPECT_TRUE(needs(t, row_at(1434, "all servers", "UDP")));
  EXPECT_FALSE(needs(t, row_at(5041, "Persistent Chat Front End", "TCP (MTLS)")));
  EXPECT_FALSE(needs(t, row_at(5061, "Director", "TCP")));
  // No pool: neither load-balancer list applies.
  for (const auto& lb : load_balancer_ports()) EXPECT_FALSE(needs(t, lb));
}

TEST(Topology, EnterprisePoolConditions) {
  Topology t = make_topology({"front-end", "director"}, false, LoadBalancing::Dns);
  EXPECT_FALSE(t.standard_edition);
  EXPECT_FALSE(t.central_management_store);
  EXPECT_FALSE(needs(t, row_at(445, "Front End holding the Central Management Store", "TCP")));
  EXPECT_FALSE(needs(t, row_at(5070, "Front End with collocated Mediation", "TCP")));
  EXPECT_TRUE(needs(t, row_at(5061, "Director", "TCP")));
  int dns = 0, hw = 0;
  for (const auto& lb : load_balancer_ports()) {
    if (needs(t, lb)) (lb.mode == LoadBalancing::Dns ? dns : hw)++;
  }
  EXPECT_EQ(dns, 6);  // FE pool 4 + Director pool 2: the whole DNS list
  EXPECT_EQ(hw, 0);

  Topology hwt = make_topology({"front-end"}, true, LoadBalancing::HardwareOnly);
  int fe = 0;
  for (const auto& lb : load_balancer_ports()) {
    if (needs(hwt, lb)) ++fe;
  }
  EXPECT_EQ(fe, 15);  // the FE pool's 14 plus 5070 for a pool also running Mediation
}

TEST(Topology, RejectsWhatCannotBe) {
  EXPECT_THROW(make_topology({}, true, std::nullopt), std::invalid_argument);
  EXPECT_THROW(make_topology({"standard-edition", "front-end"}, true, std::nullopt),
               std::invalid_argument);
  EXPECT_THROW(make_topology({"standard-edition"}, true, LoadBalancing::Dns),
               std::invalid_argument);
  EXPECT_THROW(make_topology({"clients"}, true, std::nullopt), std::invalid_argument);
  Topology t = make_topology({"edge", "edge", "mediation"}, true, std::nullopt);
  EXPECT_EQ(t.roles, (std::vector<Role>{Role::Mediation, Role::Edge}));
}

TEST(Topology, EveryServerRowBelongsToARole) {
  for (const auto& r : server_ports()) EXPECT_FALSE(roles_of(r).empty()) << r.role;
  EXPECT_EQ(roles_of(row_at(49152, "all internal servers", "TCP/UDP")),
            (std::vector<Role>{Role::FrontEnd, Role::Mediation}));
}

config::Config config_with(std::vector<std::string> roles) {
  config::Config cfg;
  cfg.topology = make_topology(roles, true, std::nullopt);
  return cfg;
}

TEST(PortPlan, StatusesOfAStandardEdition) {
  config::Config cfg;
  cfg.listeners["frontend.sip-udp"].enabled = false;
  cfg.listeners["frontend.sip-tls"].port = 15061;
  cfg.listeners["frontend.sip-tls"].address = "127.0.0.1";
  PortPlan plan(cfg);
  EXPECT_EQ(plan.status(*find_server_port("frontend.sip-tcp")), Status::Enabled);
  EXPECT_EQ(plan.status(*find_server_port("frontend.sip-udp")), Status::Disabled);
  const ListenerSpec* tls = plan.listener(*find_server_port("frontend.sip-tls"));
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->port, 15061);
  EXPECT_EQ(plan.status(row_at(5062, "Front End", "TCP")), Status::NotImplemented);
  EXPECT_EQ(plan.status(row_at(5061, "Director", "TCP")), Status::NotInTopology);
  EXPECT_EQ(plan.status(federation_ports()[0]), Status::NotInTopology);
  EXPECT_EQ(plan.status(client_ports()[0]), Status::External);
  EXPECT_EQ(plan.status(reverse_proxy_ports()[0]), Status::External);
  EXPECT_EQ(plan.listeners().size(), 2u);
}

TEST(PortPlan, AnEdgeOnlyTopologyOpensNoFrontEndListener) {
  PortPlan plan(config_with({"edge"}));
  EXPECT_TRUE(plan.listeners().empty());
  EXPECT_EQ(plan.status(*find_server_port("frontend.sip-tls")), Status::NotInTopology);
  EXPECT_EQ(plan.status(federation_ports()[1]), Status::NotImplemented);
  EXPECT_EQ(plan.status(reverse_proxy_ports()[0]), Status::NotInTopology);
}

TEST(Firewall, ServedRulesAreTheOpenListenersAtTheirConfiguredPorts) {
  config::Config cfg;
  cfg.listeners["frontend.sip-tls"].port = 15061;
  cfg.listeners["frontend.sip-tls"].address = "127.0.0.1";
  cfg.listeners["frontend.sip-udp"].port = 0;  // kernel's choice: no port to name
  PortPlan plan(cfg);
  auto open = openings(plan, {});
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].proto, L4::Tcp);
  EXPECT_EQ(open[0].ports.low, 5060);
  EXPECT_EQ(open[0].address, "");
  EXPECT_EQ(open[1].ports.low, 15061);
  EXPECT_EQ(open[1].address, "127.0.0.1");
  EXPECT_NE(open[1].label.find("Front-End service 15061 TCP (TLS)"), std::string::npos);

  std::string nft = firewall_rules(plan, {});
  EXPECT_NE(nft.find("policy drop;"), std::string::npos);
  EXPECT_NE(nft.find("ip daddr 127.0.0.1 tcp dport 15061 accept comment \""), std::string::npos);
  EXPECT_EQ(nft.find("5062"), std::string::npos);  // not served: not opened
}

TEST(Firewall, DocumentedRulesCoverTheRoleAndSkipOutboundRows) {
  PortPlan plan{config::Config{}};
  FirewallOptions o;
  o.documented = true;
  auto open = openings(plan, o);
  auto has = [&](L4 p, std::uint16_t lo, std::uint16_t hi) {
    for (const auto& op : open) {
      if (op.proto == p && op.ports.low == lo && op.ports.high == hi) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(L4::Tcp, 5062, 5062));
  EXPECT_TRUE(has(L4::Tcp, 57501, 65535));
  EXPECT_TRUE(has(L4::Udp, 57501, 65535));
  EXPECT_TRUE(has(L4::Udp, 1434, 1434));
  EXPECT_TRUE(has(L4::Tcp, 445, 445));     // the CMS holder: Standard Edition
  EXPECT_FALSE(has(L4::Tcp, 5081, 5081));  // outgoing, to the PSTN gateway
  EXPECT_FALSE(has(L4::Tcp, 5041, 5041));  // Persistent Chat: not this topology
  // 443 is in three Front End rows (Web Compatibility, Mobility): one rule, every purpose.
  int rules443 = 0;
  for (const auto& op : open) {
    if (op.proto == L4::Tcp && op.ports.low == 443) {
      ++rules443;
      EXPECT_GE(op.reasons.size(), 1u);
    }
  }
  EXPECT_EQ(rules443, 1);

  FirewallOptions edge;
  edge.documented = true;
  edge.role = Role::Edge;
  edge.target = FirewallTarget::Iptables;
  std::string ipt = firewall_rules(plan, edge);
  EXPECT_NE(ipt.find("-A INPUT -p tcp -m tcp --dport 5269 "), std::string::npos);
  EXPECT_NE(ipt.find("-A INPUT -p udp -m udp --dport 3478 "), std::string::npos);
  EXPECT_NE(ipt.find("-A INPUT -p tcp -m tcp --dport 23456 "), std::string::npos);
  EXPECT_NE(ipt.find("# Outbound"), std::string::npos);
  EXPECT_NE(ipt.find("COMMIT\n"), std::string::npos);

  FirewallOptions clients;
  clients.role = Role::Clients;
  EXPECT_THROW(openings(plan, clients), std::invalid_argument);
}

TEST(Firewall, CommentsStayShortAndQuoteFree) {
  PortPlan plan{config::Config{}};
  FirewallOptions o;
  o.documented = true;
  std::string nft = firewall_rules(plan, o);
  std::size_t pos = 0;
  int comments = 0;
  while ((pos = nft.find("comment \"", pos)) != std::string::npos) {
    pos += 9;
    auto end = nft.find('"', pos);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - pos, 128u);
    EXPECT_EQ(nft[end + 1], '\n');
    ++comments;
  }
  EXPECT_GT(comments, 30);
}

TEST(Firewall, ExtraPorts) {
  auto ssh = parse_extra_port("22/tcp");
  ASSERT_TRUE(ssh.has_value());
  EXPECT_EQ(ssh->ports.low, 22);
  EXPECT_EQ(ssh->proto, L4::Tcp);
  auto range = parse_extra_port("60000-60100/udp");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->ports.high, 60100);
  for (auto bad : {"22", "22/sctp", "0/tcp", "70000/tcp", "9-3/udp", "a/tcp", "22 /tcp", ""}) {
    EXPECT_FALSE(parse_extra_port(bad).has_value()) << bad;
  }
  PortPlan plan{config::Config{}};
  FirewallOptions o;
  o.allow.push_back(*ssh);
  o.target = FirewallTarget::Ip6tables;
  std::string r = firewall_rules(plan, o);
  EXPECT_NE(r.find("-A INPUT -p tcp -m tcp --dport 22 "), std::string::npos);
  EXPECT_NE(r.find("-p ipv6-icmp"), std::string::npos);
}

}  // namespace
}  // namespace parley::topology
