// Branches that fail without a response: Timers B, F and C (RFC 3261 17.1,
// 16.6 step 11, 16.8), transport errors (16.9), and the lifetime of the
// proxy's per-request state.
#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

TEST_F(ProxyTest, NonInviteBranchThatNeverAnswersGives408AfterTimerF) {
  receive(authorized(Request{}), alice_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  clock_.advance(31900ms);
  auto s = sent();
  EXPECT_FALSE(s.empty());  // Timer E retransmissions, to bob only
  for (const auto& x : s) {
    EXPECT_PEER(x.to, bob_udp);
    EXPECT_EQ(x.bytes, fwd.bytes);
  }
  clock_.advance(100ms);  // Timer F = 64*T1 = 32 s
  Sent timeout = one_sent();
  EXPECT_PEER(timeout.to, alice_udp);
  EXPECT_EQ(timeout.line(), "SIP/2.0 408 Request Timeout");
  Message m = timeout.msg();
  EXPECT_EQ(values(m, HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1"});
  EXPECT_FALSE(m.to()->tag().empty());
  EXPECT_EQ(value(m, HeaderId::CSeq), "1 MESSAGE");
}

TEST_F(ProxyTest, InviteBranchThatNeverAnswersGives408AfterTimerB) {
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  clock_.advance(31999ms);
  for (const auto& x : sent()) EXPECT_NE(x.line().rfind("SIP/2.0 408", 0), 0u);
  clock_.advance(1ms);  // Timer B = 64*T1
  auto s = sent();
  ASSERT_EQ(s.size(), 1u) << describe(s);
  EXPECT_PEER(s[0].to, alice_udp);
  EXPECT_EQ(s[0].line(), "SIP/2.0 408 Request Timeout");
  EXPECT_EQ(value(s[0].msg(), HeaderId::CSeq), "1 INVITE");
}

TEST_F(ProxyTest, ForkWhereOneBranchTimesOutRelaysTheBestFinal) {
  bind("bob@parley.test", kBobTcpContact, bob_tcp);
  receive(authorized(invite()), alice_udp);
  auto b = sent();
  ASSERT_EQ(b.size(), 2u);
  const Sent& tcp_branch = b[0].to.transport == Transport::Tcp ? b[0] : b[1];
  answer(tcp_branch, 486, bob_tcp);
  sent();  // the ACK over TCP
  clock_.advance(32s);
  std::vector<std::string> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp) && x.line().rfind("SIP/2.0 1", 0) != 0) up.push_back(x.line());
  }
  // 16.7 step 6: 408 (the timed-out branch) and 486 are both 4xx; one goes up.
  ASSERT_EQ(up.size(), 1u);
  EXPECT_TRUE(up[0] == "SIP/2.0 408 Request Timeout" || up[0] == "SIP/2.0 486 Busy Here")
      << up[0];
}

TEST_F(ProxyTest, TimerCCancelsARingingBranchThatNeverAnswers) {
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 180, bob_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 180 Ringing");
  clock_.advance(3min);
  for (const auto& x : sent()) EXPECT_NE(x.line().rfind("CANCEL", 0), 0u) << x.line();
  clock_.advance(1s + 1ms);  // Timer C: 3 min + 1 s after the last provisional
  auto s = sent();
  std::vector<Sent> cancels;
  for (const auto& x : s) {
    if (x.line().rfind("CANCEL ", 0) == 0) cancels.push_back(x);
  }
  ASSERT_FALSE(cancels.empty()) << describe(s);
  EXPECT_PEER(cancels[0].to, bob_udp);
  EXPECT_EQ(cancels[0].msg().top_via()->branch(), fwd.msg().top_via()->branch());

  // bob answers the CANCEL and the INVITE as a UAS must: the 487 goes up.
  answer(cancels[0], 200, bob_udp);
  answer(fwd, 487, bob_udp);
  std::vector<std::string> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x.line());
  }
  EXPECT_EQ(up, std::vector<std::string>{"SIP/2.0 487 Request Terminated"});
}

TEST_F(ProxyTest, TimerCWithNoAnswerToTheCancelEndsIn408) {
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 180, bob_udp);
  sent();
  clock_.advance(3min + 1s + 1ms);  // Timer C: the layer CANCELs
  sent();
  clock_.advance(32s);  // 64*T1 without a final response (RFC 3261 9.1)
  std::vector<std::string> up;
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) up.push_back(x.line());
  }
  EXPECT_EQ(up, std::vector<std::string>{"SIP/2.0 408 Request Timeout"});
}

TEST_F(ProxyTest, UnreachableBindingIsAServerError) {
  wire_.make_unreachable("192.0.2.20", 5080);
  receive(authorized(Request{}), alice_udp);
  Sent attempt = one_sent();
  EXPECT_PEER(attempt.to, bob_udp);
  clock_.advance(0ms);  // the transport error is reported from a zero-delay timer
  Sent s = one_sent();
  EXPECT_PEER(s.to, alice_udp);
  // 16.9: a transport error counts as a 503; 16.7 step 6 turns it into 500.
  EXPECT_EQ(s.msg().status(), 500);
  EXPECT_EQ(values(s.msg(), HeaderId::Via).size(), 1u);
}

TEST_F(ProxyTest, TimeoutAfterTwoHundredIsNotRelayed) {
  bind("bob@parley.test", kBobTcpContact, bob_tcp);
  receive(authorized(invite()), alice_udp);
  auto b = sent();
  ASSERT_EQ(b.size(), 2u);
  answer(b[0], 200, b[0].to);
  sent();
  clock_.advance(5min);  // the other branch never answers, not even the CANCEL
  for (const auto& x : sent()) {
    if (same_peer(x.to, alice_udp)) {
      EXPECT_EQ(x.line().rfind("SIP/2.0 2", 0), 0u) << x.line();  // only 2xx retransmits
    }
  }
}

// BUG (reported): the proxy's per-request Context and the transactions hold
// each other (ServerTransaction::context_ -> Context::server, and
// ClientTransaction::context_ -> Context::branches), so nothing of a proxied
// request is ever freed: every request leaks its transactions and messages.
// Expected: once the layer has dropped every transaction, nobody owns them.
TEST_F(ProxyTest, TransactionsAreFreedOnceTheyEnd) {
  receive(authorized(Request{}), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 200, bob_udp);
  one_sent();
  clock_.advance(33s);  // Timers J and K end both transactions
  ASSERT_EQ(layer_.server_count(), 0u);
  ASSERT_EQ(layer_.client_count(), 0u);
  ASSERT_EQ(clock_.pending(), 0u);  // no timer closure holds them either
  ASSERT_EQ(tu_.servers.size(), 1u);
  EXPECT_TRUE(tu_.servers[0].expired()) << "server transaction still owned by someone";
}

TEST_F(ProxyTest, RejectedRequestsLeaveNothingBehind) {
  receive(Request{}, alice_udp);  // 407
  one_sent();
  clock_.advance(33s);
  ASSERT_EQ(layer_.server_count(), 0u);
  ASSERT_EQ(tu_.servers.size(), 1u);
  EXPECT_TRUE(tu_.servers[0].expired());
}

}  // namespace
}  // namespace parley::proxy::test
