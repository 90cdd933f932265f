// Parallel forking and response selection (RFC 3261 16.6, 16.7) and CANCEL
// (9.2, 16.10).
#include <algorithm>

#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

class ForkingTest : public ProxyTest {
 protected:
  ForkingTest() { bind("bob@parley.test", kBobTcpContact, bob_tcp); }

  // Sends `r` (authorized) and returns the two branches: [0] to bob's UDP
  // binding, [1] to his TCP one.
  std::vector<Sent> fork(Request r) {
    receive(authorized(r), alice_udp);
    auto s = sent();
    EXPECT_EQ(s.size(), 2u) << describe(s);
    if (s.size() != 2u) return {Sent{}, Sent{}};
    if (s[0].to.transport != Transport::Udp) std::swap(s[0], s[1]);
    return s;
  }
  std::vector<Sent> fork() { return fork(invite()); }

  // The CANCEL the proxy sent for `branch` (RFC 3261 9.1): same Request-URI,
  // Call-ID, To, From, CSeq number and top Via as the INVITE.
  static void expect_cancel_of(const Sent& cancel, const Sent& branch) {
    EXPECT_PEER(cancel.to, branch.to);
    Message c = cancel.msg();
    Message i = branch.msg();
    EXPECT_EQ(c.method(), sip::Method::Cancel) << cancel.line();
    EXPECT_EQ(c.request_uri().text, i.request_uri().text);
    EXPECT_EQ(values(c, HeaderId::Via), std::vector<std::string>{values(i, HeaderId::Via)[0]});
    EXPECT_EQ(c.call_id(), i.call_id());
    EXPECT_EQ(c.cseq()->number, i.cseq()->number);
    EXPECT_EQ(value(c, HeaderId::From), value(i, HeaderId::From));
    EXPECT_EQ(value(c, HeaderId::To), value(i, HeaderId::To));
  }

  static std::vector<std::string> lines(const std::vector<Sent>& s) {
    std::vector<std::string> out;
    for (const auto& x : s) out.push_back(x.line());
    return out;
  }
};

TEST_F(ForkingTest, EveryBindingGetsItsOwnBranch) {
  auto b = fork();
  EXPECT_PEER(b[0].to, bob_udp);
  EXPECT_PEER(b[1].to, bob_tcp);
  EXPECT_EQ(b[0].line(), "INVITE sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_EQ(b[1].line(), "INVITE sip:bob@192.0.2.21:5081;transport=tcp SIP/2.0");
  Message m0 = b[0].msg(), m1 = b[1].msg();
  EXPECT_NE(m0.top_via()->branch(), m1.top_via()->branch());
  EXPECT_EQ(m0.top_via()->transport, "UDP");
  EXPECT_EQ(m1.top_via()->transport, "TCP");
  EXPECT_EQ(values(m1, HeaderId::RecordRoute),
            (std::vector<std::string>{our_rr("sip:127.0.0.1:5060;transport=tcp", "inv-1@192.0.2.10"),
                                      our_rr(kOurUri, "inv-1@192.0.2.10")}));
  EXPECT_EQ(values(m0, HeaderId::RecordRoute),
            std::vector<std::string>{our_rr(kOurUri, "inv-1@192.0.2.10")});
  EXPECT_NE(b[0].tid, b[1].tid);
}

TEST_F(ForkingTest, TwoHundredIsRelayedAndPendingBranchCancelled) {
  auto b = fork();
  answer(b[0], 180, bob_udp, "ring0");
  EXPECT_EQ(one_sent().line(), "SIP/2.0 180 Ringing");
  answer(b[1], 200, bob_tcp, "ok1");
  auto s = sent();
  ASSERT_EQ(s.size(), 2u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].line(), "SIP/2.0 200 OK");
  EXPECT_EQ(s[0].msg().to()->tag(), "ok1");
  expect_cancel_of(s[1], b[0]);  // 16.7 step 10

  // The cancelled branch ends with 487: ACKed hop by hop, never relayed.
  answer(b[0], 487, bob_udp, "ring0");
  s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_PEER(s[0].to, bob_udp);
  EXPECT_EQ(s[0].line(), "ACK sip:bob@192.0.2.20:5080 SIP/2.0");
}

TEST_F(ForkingTest, BusyThenOkRelaysOnlyTheOk) {
  auto b = fork();
  answer(b[0], 486, bob_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);  // only the hop-by-hop ACK
  EXPECT_EQ(s[0].line(), "ACK sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_PEER(s[0].to, bob_udp);
  answer(b[1], 200, bob_tcp);
  s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);  // nothing left to cancel
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].line(), "SIP/2.0 200 OK");
}

TEST_F(ForkingTest, CancelForABranchWithoutProvisionalWaitsForOne) {
  auto b = fork();
  answer(b[1], 200, bob_tcp);
  EXPECT_EQ(lines(sent()), std::vector<std::string>{"SIP/2.0 200 OK"});  // CANCEL held (9.1)
  answer(b[0], 180, bob_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);  // the 180 is not relayed after a 2xx
  expect_cancel_of(s[0], b[0]);
}

TEST_F(ForkingTest, EveryTwoHundredIsRelayed) {
  auto b = fork();
  answer(b[0], 200, bob_udp, "ok0");
  answer(b[1], 200, bob_tcp, "ok1");
  auto s = sent();
  ASSERT_EQ(s.size(), 2u) << describe(s);
  EXPECT_EQ(s[0].msg().to()->tag(), "ok0");
  EXPECT_EQ(s[1].msg().to()->tag(), "ok1");
  for (const auto& x : s) {
    EXPECT_PEER(x.to, alice_udp);
    EXPECT_EQ(x.line(), "SIP/2.0 200 OK");
  }
}

TEST_F(ForkingTest, BestFinalResponseIsRelayedOnceWhenAllBranchesFail) {
  auto b = fork();
  answer(b[0], 486, bob_udp);
  sent();  // the ACK
  answer(b[1], 404, bob_tcp);
  auto s = sent();
  std::vector<Sent> upstream;
  for (const auto& x : s) {
    if (same_peer(x.to, alice_udp)) upstream.push_back(x);
  }
  ASSERT_EQ(upstream.size(), 1u) << describe(s);
  // 16.7 step 6: the lowest class; Parley then takes the lowest code.
  EXPECT_EQ(upstream[0].line(), "SIP/2.0 404 Not Found");
  EXPECT_EQ(values(upstream[0].msg(), HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKinv1"});

  // alice's ACK for it is absorbed by the server transaction (17.2.1).
  Request ack = invite();
  ack.method = "ACK";
  ack.body.clear();
  ack.extra.clear();
  ack.to = "<sip:bob@parley.test>;tag=bt1";
  EXPECT_EQ(receive(ack, alice_udp), sip::Disposition::AckAbsorbed);
  EXPECT_TRUE(sent().empty());
}

TEST_F(ForkingTest, ChallengeFromABranchIsPreferredWithinFourHundreds) {
  auto b = fork();
  answer(b[0], 404, bob_udp);
  answer(b[1], 407, bob_tcp);
  std::vector<std::string> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x.line());
  }
  EXPECT_EQ(up, std::vector<std::string>{"SIP/2.0 407 Proxy Authentication Required"});
}

TEST_F(ForkingTest, ChallengeFromTheOnlyChallengingBranchIsRelayedIntact) {
  auto b = fork();
  answer(b[0], 404, bob_udp);
  Message m = b[1].msg();
  Message challenge = Message::make_response(m, 407, {}, "c1");
  challenge.push_back(HeaderId::ProxyAuthenticate,
                      "Digest realm=\"bob.example\", nonce=\"n1\", qop=\"auth\"");
  layer_.receive(parse_or_fail(challenge.serialize()), bob_tcp);
  std::vector<Sent> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x);
  }
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(values(up[0].msg(), HeaderId::ProxyAuthenticate),
            std::vector<std::string>{"Digest realm=\"bob.example\", nonce=\"n1\", qop=\"auth\""});
}

// BUG (reported): RFC 3261 16.7 step 7: when the chosen response is a 401 or
// 407, the proxy MUST add the WWW-Authenticate / Proxy-Authenticate values of
// every 401/407 it received on the other branches, so the caller can answer
// them all at once. Parley relays the chosen response as it came.
TEST_F(ForkingTest, ChallengesFromEveryBranchAreCollected) {
  auto b = fork();
  auto challenge = [&](const Sent& branch, const Peer& from, const std::string& realm) {
    Message r = Message::make_response(branch.msg(), 407, {}, "c-" + realm);
    r.push_back(HeaderId::ProxyAuthenticate, "Digest realm=\"" + realm + "\", nonce=\"n\"");
    layer_.receive(parse_or_fail(r.serialize()), from);
  };
  challenge(b[0], bob_udp, "one.example");
  challenge(b[1], bob_tcp, "two.example");
  std::vector<Sent> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x);
  }
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].line(), "SIP/2.0 407 Proxy Authentication Required");
  auto got = values(up[0].msg(), HeaderId::ProxyAuthenticate);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"Digest realm=\"one.example\", nonce=\"n\"",
                                           "Digest realm=\"two.example\", nonce=\"n\""}));
}

TEST_F(ForkingTest, SixHundredsArePreferredOverLowerClasses) {
  auto b = fork();
  answer(b[0], 603, bob_udp);
  answer(b[1], 302, bob_tcp);
  std::vector<std::string> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x.line());
  }
  EXPECT_EQ(up, std::vector<std::string>{"SIP/2.0 603 Decline"});
}

// BUG (reported): RFC 3261 16.7 step 5 says a proxy that receives a 6xx
// SHOULD cancel all pending client transactions (the callee declined
// everywhere); Parley keeps ringing the other branch until it answers.
TEST_F(ForkingTest, SixHundredCancelsThePendingBranches) {
  auto b = fork();
  answer(b[1], 180, bob_tcp);
  sent();  // the 180, relayed
  answer(b[0], 603, bob_udp);
  auto s = sent();
  bool cancelled = false;
  for (const auto& x : s) {
    if (x.line().rfind("CANCEL ", 0) == 0) {
      expect_cancel_of(x, b[1]);
      cancelled = true;
    }
  }
  EXPECT_TRUE(cancelled) << describe(s);
}

TEST_F(ForkingTest, ServiceUnavailableFromEveryBranchBecomesServerError) {
  receive(authorized(Request{}), alice_udp);  // MESSAGE: bob has two bindings here
  auto b = sent();
  ASSERT_EQ(b.size(), 2u);
  answer(b[0], 503, b[0].to);
  answer(b[1], 503, b[1].to);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].msg().status(), 500);  // 16.7 step 6
  EXPECT_EQ(values(s[0].msg(), HeaderId::Via).size(), 1u);
}

TEST_F(ProxyTest, ServiceUnavailableFromTheOnlyBindingBecomesServerError) {
  receive(authorized(Request{}), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 503, bob_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.msg().status(), 500);
  EXPECT_EQ(values(s.msg(), HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1"});
}

TEST_F(ForkingTest, CallerCancelIsAnsweredAndEveryRingingBranchCancelled) {
  auto b = fork();
  answer(b[0], 180, bob_udp, "r0");
  answer(b[1], 183, bob_tcp, "r1");
  EXPECT_EQ(lines(sent()),
            (std::vector<std::string>{"SIP/2.0 180 Ringing", "SIP/2.0 183 Session Progress"}));

  Request cancel = invite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  ASSERT_EQ(receive(cancel, alice_udp), sip::Disposition::NewTransaction);
  auto s = sent();
  ASSERT_EQ(s.size(), 3u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].line(), "SIP/2.0 200 OK");
  EXPECT_EQ(value(s[0].msg(), HeaderId::CSeq), "1 CANCEL");
  expect_cancel_of(s[1], b[0]);
  expect_cancel_of(s[2], b[1]);

  // The callees answer the CANCELs and the INVITEs.
  answer(s[1], 200, bob_udp);
  answer(s[2], 200, bob_tcp);
  EXPECT_TRUE(sent().empty());  // a CANCEL's 200 stops here
  answer(b[0], 487, bob_udp, "r0");
  s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_EQ(s[0].line(), "ACK sip:bob@192.0.2.20:5080 SIP/2.0");
  answer(b[1], 487, bob_tcp, "r1");
  s = sent();
  std::vector<Sent> up;
  for (const auto& x : s) {
    if (same_peer(x.to, alice_udp)) up.push_back(x);
  }
  ASSERT_EQ(up.size(), 1u) << describe(s);
  EXPECT_EQ(up[0].line(), "SIP/2.0 487 Request Terminated");
  EXPECT_EQ(value(up[0].msg(), HeaderId::CSeq), "1 INVITE");
  EXPECT_EQ(values(up[0].msg(), HeaderId::Via).size(), 1u);
}

TEST_F(ForkingTest, CallerCancelBeforeAnyProvisionalIsHeldUntilOne) {
  auto b = fork();
  Request cancel = invite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  receive(cancel, alice_udp);
  EXPECT_EQ(lines(sent()), std::vector<std::string>{"SIP/2.0 200 OK"});
  answer(b[0], 180, bob_udp);
  auto s = sent();
  bool cancelled = false;
  for (const auto& x : s) {
    if (x.line().rfind("CANCEL ", 0) == 0) {
      expect_cancel_of(x, b[0]);
      cancelled = true;
    }
  }
  EXPECT_TRUE(cancelled) << describe(s);
}

TEST_F(ProxyTest, CancelMatchingNothingGets481) {
  Request cancel = invite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  receive(cancel, alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 481 Call/Transaction Does Not Exist");
}

TEST_F(ProxyTest, CancelAfterTheFinalResponseStillGets200AndNothingElse) {
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 200, bob_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 200 OK");
  Request cancel = invite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  receive(cancel, alice_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_EQ(s[0].line(), "SIP/2.0 200 OK");
  EXPECT_EQ(value(s[0].msg(), HeaderId::CSeq), "1 CANCEL");
}

TEST_F(ProxyTest, CancelOfAChallengedInviteIsAnswered) {
  receive(invite(), alice_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 407 Proxy Authentication Required");
  Request cancel = invite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  receive(cancel, alice_udp);
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);  // 200 for the CANCEL; no 487 after the 407
  EXPECT_EQ(s[0].line(), "SIP/2.0 200 OK");
}

}  // namespace
}  // namespace parley::proxy::test
