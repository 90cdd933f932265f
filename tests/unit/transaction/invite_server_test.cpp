// INVITE server transaction, RFC 3261 17.2.1 with RFC 6026 7.1.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

using L = std::vector<long>;

struct InviteServer : ::testing::Test {
  Harness h;
  Message invite = Req{}.msg();

  ServerTransactionPtr receive_invite(const Peer& from = udp_peer()) {
    EXPECT_EQ(h.layer.receive(invite, from), Disposition::NewTransaction);
    auto ev = h.tu.last(K::Request);
    EXPECT_TRUE(ev);
    return ev ? ev->server : nullptr;
  }
  // The ACK for our non-2xx response: same branch as the INVITE (17.1.1.3).
  Message ack_for(std::string_view tag = "uas-tag") {
    Req a = req("ACK");
    a.to += ";tag=" + std::string(tag);
    return a.msg();
  }
};

TEST_F(InviteServer, NewInviteReachesTheTuOnceWithItsTransaction) {
  auto tx = receive_invite();
  ASSERT_TRUE(tx);
  EXPECT_TRUE(tx->is_invite());
  EXPECT_EQ(tx->state(), ServerState::Proceeding);
  EXPECT_EQ(tx->request().call_id(), invite.call_id());
  EXPECT_TRUE(tx->source().same_address(udp_peer()));
  EXPECT_EQ(h.tu.count(K::Request), 1u);
  EXPECT_EQ(h.layer.server_count(), 1u);
}

TEST_F(InviteServer, SendsOneHundredTryingWhenTheTuIsSilentFor200ms) {
  auto tx = receive_invite();
  h.advance(199);
  EXPECT_EQ(h.sender.count(), 0u);
  h.advance(1);
  ASSERT_EQ(h.sender.count(), 1u);
  Message trying = h.sender.last().msg();
  EXPECT_EQ(trying.status(), 100);
  EXPECT_EQ(trying.to()->tag(), "");
  EXPECT_EQ(trying.top_via()->branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(h.sender.last().tid, tx->id());
  // A retransmitted INVITE re-sends the 100 and does not reach the TU.
  EXPECT_EQ(h.layer.receive(invite, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 100"), 2u);
  EXPECT_EQ(h.tu.count(K::Request), 1u);
}

TEST_F(InviteServer, NoTryingWhenTheTuAnswersInTime) {
  auto tx = receive_invite();
  h.advance(100);
  ASSERT_TRUE(tx->respond(Message::make_response(tx->request(), 180, {}, "uas-tag")));
  h.advance(10000);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 100"), 0u);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 180"), 1u);
}

TEST_F(InviteServer, TryingDelayIsConfigurable) {
  TransactionConfig cfg;
  cfg.invite_trying_after = Millis{0};
  Harness now(cfg);
  now.layer.receive(invite, udp_peer());
  EXPECT_EQ(now.sender.count_of("SIP/2.0 100"), 1u);

  cfg.invite_trying_after = std::nullopt;
  Harness never(cfg);
  never.layer.receive(invite, udp_peer());
  never.advance(60000);
  EXPECT_EQ(never.sender.count(), 0u);
}

TEST_F(InviteServer, RespondingInsideOnRequestWorks) {
  h.tu.on_request_hook = [](const ServerTransactionPtr& tx) {
    EXPECT_TRUE(tx->respond(Message::make_response(tx->request(), 180, {}, "uas-tag")));
  };
  auto tx = receive_invite();
  EXPECT_EQ(h.sender.count_of("SIP/2.0 180"), 1u);
  // Retransmitted INVITE re-sends the latest provisional.
  h.layer.receive(invite, udp_peer());
  EXPECT_EQ(h.sender.count_of("SIP/2.0 180"), 2u);
}

TEST_F(InviteServer, TimerGRetransmitsTheFinalResponseUntilTimerH) {
  auto tx = receive_invite();
  ASSERT_TRUE(tx->respond(Message::make_response(tx->request(), 486, {}, "uas-tag")));
  EXPECT_EQ(tx->state(), ServerState::Completed);
  h.advance(31999);
  // T1, 2*T1, 4*T1, then capped at T2 (17.2.1).
  EXPECT_EQ(h.sender.times_of("SIP/2.0 486"),
            (L{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(h.tu.count(K::ServerError), 0u);
  h.advance(1);  // Timer H
  ASSERT_EQ(h.tu.count(K::ServerError), 1u);
  EXPECT_EQ(h.tu.last(K::ServerError)->error, TransactionError::Timeout);
  EXPECT_EQ(h.tu.last(K::ServerError)->server, tx);
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_EQ(h.layer.server_count(), 0u);
  EXPECT_EQ(h.timers.pending(), 0u);
}

TEST_F(InviteServer, AckConfirmsAndIsAbsorbedThenTimerI) {
  auto tx = receive_invite();
  tx->respond(Message::make_response(tx->request(), 404, {}, "uas-tag"));
  h.advance(600);  // one G retransmission
  // Retransmitted INVITE in Completed re-sends the final response.
  EXPECT_EQ(h.layer.receive(invite, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 404"), 3u);

  EXPECT_EQ(h.layer.receive(ack_for(), udp_peer()), Disposition::AckAbsorbed);
  EXPECT_EQ(tx->state(), ServerState::Confirmed);
  EXPECT_EQ(h.tu.count(K::Ack), 0u);
  EXPECT_EQ(h.layer.receive(ack_for(), udp_peer()), Disposition::AckAbsorbed);
  // No more G; a retransmitted INVITE is absorbed silently.
  h.layer.receive(invite, udp_peer());
  h.advance(4999);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 404"), 3u);
  EXPECT_EQ(tx->state(), ServerState::Confirmed);
  h.advance(1);  // Timer I = T4
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_EQ(h.tu.count(K::ServerError), 0u);
  EXPECT_EQ(h.tu.count(K::ServerTerminated), 1u);
  EXPECT_EQ(h.layer.server_count(), 0u);
}

TEST_F(InviteServer, ReliableTransportHasNoTimerGAndZeroTimerI) {
  auto tx = receive_invite(tcp_peer());
  tx->respond(Message::make_response(tx->request(), 480, {}, "uas-tag"));
  h.advance(10000);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 480"), 1u);
  EXPECT_EQ(h.sender.last().to.flow, 7u);
  EXPECT_EQ(h.layer.receive(ack_for(), tcp_peer()), Disposition::AckAbsorbed);
  EXPECT_EQ(tx->state(), ServerState::Terminated);
}

TEST_F(InviteServer, ReliableTransportStillHasTimerH) {
  auto tx = receive_invite(tcp_peer());
  tx->respond(Message::make_response(tx->request(), 480, {}, "uas-tag"));
  h.advance(31999);
  EXPECT_EQ(tx->state(), ServerState::Completed);
  h.advance(1);
  EXPECT_EQ(h.tu.count(K::ServerError), 1u);
}

TEST_F(InviteServer, TwoHundredMovesToAcceptedWhereInvitesAreAbsorbedUntilTimerL) {
  auto tx = receive_invite();
  ASSERT_TRUE(tx->respond(Message::make_response(tx->request(), 200, {}, "uas-tag")));
  EXPECT_EQ(tx->state(), ServerState::Accepted);
  h.advance(2000);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 1u);  // the TU retransmits 2xx, not us
  // RFC 6026: a retransmitted INVITE is absorbed, not a new request.
  EXPECT_EQ(h.layer.receive(invite, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.tu.count(K::Request), 1u);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 1u);
  // The TU's 2xx retransmissions go out through the transaction.
  EXPECT_TRUE(tx->respond(Message::make_response(tx->request(), 200, {}, "uas-tag")));
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 2u);
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 486, {}, "uas-tag")));
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 180, {}, "uas-tag")));
  h.advance(29999);  // Timer L = 64*T1
  EXPECT_EQ(tx->state(), ServerState::Accepted);
  h.advance(1);
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 200, {}, "uas-tag")));
}

TEST_F(InviteServer, AckForTwoHundredIsPassedUpAsANewRequest) {
  auto tx = receive_invite();
  tx->respond(Message::make_response(tx->request(), 200, {}, "uas-tag"));
  Req ack;
  ack.method = "ACK";
  ack.to += ";tag=uas-tag";
  ack.with_branch("z9hG4bKnewbranchforack");  // RFC 3261: a new branch for the 2xx ACK
  Peer from = udp_peer();
  EXPECT_EQ(h.layer.receive(ack.msg(), from), Disposition::AckPassedUp);
  ASSERT_EQ(h.tu.count(K::Ack), 1u);
  EXPECT_EQ(h.tu.last(K::Ack)->msg->top_via()->branch(), "z9hG4bKnewbranchforack");
  EXPECT_TRUE(h.tu.last(K::Ack)->from.same_address(from));
  EXPECT_EQ(h.layer.server_count(), 1u);  // no transaction for the ACK
}

TEST_F(InviteServer, AckWithTheInviteBranchInAcceptedIsPassedUp) {
  auto tx = receive_invite();
  tx->respond(Message::make_response(tx->request(), 200, {}, "uas-tag"));
  EXPECT_EQ(h.layer.receive(ack_for(), udp_peer()), Disposition::AckPassedUp);
  EXPECT_EQ(h.tu.count(K::Ack), 1u);
}

TEST_F(InviteServer, ResponsesRespectRport) {
  Req r;
  r.via = "SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKnat";
  Peer nat{Transport::Udp, "198.51.100.7", 40123, 2};
  h.layer.receive(r.msg(), nat);
  auto tx = h.tu.last(K::Request)->server;
  tx->respond(Message::make_response(tx->request(), 180, {}, "t"));
  EXPECT_EQ(h.sender.last().to.port, 40123);
  EXPECT_EQ(tx->response_peer().port, 40123);

  Req r2;
  r2.via = "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKnonat";
  h.layer.receive(r2.msg(), nat);
  auto tx2 = h.tu.last(K::Request)->server;
  tx2->respond(Message::make_response(tx2->request(), 180, {}, "t"));
  EXPECT_EQ(h.sender.last().to.port, 5062);
  EXPECT_EQ(h.sender.last().to.ip, "198.51.100.7");
}

TEST_F(InviteServer, RefusesInvalidResponses) {
  auto tx = receive_invite();
  Message bad = Message::make_response(tx->request(), 99);
  EXPECT_FALSE(tx->respond(bad));
  EXPECT_FALSE(tx->respond(tx->request()));  // a request
  EXPECT_EQ(h.sender.count(), 0u);
  EXPECT_TRUE(tx->respond(Message::make_response(tx->request(), 603, {}, "x")));
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 200, {}, "x")));
}

TEST_F(InviteServer, ContextIsStoredOnTheTransaction) {
  auto tx = receive_invite();
  EXPECT_FALSE(tx->context());
  tx->set_context(std::make_shared<int>(7));
  EXPECT_EQ(*std::static_pointer_cast<int>(tx->context()), 7);
}

}  // namespace
}  // namespace parley::sip::test
