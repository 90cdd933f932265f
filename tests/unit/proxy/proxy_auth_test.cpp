// Authentication of local users (RFC 3261 22.3) and target determination
// (16.5): 407, 403, 404, 480, and the first forward of a MESSAGE (16.6).
#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

TEST_F(ProxyTest, MessageFromLocalUserIsChallengedThenForwardedAndAnswerRelayed) {
  // 1. No credentials: 407 with one Proxy-Authenticate per algorithm.
  Request first;
  ASSERT_EQ(receive(first, alice_udp), sip::Disposition::NewTransaction);
  Sent challenge = one_sent();
  EXPECT_PEER(challenge.to, alice_udp);
  EXPECT_EQ(challenge.line(), "SIP/2.0 407 Proxy Authentication Required");
  Message c = challenge.msg();
  EXPECT_EQ(values(c, HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1"});
  EXPECT_FALSE(c.to()->tag().empty());
  EXPECT_EQ(value(c, HeaderId::Server), "Parley");
  auto challenges = values(c, HeaderId::ProxyAuthenticate);
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_NE(challenges[0].find("algorithm=SHA-256"), std::string::npos) << challenges[0];
  EXPECT_NE(challenges[1].find("algorithm=MD5"), std::string::npos) << challenges[1];
  for (const auto& ch : challenges) {
    EXPECT_EQ(ch.rfind("Digest ", 0), 0u) << ch;
    EXPECT_NE(ch.find("realm=\"parley.test\""), std::string::npos) << ch;
    EXPECT_NE(ch.find("qop=\"auth\""), std::string::npos) << ch;
  }
  EXPECT_EQ(c.find(HeaderId::WWWAuthenticate), nullptr);

  // 2. The retry answers the MD5 challenge: forwarded to bob's binding.
  Request second;
  second.branch("z9hG4bKa2");
  second.cseq = 2;
  second.with(proxy_authorization_for(challenges[1], "MESSAGE", "sip:bob@parley.test", "alice",
                                      "alice-pw"));
  ASSERT_EQ(receive(second, alice_udp), sip::Disposition::NewTransaction);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_NE(fwd.tid, 0u);  // sent by a client transaction
  EXPECT_EQ(fwd.line(), "MESSAGE sip:bob@192.0.2.20:5080 SIP/2.0");
  Message f = fwd.msg();
  auto vias = values(f, HeaderId::Via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].rfind("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK", 0), 0u) << vias[0];
  EXPECT_GT(f.top_via()->branch().size(), 7u + 8u);
  EXPECT_EQ(vias[1], "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa2");
  EXPECT_EQ(f.max_forwards(), 69u);
  EXPECT_EQ(f.count(HeaderId::RecordRoute), 0u);  // MESSAGE creates no dialog
  EXPECT_EQ(value(f, HeaderId::From), "\"Alice\" <sip:alice@parley.test>;tag=af1");
  EXPECT_EQ(value(f, HeaderId::To), "<sip:bob@parley.test>");
  EXPECT_EQ(value(f, HeaderId::CallId), "call-1@192.0.2.10");
  EXPECT_EQ(value(f, HeaderId::CSeq), "2 MESSAGE");
  EXPECT_EQ(f.body(), "hello bob");
  EXPECT_EQ(f.content_type(), "text/plain");

  // 3. bob's 200 goes back to alice without our Via.
  ASSERT_EQ(answer(fwd, 200, bob_udp), sip::Disposition::Response);
  Sent ok = one_sent();
  EXPECT_PEER(ok.to, alice_udp);
  EXPECT_EQ(ok.line(), "SIP/2.0 200 OK");
  Message o = ok.msg();
  EXPECT_EQ(values(o, HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa2"});
  EXPECT_EQ(o.to()->tag(), "bt1");
  EXPECT_EQ(value(o, HeaderId::CSeq), "2 MESSAGE");

  auto log = log_.entries();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_FALSE(log[0].accepted);
  EXPECT_EQ(log[0].status, 407);
  EXPECT_TRUE(log[1].accepted);
  EXPECT_NE(log[1].what.find("forwarded to udp:192.0.2.20:5080"), std::string::npos)
      << log[1].what;
}

TEST_F(ProxyTest, WrongPasswordIsChallengedAgain) {
  Request r = authorized(Request{}, "alice", "not-the-password");
  receive(r, alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 407 Proxy Authentication Required");
  EXPECT_EQ(s.msg().count(HeaderId::ProxyAuthenticate), 2u);
}

TEST_F(ProxyTest, AuthenticatedAsAliceButFromBobIsForbidden) {
  Request r;
  r.from = "<sip:bob@parley.test>;tag=spoof";
  r.to = "<sip:carol@parley.test>";
  r.ruri = "sip:carol@parley.test";
  bind("carol@parley.test", "sip:carol@192.0.2.30:5090", Peer{Transport::Udp, "192.0.2.30", 5090, 3});
  receive(authorized(r, "alice", "alice-pw"), alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 403 Forbidden");
  ASSERT_FALSE(log_.entries().empty());
  EXPECT_EQ(log_.entries().back().status, 403);
  EXPECT_NE(log_.entries().back().what.find("authenticated as alice"), std::string::npos);
}

TEST_F(ProxyTest, UnknownUserIsNotFound) {
  Request r;
  r.ruri = "sip:nobody@parley.test";
  r.to = "<sip:nobody@parley.test>";
  receive(authorized(r), alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 404 Not Found");
  EXPECT_FALSE(s.msg().to()->tag().empty());
}

TEST_F(ProxyTest, KnownUserWithoutBindingIsTemporarilyUnavailable) {
  Request r;
  r.ruri = "sip:carol@parley.test";
  r.to = "<sip:carol@parley.test>";
  receive(authorized(r), alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 480 Temporarily Unavailable");
}

TEST_F(ProxyTest, ExpiredBindingCountsAsNone) {
  clock_.advance(3601s);  // bob's binding (3600 s) has expired
  receive(authorized(Request{}), alice_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 480 Temporarily Unavailable");
}

TEST_F(ProxyTest, ForeignTargetDomainIsForbiddenWithoutFederation) {
  Request r;
  r.ruri = "sip:someone@example.com";
  r.to = "<sip:someone@example.com>";
  receive(authorized(r), alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 403 Forbidden");
  EXPECT_NE(log_.entries().back().what.find("example.com"), std::string::npos);
}

TEST_F(ProxyTest, ForeignCallerCannotUseUsAsRelay) {
  Request r;
  r.from = "<sip:mallory@example.org>;tag=m1";
  r.ruri = "sip:victim@192.0.2.99";
  r.to = "<sip:victim@192.0.2.99>";
  receive(r, Peer{Transport::Udp, "203.0.113.5", 5060, 1});
  Sent s = one_sent();
  EXPECT_EQ(s.line(), "SIP/2.0 403 Forbidden");
}

TEST_F(ProxyTest, ForeignCallerReachesLocalUserWithoutChallenge) {
  Request r;
  r.from = "<sip:dave@example.org>;tag=d1";
  r.vias = {"SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKd1;rport"};
  const Peer dave{Transport::Udp, "203.0.113.5", 5062, 1};  // behind NAT: rport
  ASSERT_EQ(receive(r, dave), sip::Disposition::NewTransaction);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_EQ(fwd.line(), "MESSAGE sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_EQ(fwd.msg().find(HeaderId::ProxyAuthenticate), nullptr);

  answer(fwd, 202, bob_udp);
  Sent back = one_sent();
  EXPECT_PEER(back.to, dave);  // RFC 3581: the source port
  EXPECT_EQ(back.line(), "SIP/2.0 202 Accepted");
  EXPECT_EQ(values(back.msg(), HeaderId::Via).size(), 1u);
}

TEST_F(ProxyTest, FromDomainIsComparedCaseInsensitively) {
  Request r;
  r.from = "<sip:alice@PARLEY.test>;tag=af1";
  receive(r, alice_udp);  // still a local user: challenged, not waved through
  EXPECT_EQ(one_sent().line(), "SIP/2.0 407 Proxy Authentication Required");
}

TEST_F(ProxyTest, CredentialsForAnotherRealmAreChallenged) {
  Request r;
  r.with("Proxy-Authorization: Digest username=\"alice\", realm=\"elsewhere.test\", "
         "nonce=\"abc\", uri=\"sip:bob@parley.test\", response=\"0123456789abcdef0123456789abcdef\"");
  receive(r, alice_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 407 Proxy Authentication Required");
}

// BUG (reported): an out-of-dialog request carrying a pre-loaded Route to this
// proxy (RFC 3261 8.1.2: how every UA configured with an outbound proxy sends
// its initial requests) skips authentication, because Proxy::on_request only
// challenges when `!in_dialog && !popped`. Anyone can then send requests as a
// local user. Expected: 407, as without the Route.
TEST_F(ProxyTest, PreloadedRouteDoesNotBypassAuthentication) {
  Request r;
  r.with(std::string("Route: ") + kOurRoute);
  receive(r, alice_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].line(), "SIP/2.0 407 Proxy Authentication Required") << describe(s);
}

// BUG (reported), same root cause: with a pre-loaded Route the proxy relays a
// foreign caller's request to any numeric host, though the 16.5 rules refuse
// targets outside the local domains (no federation).
TEST_F(ProxyTest, PreloadedRouteDoesNotMakeAnOpenRelay) {
  Request r;
  r.from = "<sip:mallory@example.org>;tag=m1";
  r.ruri = "sip:victim@192.0.2.99";
  r.to = "<sip:victim@192.0.2.99>";
  r.with(std::string("Route: ") + kOurRoute);
  receive(r, Peer{Transport::Udp, "203.0.113.5", 5060, 1});
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_EQ(s[0].line(), "SIP/2.0 403 Forbidden") << describe(s);
}

// BUG (reported): a request with a To tag but no Route of ours, whose
// Request-URI is a local AOR, is treated as in-dialog and forwarded to the
// AOR's bindings without authentication, so a made-up To tag lets anyone send
// as a local user. No dialog through this proxy looks like that: dialogs it
// record-routes carry its Route, and a target refresh names a contact, not an
// AOR. Expected: not forwarded (a challenge, or a rejection).
TEST_F(ProxyTest, MadeUpToTagDoesNotBypassAuthentication) {
  Request r;
  r.to = "<sip:bob@parley.test>;tag=made-up";
  receive(r, alice_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_GE(s[0].msg().status(), 400) << describe(s);
}

TEST_F(ProxyTest, GruuTargetsOnlyThatInstance) {
  registrar::BindingUpdate u;
  u.contact = "sip:bob@192.0.2.22:5080";
  u.instance = "<urn:uuid:00000000-0000-0000-0000-00000000000b>";
  u.reg_id = "1";
  u.expires = 3600;
  const Peer bob_gruu_flow{Transport::Udp, "192.0.2.22", 5080, 13};
  location_.update("bob@parley.test", {u}, "reg-g", 1, bob_gruu_flow, clock_.now());
  Request r;
  r.ruri = "sip:bob@parley.test;gr=urn:uuid:00000000-0000-0000-0000-00000000000b";
  receive(authorized(r), alice_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_gruu_flow);
  EXPECT_EQ(fwd.line(), "MESSAGE sip:bob@192.0.2.22:5080 SIP/2.0");

  Request other;
  other.branch("z9hG4bKg2");
  other.cseq = 2;
  other.ruri = "sip:bob@parley.test;gr=urn:uuid:00000000-0000-0000-0000-0000000000ff";
  receive(authorized(other), alice_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 480 Temporarily Unavailable");
}

}  // namespace
}  // namespace parley::proxy::test

namespace parley::proxy::test {
namespace {

// Proxy::stateless_challenge answers, without a transaction, exactly the
// requests on_request() would challenge at once; the router asks it first.
TEST_F(ProxyTest, StatelessChallengeIsTheSame407WithoutATransaction) {
  Request first;
  auto r = proxy_.stateless_challenge(parse_or_fail(first.text()), alice_udp);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status(), 407);
  EXPECT_FALSE(r->to()->tag().empty());
  EXPECT_EQ(value(*r, HeaderId::Server), "Parley");
  EXPECT_EQ(values(*r, HeaderId::ProxyAuthenticate).size(), 2u);
  EXPECT_EQ(values(*r, HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1"});
  EXPECT_EQ(layer_.server_count(), 0u);
  EXPECT_EQ(layer_.completed_count(), 0u);
  auto log = log_.entries();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, 407);
  // The stateful path gives the same answer to the same request.
  ASSERT_EQ(receive(first, alice_udp), sip::Disposition::NewTransaction);
  Message c = one_sent().msg();
  EXPECT_EQ(c.status(), 407);
  EXPECT_EQ(values(c, HeaderId::ProxyAuthenticate).size(), 2u);
}

TEST_F(ProxyTest, StatelessChallengeLeavesEverythingElseToTheTransaction) {
  auto stateless = [&](const Request& q) {
    return proxy_.stateless_challenge(parse_or_fail(q.text()), alice_udp).has_value();
  };
  Request base;
  ASSERT_TRUE(stateless(base));
  Request inv = invite();  // its ACK must be absorbed by a transaction
  EXPECT_FALSE(stateless(inv));
  Request credentials = base;
  credentials.with("Proxy-Authorization: Digest username=\"alice\", realm=\"parley.test\", "
                   "nonce=\"x\", uri=\"sip:bob@parley.test\", response=\"0\"");
  EXPECT_FALSE(stateless(credentials));
  Request in_dialog = base;
  in_dialog.to = "<sip:bob@parley.test>;tag=bt1";
  EXPECT_FALSE(stateless(in_dialog));
  Request relayed = base;  // through another proxy (or ourselves: a spiral or loop)
  relayed.vias.insert(relayed.vias.begin(), "SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKup");
  EXPECT_FALSE(stateless(relayed));
  Request routed = base;
  routed.with("Route: <sip:127.0.0.1;lr>");
  EXPECT_FALSE(stateless(routed));
  Request foreign = base;
  foreign.from = "<sip:carol@example.com>;tag=cf1";
  EXPECT_FALSE(stateless(foreign));
  Request spent = base;
  spent.max_forwards = 0;  // 483 first
  EXPECT_FALSE(stateless(spent));
  Request required = base;
  required.with("Proxy-Require: foo");  // 420 first
  EXPECT_FALSE(stateless(required));
  Request tel = base;
  tel.ruri = "tel:+15551234";  // 416 first
  EXPECT_FALSE(stateless(tel));
  EXPECT_EQ(log_.entries().size(), 1u);  // only the first was answered
}

}  // namespace
}  // namespace parley::proxy::test
