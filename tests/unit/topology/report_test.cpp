#include "topology/report.hpp"

#include <gtest/gtest.h>

#include "topology/catalogue.hpp"
#include "config/config.hpp"

namespace parley::topology {
namespace {

std::size_t occurrences(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(Report, TableHasEverySectionAndListenerKeys) {
  std::string t = catalogue_table(PortPlan(config::Config{}));
  EXPECT_NE(t.find("Server ports, by role (seed 000)\n"), std::string::npos);
  EXPECT_NE(t.find("DNS load balancing"), std::string::npos);
  EXPECT_NE(t.find("Reverse proxy (seed 001)"), std::string::npos);
  EXPECT_NE(t.find("XMPP/MTLS/23456"), std::string::npos);
  EXPECT_NE(t.find("5061        TCP (TLS)                 Front End / Front-End service  "
                   "[frontend.sip-tls]  enabled 0.0.0.0:5061\n"),
            std::string::npos);
  EXPECT_NE(t.find("57501-65535 TCP/UDP"), std::string::npos);
  EXPECT_EQ(occurrences(t, "(Parley)"), 1u);
  std::size_t rows = server_ports().size() + load_balancer_ports().size() + client_ports().size() +
                     reverse_proxy_ports().size() + federation_ports().size();
  EXPECT_EQ(occurrences(t, "\n  "), rows);
}

TEST(Report, JsonHasEveryRow) {
  std::string j = catalogue_json(PortPlan(config::Config{}));
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.substr(j.size() - 2), "}\n");
  EXPECT_EQ(occurrences(j, "\"service\":"), server_ports().size());
  EXPECT_EQ(occurrences(j, "\"load_balancer\":"), load_balancer_ports().size());
  EXPECT_EQ(occurrences(j, "\"component\":"), client_ports().size());
  EXPECT_EQ(occurrences(j, "\"interface\":"), reverse_proxy_ports().size());
  EXPECT_EQ(occurrences(j, "\"label\":"), federation_ports().size());
  EXPECT_NE(j.find("\"port_low\":5061,\"port_high\":5061,\"protocol\":\"TCP (TLS)\""),
            std::string::npos);
  EXPECT_NE(j.find("\"listener\":\"frontend.sip-udp\",\"parley_extension\":true"),
            std::string::npos);
  EXPECT_EQ(occurrences(j, "\"listener\":\""), 3u);
  EXPECT_NE(j.find("\"mode\":\"dns\""), std::string::npos);
  // Every quotation mark inside a value is escaped: the quote count is even.
  std::size_t quotes = 0;
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (j[i] == '"' && (i == 0 || j[i - 1] != '\\')) ++quotes;
  }
  EXPECT_EQ(quotes % 2, 0u);
}

}  // namespace
}  // namespace parley::topology
