// format_report and passed on hand-made reports.
#include <gtest/gtest.h>

#include "topology/check/detail.hpp"

namespace parley::check {
namespace {

using namespace std::chrono_literals;

std::vector<PortReport> sample(Options& o) {
  o.host = "127.0.0.1";
  o.ca = "/tmp/ca.crt";
  o.timeout = 3000ms;
  const auto now = std::chrono::system_clock::now();

  PortReport tls;
  tls.target = Target{.label = "Front End / Front-End service (frontend.sip-tls)",
                      .port = 5061,
                      .transport = Transport::Tls,
                      .sip = true,
                      .required = true};
  tls.address = "127.0.0.1";
  tls.state = PortState::Open;
  CertificateInfo c;
  c.subject = "CN=localhost";
  c.issuer = "CN=Parley CA,O=Parley";
  c.subject_alt_names = {"DNS:localhost", "IP:127.0.0.1"};
  c.not_before = now - 24h;
  c.not_after = now + 24h * 365 - 1h;
  c.days_left = 364;
  c.verified = true;
  c.checked_name = "127.0.0.1";
  c.name_matches = true;
  tls.tls = TlsResult{.ok = true,
                      .error = {},
                      .version = "TLSv1.3",
                      .cipher = "TLS_AES_256_GCM_SHA384",
                      .certificate = c};
  OptionsResult ok;
  ok.answered = true;
  ok.status = 200;
  ok.reason = "OK";
  ok.round_trip = 1234us;
  ok.server = "parley/0.1.0";
  tls.options = ok;

  PortReport closed;
  closed.target = Target{.label = "Front End / Front-End service (frontend.sip-tcp)",
                         .port = 5060,
                         .transport = Transport::Tcp,
                         .sip = true,
                         .required = true};
  closed.address = "127.0.0.1";
  closed.state = PortState::Closed;
  closed.detail = "Connection refused";

  PortReport udp;
  udp.target = Target{.label = "A/V (media)",
                      .port = 3478,
                      .transport = Transport::Udp,
                      .sip = false,
                      .required = false};
  udp.address = "127.0.0.1";
  udp.state = PortState::NotProbed;
  udp.detail = "UDP port: not probed without a protocol to speak";

  std::vector<PortReport> reports{tls, closed, udp};
  for (auto& r : reports) detail::judge(o, now, r);
  return reports;
}

TEST(FormatReport, BlocksSummaryAndResult) {
  Options o;
  auto reports = sample(o);
  std::string text = format_report(o, reports);
  EXPECT_NE(
      text.find("5061/TLS  Front End / Front-End service (frontend.sip-tls)  OPEN  127.0.0.1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("    TLS: TLSv1.3 TLS_AES_256_GCM_SHA384\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    certificate: subject CN=localhost; issuer CN=Parley CA,O=Parley; "
                      "SAN DNS:localhost, IP:127.0.0.1; expires "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" (364 days); verified; name matches\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    SIP OPTIONS: 200 OK in 1.2 ms (Server: parley/0.1.0)\n    ok\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("5060/TCP  Front End / Front-End service (frontend.sip-tcp)  CLOSED  "
                      "127.0.0.1  Connection refused\n"
                      "    FAIL: port closed: Connection refused\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3478/UDP  A/V (media)"), std::string::npos) << text;
  EXPECT_NE(
      text.find(
          "NOT PROBED  127.0.0.1  UDP port: not probed without a protocol to speak\n    ok\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "3 ports checked: 2 ok, 0 warnings, 1 failed\nresult: FAIL (1 required port failed)\n"),
      std::string::npos)
      << text;
  EXPECT_FALSE(passed(reports));
}

TEST(FormatReport, InformationalFailuresPass) {
  Options o;
  auto reports = sample(o);
  reports[1].target.required = false;
  std::string text = format_report(o, reports);
  EXPECT_NE(text.find("FAIL: port closed: Connection refused (informational)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("result: PASS (1 informational failure)"), std::string::npos) << text;
  EXPECT_TRUE(passed(reports));
}

TEST(FormatReport, PeerTextCannotDriveTheTerminal) {
  Options o;
  auto reports = sample(o);
  reports[0].options->server = "evil\x1b[2J\r\nFAKE: line";
  reports[0].tls->certificate->subject_alt_names.push_back("DNS:a\nb");
  std::string text = format_report(o, reports);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("(Server: evil\\x1b[2J\\x0d\\x0aFAKE: line)"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:a\\x0ab"), std::string::npos) << text;
}

TEST(FormatReport, WarningsAndNoCa) {
  Options o;
  auto reports = sample(o);
  o.ca.clear();
  reports.resize(1);
  reports[0].tls->certificate->verified = false;
  detail::judge(o, std::chrono::system_clock::now(), reports[0]);
  std::string text = format_report(o, reports);
  EXPECT_NE(text.find("; not verified (no CA given); name matches"), std::string::npos) << text;
  EXPECT_NE(text.find("    WARN: certificate not verified (no CA given)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("1 port checked: 0 ok, 1 warnings, 0 failed\nresult: PASS\n"),
            std::string::npos)
      << text;
}

TEST(Passed, EmptyIsAPass) { EXPECT_TRUE(passed({})); }

}  // namespace
}  // namespace parley::check
