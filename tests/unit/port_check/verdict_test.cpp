// judge(): the verdict rules of port_check.hpp on hand-made facts.
#include <gtest/gtest.h>

#include "topology/check/detail.hpp"

namespace parley::check::detail {
namespace {

using std::chrono::days;
using Clock = std::chrono::system_clock;

const Clock::time_point kNow = Clock::now();

PortReport tls_report(long days_left, bool verified = true, bool name_matches = true) {
  PortReport r;
  r.target = Target{
      .label = "t", .port = 5061, .transport = Transport::Tls, .sip = false, .required = true};
  r.state = PortState::Open;
  CertificateInfo c;
  c.not_before = kNow - days(1);
  c.not_after = kNow + days(days_left) + std::chrono::hours(1);
  c.days_left = days_left;
  c.verified = verified;
  c.verify_error = verified ? "" : "unable to get local issuer certificate";
  c.checked_name = "sip.example.com";
  c.name_matches = name_matches;
  r.tls = TlsResult{.ok = true, .error = {}, .version = "TLSv1.3", .cipher = "X", .certificate = c};
  return r;
}

Options with_ca() {
  Options o;
  o.host = "sip.example.com";
  o.ca = "/etc/ca.crt";
  return o;
}

TEST(Judge, HealthyTlsIsOk) {
  PortReport r = tls_report(200);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Ok);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(r.failures.empty());
}

TEST(Judge, ExpiryWarningThreshold) {
  PortReport r = tls_report(29);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "certificate expires in 29 days");

  r = tls_report(30);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Ok);

  Options o = with_ca();
  o.expiry_warning = days(60);
  judge(o, kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Warn);

  r = tls_report(0);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.warnings.at(0), "certificate expires in less than a day");
}

TEST(Judge, NotYetValidFails) {
  PortReport r = tls_report(100);
  r.tls->certificate->not_before = kNow + days(2);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.failures.at(0), "certificate not valid before " + format_date(kNow + days(2)));
}

TEST(Judge, VerificationAndNames) {
  PortReport r = tls_report(100, false, false);
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.failures.at(0),
            "certificate not verified against /etc/ca.crt: unable to get local issuer certificate");
  EXPECT_EQ(r.warnings.at(0), "certificate does not name sip.example.com");

  Options no_ca = with_ca();
  no_ca.ca.clear();
  r = tls_report(100, false, true);
  judge(no_ca, kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_EQ(r.warnings.at(0), "certificate not verified (no CA given)");
}

TEST(Judge, OptionsOutcomes) {
  PortReport r;
  r.target = Target{
      .label = "t", .port = 5060, .transport = Transport::Tcp, .sip = true, .required = true};
  r.state = PortState::Open;
  r.options = OptionsResult{};
  r.options->error = "no final response within 3000 ms";
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.failures.at(0), "no answer to SIP OPTIONS: no final response within 3000 ms");

  r.options->answered = true;
  r.options->status = 403;
  r.options->reason = "Forbidden";
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_EQ(r.warnings.at(0), "SIP OPTIONS answered 403 Forbidden");

  r.options->status = 202;
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Ok);
}

TEST(Judge, UdpNoReplyIsOneFailure) {
  PortReport r;
  r.target = Target{
      .label = "t", .port = 5060, .transport = Transport::Udp, .sip = true, .required = true};
  r.state = PortState::NoReply;
  r.detail = "nothing came back within 300 ms";
  r.options = OptionsResult{};
  r.options->error = "no final response within 300 ms";
  judge(with_ca(), kNow, r);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.failures, std::vector<std::string>{"no reply: nothing came back within 300 ms"});
}

}  // namespace
}  // namespace parley::check::detail
