// run_checks against peers on 127.0.0.1: TCP, TLS and UDP, answering, refusing,
// silent and hostile.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "peers.hpp"
#include "sip/message.hpp"
#include "topology/check/port_check.hpp"

namespace parley::check {
namespace {

using namespace test;
using Clock = std::chrono::steady_clock;

Options loopback(std::chrono::milliseconds timeout = 2000ms) {
  Options o;
  o.host = "127.0.0.1";
  o.timeout = timeout;
  return o;
}

Target target(std::uint16_t port, Transport t, bool sip, bool required = true) {
  return Target{.label = "test", .port = port, .transport = t, .sip = sip, .required = required};
}

PortReport check_one(const Options& o, const Target& t) {
  auto reports = run_checks(o, {t});
  EXPECT_EQ(reports.size(), 1u);
  return reports.at(0);
}

bool contains(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::string header(const sip::Message& m, sip::HeaderId id) {
  const sip::Header* h = m.find(id);
  return h ? std::string(h->value) : std::string("(absent)");
}

// --- TCP

TEST(ProbeTcp, SipPeerAnswersOptionsWithTheMandatoryHeaders) {
  StreamPeer peer(Behaviour::Answer200);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tcp, true));
  EXPECT_EQ(r.state, PortState::Open);
  EXPECT_EQ(r.address, "127.0.0.1");
  ASSERT_TRUE(r.options);
  EXPECT_TRUE(r.options->answered) << r.options->error;
  EXPECT_EQ(r.options->status, 200);
  EXPECT_EQ(r.options->reason, "OK");
  EXPECT_EQ(r.options->server, kPeerServer);
  EXPECT_GT(r.options->round_trip.count(), 0);
  EXPECT_EQ(r.verdict, Verdict::Ok) << (r.failures.empty() ? "" : r.failures[0]);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(passed({r}));

  // RFC 3261 8.1.1 and 11: what the peer received.
  auto requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto parsed = sip::Message::parse(requests[0]);
  ASSERT_TRUE(std::holds_alternative<sip::Message>(parsed)) << requests[0];
  const auto& m = std::get<sip::Message>(parsed);
  EXPECT_EQ(m.method(), sip::Method::Options);
  EXPECT_EQ(m.request_uri().text,
            "sip:127.0.0.1:" + std::to_string(peer.port()) + ";transport=tcp");
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "TCP");
  EXPECT_EQ(via->host, "127.0.0.1");
  EXPECT_NE(via->port, 0);
  EXPECT_TRUE(via->rfc3261_branch());
  EXPECT_GT(via->branch().size(), 7u);
  EXPECT_TRUE(via->has_rport());
  EXPECT_EQ(m.max_forwards(), 70u);
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->uri.text, "sip:check@127.0.0.1");
  EXPECT_FALSE(from->tag().empty());
  auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.text, "sip:127.0.0.1:" + std::to_string(peer.port()));
  EXPECT_TRUE(to->tag().empty());
  EXPECT_GE(m.call_id().size(), 16u);
  auto cseq = m.cseq();
  ASSERT_TRUE(cseq);
  EXPECT_EQ(cseq->number, 1u);
  EXPECT_EQ(cseq->method, sip::Method::Options);
  EXPECT_EQ(header(m, sip::HeaderId::Accept), "application/sdp");
  EXPECT_EQ(header(m, sip::HeaderId::UserAgent), "parley-check");
  EXPECT_EQ(header(m, sip::HeaderId::ContentLength), "0");
  EXPECT_TRUE(m.body().empty());
}

TEST(ProbeTcp, ConnectOnlyWithoutSip) {
  StreamPeer peer(Behaviour::Silent);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tcp, false));
  EXPECT_EQ(r.state, PortState::Open);
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.verdict, Verdict::Ok);
}

TEST(ProbeTcp, ProvisionalResponseIsSkipped) {
  StreamPeer peer(Behaviour::Trying200);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tcp, true));
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->status, 200);
  EXPECT_EQ(r.verdict, Verdict::Ok);
}

TEST(ProbeTcp, NonSuccessAnswerIsAWarning) {
  StreamPeer peer(Behaviour::Answer404);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tcp, true));
  ASSERT_TRUE(r.options);
  EXPECT_TRUE(r.options->answered);
  EXPECT_EQ(r.options->status, 404);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_TRUE(contains(r.warnings, "404 Not Found"));
  EXPECT_TRUE(passed({r}));
}

TEST(ProbeTcp, NothingListeningIsClosed) {
  PortReport r = check_one(loopback(), target(unused_port(SOCK_STREAM), Transport::Tcp, true));
  EXPECT_EQ(r.state, PortState::Closed);
  EXPECT_EQ(r.detail, "Connection refused");
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "port closed"));
  EXPECT_FALSE(passed({r}));

  r.target.required = false;  // informational targets never fail the check
  EXPECT_TRUE(passed({r}));
}

TEST(ProbeTcp, UnansweredConnectIsFiltered) {
  FullBacklog listener;
  auto start = Clock::now();
  PortReport r = check_one(loopback(300ms), target(listener.port(), Transport::Tcp, false));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(r.state, PortState::Filtered) << r.detail;
  EXPECT_NE(r.detail.find("within 300 ms"), std::string::npos) << r.detail;
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2500ms);  // one 300 ms step, with room for a sanitizer build
}

TEST(ProbeTcp, SilentSipPeerFailsAfterTheTimeout) {
  StreamPeer peer(Behaviour::Silent);
  auto start = Clock::now();
  PortReport r = check_one(loopback(300ms), target(peer.port(), Transport::Tcp, true));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.options);
  EXPECT_FALSE(r.options->answered);
  EXPECT_EQ(r.options->error, "no final response within 300 ms");
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "no answer to SIP OPTIONS"));
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2500ms);  // one 300 ms step, with room for a sanitizer build
}

TEST(ProbeTcp, EndlessGarbageIsCutAt64KiB) {
  StreamPeer peer(Behaviour::Garbage);
  auto start = Clock::now();
  PortReport r = check_one(loopback(3000ms), target(peer.port(), Transport::Tcp, true));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.options);
  EXPECT_FALSE(r.options->answered);
  EXPECT_FALSE(r.options->error.empty());
  EXPECT_EQ(r.verdict, Verdict::Fail);
  // Bounded by the read cap, not by the deadline.
  EXPECT_LT(elapsed, 2000ms) << r.options->error;
}

// --- UDP

TEST(ProbeUdp, SipPeerAnswers) {
  DatagramPeer peer(Behaviour::Answer200);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Udp, true));
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->status, 200);
  EXPECT_EQ(r.options->server, kPeerServer);
  EXPECT_EQ(r.verdict, Verdict::Ok);

  auto requests = peer.requests();
  ASSERT_GE(requests.size(), 1u);
  auto parsed = sip::Message::parse(requests[0]);
  ASSERT_TRUE(std::holds_alternative<sip::Message>(parsed));
  const auto& m = std::get<sip::Message>(parsed);
  EXPECT_EQ(m.request_uri().text, "sip:127.0.0.1:" + std::to_string(peer.port()));
  ASSERT_TRUE(m.top_via());
  EXPECT_EQ(m.top_via()->transport, "UDP");
  EXPECT_TRUE(m.top_via()->has_rport());
}

TEST(ProbeUdp, TryingThenOk) {
  DatagramPeer peer(Behaviour::Trying200);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Udp, true));
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->status, 200);
  EXPECT_EQ(r.verdict, Verdict::Ok);
}

TEST(ProbeUdp, ClosedPortIsReportedByIcmp) {
  // Linux reports the ICMP port unreachable on loopback as ECONNREFUSED on the
  // connected socket.
  auto start = Clock::now();
  PortReport r = check_one(loopback(2000ms), target(unused_port(SOCK_DGRAM), Transport::Udp, true));
  EXPECT_EQ(r.state, PortState::Closed) << r.detail;
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "ICMP port unreachable"));
  EXPECT_LT(Clock::now() - start, 1000ms);
}

TEST(ProbeUdp, SilentPeerIsNoReply) {
  DatagramPeer peer(Behaviour::Silent);
  PortReport r = check_one(loopback(300ms), target(peer.port(), Transport::Udp, true));
  EXPECT_EQ(r.state, PortState::NoReply);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(r.failures.size(), 1u);
}

TEST(ProbeUdp, WithoutSipNotProbed) {
  PortReport r = check_one(loopback(), target(5060, Transport::Udp, false));
  EXPECT_EQ(r.state, PortState::NotProbed);
  EXPECT_EQ(r.detail, "UDP port: not probed without a protocol to speak");
  EXPECT_EQ(r.verdict, Verdict::Ok);
}

// --- TLS

TEST(ProbeTls, VerifiedCertificateAndOptions) {
  TestCa ca;
  StreamPeer peer(Behaviour::Answer200, ca.server_context());
  Options o = loopback();
  o.ca = ca.ca_file();
  PortReport r = check_one(o, target(peer.port(), Transport::Tls, true));
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.tls);
  EXPECT_TRUE(r.tls->ok) << r.tls->error;
  EXPECT_EQ(r.tls->version, "TLSv1.3");
  EXPECT_FALSE(r.tls->cipher.empty());
  ASSERT_TRUE(r.tls->certificate);
  const CertificateInfo& c = *r.tls->certificate;
  EXPECT_EQ(c.subject, "CN=localhost");
  EXPECT_NE(c.issuer.find("CN=Parley Test CA"), std::string::npos) << c.issuer;
  EXPECT_EQ(c.subject_alt_names, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1"}));
  EXPECT_EQ(c.days_left, 364);
  EXPECT_LT(c.not_before, std::chrono::system_clock::now());
  EXPECT_TRUE(c.verified) << c.verify_error;
  EXPECT_EQ(c.checked_name, "127.0.0.1");
  EXPECT_TRUE(c.name_matches);
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->status, 200);
  EXPECT_EQ(r.verdict, Verdict::Ok)
      << (r.failures.empty() ? "" : r.failures[0]) << (r.warnings.empty() ? "" : r.warnings[0]);

  auto requests = peer.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].find(";transport=tls SIP/2.0\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("Via: SIP/2.0/TLS 127.0.0.1:"), std::string::npos);
}

TEST(ProbeTls, ServerNameChecksTheDnsName) {
  TestCa ca;
  StreamPeer peer(Behaviour::Answer200, ca.server_context());
  Options o = loopback();
  o.ca = ca.ca_file();
  o.server_name = "localhost";
  PortReport r = check_one(o, target(peer.port(), Transport::Tls, false));
  ASSERT_TRUE(r.tls && r.tls->certificate);
  EXPECT_TRUE(r.tls->certificate->name_matches);
  EXPECT_EQ(r.verdict, Verdict::Ok);

  o.server_name = "sip.other.example";
  r = check_one(o, target(peer.port(), Transport::Tls, false));
  ASSERT_TRUE(r.tls && r.tls->certificate);
  EXPECT_FALSE(r.tls->certificate->name_matches);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_TRUE(contains(r.warnings, "does not name sip.other.example"));
}

TEST(ProbeTls, NoCaGivenIsAWarning) {
  TestCa ca;
  StreamPeer peer(Behaviour::Answer200, ca.server_context());
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tls, false));
  ASSERT_TRUE(r.tls && r.tls->certificate);
  EXPECT_FALSE(r.tls->certificate->verified);
  EXPECT_TRUE(r.tls->certificate->verify_error.empty());
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_TRUE(contains(r.warnings, "not verified (no CA given)"));
}

TEST(ProbeTls, ExpiringSoonIsAWarning) {
  TestCa ca;
  StreamPeer peer(Behaviour::Answer200,
                  ca.server_context({"localhost", "127.0.0.1"}, std::chrono::days(10)));
  Options o = loopback();
  o.ca = ca.ca_file();
  PortReport r = check_one(o, target(peer.port(), Transport::Tls, true));
  ASSERT_TRUE(r.tls && r.tls->certificate);
  EXPECT_EQ(r.tls->certificate->days_left, 9);
  EXPECT_EQ(r.verdict, Verdict::Warn);
  EXPECT_TRUE(contains(r.warnings, "certificate expires in 9 days"));
}

TEST(ProbeTls, ExpiredIsAFailure) {
  TestCa ca;
  StreamPeer peer(Behaviour::Answer200,
                  ca.server_context({"localhost", "127.0.0.1"}, std::chrono::days(-1)));
  Options o = loopback();
  o.ca = ca.ca_file();
  PortReport r = check_one(o, target(peer.port(), Transport::Tls, false));
  ASSERT_TRUE(r.tls && r.tls->certificate);
  EXPECT_LT(r.tls->certificate->days_left, 0);
  EXPECT_FALSE(r.tls->certificate->verified);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "certificate expired on"));
}

TEST(ProbeTls, AnotherCaFailsVerificationButTheCertificateIsReported) {
  TestCa ca;
  TestCa other("Other CA");
  StreamPeer peer(Behaviour::Answer200, ca.server_context());
  Options o = loopback();
  o.ca = other.ca_file();
  PortReport r = check_one(o, target(peer.port(), Transport::Tls, true));
  ASSERT_TRUE(r.tls);
  EXPECT_TRUE(r.tls->ok);
  ASSERT_TRUE(r.tls->certificate);
  EXPECT_EQ(r.tls->certificate->subject, "CN=localhost");
  EXPECT_FALSE(r.tls->certificate->verified);
  EXPECT_FALSE(r.tls->certificate->verify_error.empty());
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "not verified against"));
  ASSERT_TRUE(r.options);  // the OPTIONS still went through
  EXPECT_EQ(r.options->status, 200);
}

TEST(ProbeTls, PlainPeerFailsTheHandshake) {
  StreamPeer peer(Behaviour::Garbage);
  PortReport r = check_one(loopback(), target(peer.port(), Transport::Tls, true));
  EXPECT_EQ(r.state, PortState::Open);
  ASSERT_TRUE(r.tls);
  EXPECT_FALSE(r.tls->ok);
  EXPECT_FALSE(r.tls->error.empty());
  EXPECT_FALSE(r.tls->certificate);
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_TRUE(contains(r.failures, "TLS handshake failed"));
}

TEST(ProbeTls, SilentPeerTimesOutTheHandshake) {
  StreamPeer peer(Behaviour::Silent);  // reads the ClientHello, never answers
  PortReport r = check_one(loopback(300ms), target(peer.port(), Transport::Tls, true));
  ASSERT_TRUE(r.tls);
  EXPECT_EQ(r.tls->error, "no handshake within 300 ms");
  EXPECT_EQ(r.verdict, Verdict::Fail);
}

// --- many targets at once

TEST(ProbeConcurrency, TwentyFailingTargetsCostAboutOneTimeout) {
  StreamPeer silent(Behaviour::Silent);
  DatagramPeer silent_udp(Behaviour::Silent);
  std::vector<Target> targets;
  for (int i = 0; i < 7; ++i)
    targets.push_back(target(unused_port(SOCK_STREAM), Transport::Tcp, true));
  for (int i = 0; i < 7; ++i) targets.push_back(target(silent.port(), Transport::Tcp, true));
  for (int i = 0; i < 6; ++i) targets.push_back(target(silent_udp.port(), Transport::Udp, true));
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i].label = "target " + std::to_string(i);

  auto start = Clock::now();
  auto reports = run_checks(loopback(300ms), targets);
  auto elapsed = Clock::now() - start;
  ASSERT_EQ(reports.size(), targets.size());
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].target.label, targets[i].label);  // target order kept
    EXPECT_EQ(reports[i].verdict, Verdict::Fail) << i;
  }
  EXPECT_EQ(reports[0].state, PortState::Closed);
  EXPECT_EQ(reports[7].state, PortState::Open);
  EXPECT_EQ(reports[14].state, PortState::NoReply);
  EXPECT_FALSE(passed(reports));
  // 20 x 300 ms one after the other would be 6 s; concurrently at most 3 steps x 300 ms,
  // with room for a sanitizer build on a busy machine.
  EXPECT_LT(elapsed, 3000ms);
}

// --- errors before any probe

TEST(ProbeErrors, NoHost) {
  Options o;
  EXPECT_THROW(run_checks(o, {}), CheckError);
}

TEST(ProbeErrors, UnreadableCaFile) {
  TempDir dir;
  Options o = loopback();
  o.ca = dir.path() / "missing.crt";
  EXPECT_THROW(run_checks(o, {}), CheckError);
  std::ofstream(dir.path() / "empty.crt") << "not a certificate\n";
  o.ca = dir.path() / "empty.crt";
  EXPECT_THROW(run_checks(o, {}), CheckError);
}

TEST(ProbeErrors, ClientCertificateWithoutKey) {
  Options o = loopback();
  o.client_certificate = "/nonexistent/cert.pem";
  EXPECT_THROW(run_checks(o, {target(5061, Transport::Tls, false)}), CheckError);
}

TEST(ProbeHost, IPv6LiteralInBrackets) {
  // Only meaningful where ::1 exists; a host without IPv6 reports the port as
  // unreachable rather than throwing.
  Options o = loopback();
  o.host = "[::1]";
  auto reports = run_checks(o, {target(unused_port(SOCK_STREAM), Transport::Tcp, false)});
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].address, "::1");
  EXPECT_NE(reports[0].state, PortState::Open);
}

}  // namespace
}  // namespace parley::check
