// INVITE client transaction, RFC 3261 17.1.1 with RFC 6026 7.2.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

using L = std::vector<long>;

struct InviteClient : ::testing::Test {
  Harness h;
  Message invite = Req{}.msg();

  ClientTransactionPtr send(const Peer& to = udp_peer(), ClientOptions opts = {}) {
    std::string error;
    auto tx = h.layer.send_request(invite, to, std::move(opts), &error);
    EXPECT_TRUE(tx) << error;
    return tx;
  }
  Disposition reply(int status, const Peer& from = udp_peer()) {
    return h.layer.receive(response_to(invite, status), from);
  }
};

TEST_F(InviteClient, TimerARetransmitsWithDoublingIntervalsUntilTimerB) {
  auto tx = send();
  EXPECT_EQ(tx->state(), ClientState::Calling);
  EXPECT_EQ(h.sender.count(), 1u);
  EXPECT_EQ(h.sender.at(0).tid, tx->id());
  EXPECT_TRUE(h.sender.at(0).to.same_address(udp_peer()));
  h.advance(31999);
  // T1, then 2*T1, 4*T1 ... with no cap (17.1.1.2).
  EXPECT_EQ(h.sender.times_of("INVITE"), (L{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  h.advance(1);  // Timer B = 64*T1
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::Timeout);
  EXPECT_EQ(h.tu.last(K::ClientError)->client, tx);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.kinds(), (std::vector<K>{K::ClientError, K::ClientTerminated}));
  EXPECT_EQ(h.layer.client_count(), 0u);
  EXPECT_EQ(h.timers.pending(), 0u);
  // A late response is now stray.
  EXPECT_EQ(reply(180), Disposition::StrayResponse);
}

TEST_F(InviteClient, ConfigurableT1ScalesTimersAAndB) {
  TransactionConfig cfg;
  cfg.t1 = Millis{100};
  Harness fast(cfg);
  ASSERT_TRUE(fast.layer.send_request(invite, udp_peer()));
  fast.advance(6399);
  EXPECT_EQ(fast.sender.times_of("INVITE"), (L{0, 100, 300, 700, 1500, 3100, 6300}));
  EXPECT_EQ(fast.tu.count(K::ClientError), 0u);
  fast.advance(1);
  EXPECT_EQ(fast.tu.count(K::ClientError), 1u);
}

TEST_F(InviteClient, ProvisionalStopsRetransmissionsAndTimerB) {
  auto tx = send();
  h.advance(600);  // one retransmission at 500
  EXPECT_EQ(reply(100), Disposition::Response);
  EXPECT_EQ(tx->state(), ClientState::Proceeding);
  EXPECT_EQ(reply(180), Disposition::Response);
  h.advance(120000);
  EXPECT_EQ(h.sender.count_of("INVITE"), 2u);
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{100, 180}));
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);  // no Timer B in Proceeding
  EXPECT_EQ(tx->state(), ClientState::Proceeding);
}

TEST_F(InviteClient, NonTwoHundredFinalIsAckedAndWaitsTimerD) {
  Message inv = Req{}.with_header("Route: <sip:p1.example.com;lr>").msg();
  invite = inv;
  auto tx = send();
  reply(180);
  EXPECT_EQ(reply(486), Disposition::Response);
  EXPECT_EQ(tx->state(), ClientState::Completed);
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{180, 486}));

  // RFC 3261 17.1.1.3: the transaction sends the ACK itself, to the INVITE's
  // destination.
  ASSERT_EQ(h.sender.count_of("ACK"), 1u);
  auto sent = h.sender.last();
  EXPECT_TRUE(sent.to.same_address(udp_peer()));
  Message ack = sent.msg();
  EXPECT_EQ(ack.method(), Method::Ack);
  EXPECT_EQ(ack.request_uri().text, invite.request_uri().text);
  EXPECT_EQ(ack.cseq()->number, 314159u);
  EXPECT_EQ(ack.cseq()->method, Method::Ack);
  EXPECT_EQ(ack.to()->tag(), "as83kd9bs");
  EXPECT_EQ(ack.top_via()->branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(ack.count(HeaderId::Via), 1u);
  EXPECT_EQ(ack.count(HeaderId::Route), 1u);

  // Retransmitted final responses are absorbed and re-ACKed.
  h.advance(1000);
  EXPECT_EQ(reply(486), Disposition::Response);
  EXPECT_EQ(h.sender.count_of("ACK"), 2u);
  EXPECT_EQ(h.tu.response_codes().size(), 2u);

  // Timer D: 32 s on UDP (from the first final response).
  h.advance(30999);
  EXPECT_EQ(tx->state(), ClientState::Completed);
  h.advance(1);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.count(K::ClientTerminated), 1u);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  EXPECT_EQ(h.layer.client_count(), 0u);
  EXPECT_EQ(h.sender.count_of("INVITE"), 1u);  // 180 came before Timer A
}

TEST_F(InviteClient, FinalResponseInCallingIsAckedToo) {
  auto tx = send();
  reply(503);
  EXPECT_EQ(tx->state(), ClientState::Completed);
  EXPECT_EQ(h.sender.count_of("ACK"), 1u);
  h.advance(32000);
  EXPECT_EQ(h.sender.count_of("INVITE"), 1u);  // no Timer A after the final
  EXPECT_EQ(tx->state(), ClientState::Terminated);
}

TEST_F(InviteClient, TwoHundredIsPassedUpAndAcceptedUntilTimerM) {
  auto tx = send();
  reply(180);
  EXPECT_EQ(reply(200), Disposition::Response);
  EXPECT_EQ(tx->state(), ClientState::Accepted);
  EXPECT_EQ(h.sender.count_of("ACK"), 0u);  // the TU ACKs 2xx (13.2.2.4)
  // RFC 6026 7.2: 2xx retransmissions (and other forks' 2xx) keep coming up.
  h.advance(5000);
  EXPECT_EQ(reply(200), Disposition::Response);
  h.layer.receive(response_to(invite, 200, "fork2"), udp_peer());
  auto codes = h.tu.response_codes();
  EXPECT_EQ(codes, (std::vector<int>{180, 200, 200, 200}));
  EXPECT_EQ(h.tu.last(K::Response)->msg->to()->tag(), "fork2");
  // Non-2xx in Accepted is absorbed.
  reply(486);
  EXPECT_EQ(h.tu.response_codes().size(), 4u);
  EXPECT_EQ(h.sender.count_of("ACK"), 0u);
  // Timer M = 64*T1 after the first 2xx.
  h.advance(26999);
  EXPECT_EQ(tx->state(), ClientState::Accepted);
  h.advance(1);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  // After that, a 2xx is stray: the proxy forwards it statelessly (16.11).
  EXPECT_EQ(reply(200), Disposition::StrayResponse);
  EXPECT_EQ(h.tu.last(K::Stray)->msg->status(), 200);
}

TEST_F(InviteClient, ReliableTransportNeverRetransmitsAndHasZeroTimerD) {
  auto tx = send(tcp_peer());
  h.advance(31999);
  EXPECT_EQ(h.sender.count_of("INVITE"), 1u);
  h.advance(1);  // Timer B still applies
  EXPECT_EQ(h.tu.count(K::ClientError), 1u);

  Harness h2;
  auto tx2 = h2.layer.send_request(invite, tcp_peer());
  h2.layer.receive(response_to(invite, 404), tcp_peer());
  EXPECT_EQ(h2.sender.count_of("ACK"), 1u);
  EXPECT_EQ(tx2->state(), ClientState::Terminated);  // D = 0
  EXPECT_EQ(h2.layer.client_count(), 0u);
}

TEST_F(InviteClient, ReliableFlowIsLearnedFromTheFirstResponseForTheAck) {
  Peer to = tcp_peer();
  to.flow = 0;  // "any connection"
  auto tx = send(to);
  Peer from = tcp_peer();  // the transport reports the connection it used
  h.layer.receive(response_to(invite, 486), from);
  EXPECT_EQ(tx->destination().flow, 7u);
  EXPECT_EQ(h.sender.last().to.flow, 7u);
}

TEST_F(InviteClient, TimerCBeforeAnyProvisionalIsATimeout) {
  TransactionConfig cfg;
  cfg.t1 = Millis{5000};  // keep Timer B out of the way
  Harness hc(cfg);
  auto tx = hc.layer.send_request(invite, tcp_peer(), ClientOptions{Millis{180000}, nullptr});
  ASSERT_TRUE(tx);
  hc.advance(179999);
  EXPECT_EQ(hc.tu.count(K::ClientError), 0u);
  hc.advance(1);
  ASSERT_EQ(hc.tu.count(K::ClientError), 1u);
  EXPECT_EQ(hc.tu.last(K::ClientError)->error, TransactionError::Timeout);
}

TEST_F(InviteClient, TimerCAfterProvisionalSendsCancelAndRestartsOnEachProvisional) {
  auto tx = send(udp_peer(), ClientOptions{Millis{180000}, nullptr});
  reply(100);
  h.advance(100000);
  reply(180);  // restarts Timer C (16.7 step 2); 100 does not
  h.advance(179999);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 0u);
  h.advance(1);
  ASSERT_EQ(h.sender.count_of("CANCEL"), 1u);
  Message cancel = h.sender.last().msg();
  EXPECT_EQ(cancel.top_via()->branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(cancel.cseq()->method, Method::Cancel);
  // The layer's own CANCEL raises no TU events; its 200 is absorbed.
  h.layer.receive(response_to(cancel, 200), udp_peer());
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{100, 180}));
  h.layer.receive(response_to(invite, 487), udp_peer());
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{100, 180, 487}));
  EXPECT_EQ(h.sender.count_of("ACK"), 1u);
  EXPECT_EQ(tx->state(), ClientState::Completed);
}

TEST_F(InviteClient, TimerCCancelWithoutFinalResponseEndsAfter64T1) {
  auto tx = send(udp_peer(), ClientOptions{Millis{180000}, nullptr});
  reply(180);
  h.advance(180000);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 1u);
  h.advance(31999);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  h.advance(1);
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::Timeout);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
}

TEST_F(InviteClient, DuplicateBranchAndUnusableRequestsAreRefused) {
  ASSERT_TRUE(send());
  std::string error;
  EXPECT_FALSE(h.layer.send_request(invite, udp_peer(), {}, &error));
  EXPECT_EQ(error, "branch already in use");
  Req old;
  old.via = "SIP/2.0/UDP pc33.atlanta.example.com;branch=1234";
  EXPECT_FALSE(h.layer.send_request(old.msg(), udp_peer(), {}, &error));
  Req ack;
  ack.method = "ACK";
  EXPECT_FALSE(h.layer.send_request(ack.msg(), udp_peer(), {}, &error));
  EXPECT_FALSE(h.layer.send_request(response_to(invite, 200), udp_peer(), {}, &error));
}

TEST_F(InviteClient, ContextIsKeptWithTheTransaction) {
  auto ctx = std::make_shared<int>(42);
  auto tx = send(udp_peer(), ClientOptions{std::nullopt, ctx});
  reply(180);
  auto seen = h.tu.last(K::Response)->client;
  EXPECT_EQ(seen, tx);
  EXPECT_EQ(*std::static_pointer_cast<int>(seen->context()), 42);
}

}  // namespace
}  // namespace parley::sip::test
