// Non-INVITE server transaction, RFC 3261 17.2.2.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

struct NonInviteServer : ::testing::Test {
  Harness h;
  Message reg = req("REGISTER").with_ruri("sip:atlanta.example.com").msg();

  ServerTransactionPtr receive(const Peer& from = udp_peer()) {
    EXPECT_EQ(h.layer.receive(reg, from), Disposition::NewTransaction);
    auto ev = h.tu.last(K::Request);
    return ev ? ev->server : nullptr;
  }
};

TEST_F(NonInviteServer, TryingAbsorbsRetransmissionsSilently) {
  auto tx = receive();
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->state(), ServerState::Trying);
  h.advance(1000);
  EXPECT_EQ(h.sender.count(), 0u);  // no automatic 100 for non-INVITE
  EXPECT_EQ(h.layer.receive(reg, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count(), 0u);
  EXPECT_EQ(h.tu.count(K::Request), 1u);
}

TEST_F(NonInviteServer, ProceedingResendsTheLastProvisional) {
  auto tx = receive();
  ASSERT_TRUE(tx->respond(Message::make_response(tx->request(), 100)));
  EXPECT_EQ(tx->state(), ServerState::Proceeding);
  h.layer.receive(reg, udp_peer());
  EXPECT_EQ(h.sender.count_of("SIP/2.0 100"), 2u);
  EXPECT_EQ(h.tu.count(K::Request), 1u);
}

TEST_F(NonInviteServer, CompletedResendsTheFinalUntilTimerJ) {
  auto tx = receive();
  ASSERT_TRUE(tx->respond(Message::make_response(tx->request(), 200, {}, "reg")));
  // Over UDP the Completed state lives on as the layer's compact record; the
  // transaction object is done, and the TU hears so at once.
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_EQ(h.layer.server_count(), 0u);
  EXPECT_EQ(h.layer.completed_count(), 1u);
  h.advance(0);  // events caused by a TU call come from a zero-delay timer
  EXPECT_EQ(h.tu.count(K::ServerTerminated), 1u);
  h.advance(10000);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 1u);  // no retransmission by timer
  EXPECT_EQ(h.layer.receive(reg, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 2u);
  EXPECT_EQ(h.sender.last().to.port, udp_peer().port);
  EXPECT_EQ(h.tu.count(K::Request), 1u);
  // A final response is final.
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 500)));
  h.advance(21999);  // Timer J = 64*T1
  EXPECT_EQ(h.layer.completed_count(), 1u);
  EXPECT_EQ(h.layer.receive(reg, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 3u);
  h.advance(1);
  EXPECT_EQ(h.layer.completed_count(), 0u);
  EXPECT_EQ(h.tu.count(K::ServerTerminated), 1u);
  // Now the same request is new again.
  EXPECT_EQ(h.layer.receive(reg, udp_peer()), Disposition::NewTransaction);
  EXPECT_EQ(h.tu.count(K::Request), 2u);
}

// Records are swept in order as each one's Timer J falls due, by one timer that
// is re-armed only while records remain.
TEST_F(NonInviteServer, CompletedRecordsExpireEachAfterItsOwnTimerJ) {
  h.tu.on_request_hook = [](const ServerTransactionPtr& tx) {
    tx->respond(Message::make_response(tx->request(), 200, {}, "reg"));
  };
  for (int i = 0; i < 3; ++i) {
    Req r = req("REGISTER").with_ruri("sip:atlanta.example.com");
    r.with_branch("z9hG4bKjj" + std::to_string(i));
    EXPECT_EQ(h.layer.receive(r.msg(), udp_peer()), Disposition::NewTransaction);
    h.advance(5000);
  }
  EXPECT_EQ(h.layer.completed_count(), 3u);  // issued at 0, 5 and 10 s; now 15 s
  h.advance(17000);                          // 32 s: the first one's J
  EXPECT_EQ(h.layer.completed_count(), 2u);
  h.advance(5000);
  EXPECT_EQ(h.layer.completed_count(), 1u);
  h.advance(5000);
  EXPECT_EQ(h.layer.completed_count(), 0u);
  EXPECT_EQ(h.timers.pending(), 0u);  // nothing left armed
}

TEST_F(NonInviteServer, ReliableTransportHasZeroTimerJ) {
  auto tx = receive(tcp_peer());
  tx->respond(Message::make_response(tx->request(), 200, {}, "reg"));
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_EQ(h.layer.server_count(), 0u);
  EXPECT_EQ(h.sender.last().to.flow, 7u);
}

TEST_F(NonInviteServer, DifferentBranchesAreDifferentTransactions) {
  receive();
  Req other = req("REGISTER").with_ruri("sip:atlanta.example.com");
  other.with_branch("z9hG4bKsecond");
  EXPECT_EQ(h.layer.receive(other.msg(), udp_peer()), Disposition::NewTransaction);
  EXPECT_EQ(h.tu.count(K::Request), 2u);
  EXPECT_EQ(h.layer.server_count(), 2u);
}

TEST_F(NonInviteServer, StrayAckWithoutTransactionIsPassedUp) {
  Req ack = req("ACK");
  EXPECT_EQ(h.layer.receive(ack.msg(), udp_peer()), Disposition::AckPassedUp);
  EXPECT_EQ(h.tu.count(K::Ack), 1u);
  EXPECT_EQ(h.layer.server_count(), 0u);
}

}  // namespace
}  // namespace parley::sip::test
