// Non-INVITE client transaction, RFC 3261 17.1.2.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

using L = std::vector<long>;

struct NonInviteClient : ::testing::Test {
  Harness h;
  Message options = req("OPTIONS").msg();

  ClientTransactionPtr send(const Peer& to = udp_peer()) {
    std::string error;
    auto tx = h.layer.send_request(options, to, {}, &error);
    EXPECT_TRUE(tx) << error;
    return tx;
  }
  Disposition reply(int status) { return h.layer.receive(response_to(options, status), udp_peer()); }
};

TEST_F(NonInviteClient, TimerEDoublesUpToT2ThenTimerFTimesOut) {
  auto tx = send();
  EXPECT_EQ(tx->state(), ClientState::Trying);
  h.advance(31999);
  // 500, 1000, 2000, 4000 (= T2), then every T2 (17.1.2.2).
  EXPECT_EQ(h.sender.times_of("OPTIONS"),
            (L{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  h.advance(1);  // Timer F = 64*T1
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::Timeout);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.layer.client_count(), 0u);
  EXPECT_EQ(h.timers.pending(), 0u);
}

TEST_F(NonInviteClient, ConfigurableT2CapsTimerE) {
  TransactionConfig cfg;
  cfg.t2 = Millis{1000};
  Harness h2(cfg);
  ASSERT_TRUE(h2.layer.send_request(options, udp_peer()));
  h2.advance(5000);
  EXPECT_EQ(h2.sender.times_of("OPTIONS"), (L{0, 500, 1500, 2500, 3500, 4500}));
}

TEST_F(NonInviteClient, InProceedingTimerERetransmitsEveryT2) {
  auto tx = send();
  h.advance(600);  // retransmission at 500; Timer E next due at 1500
  EXPECT_EQ(reply(100), Disposition::Response);
  EXPECT_EQ(tx->state(), ClientState::Proceeding);
  h.advance(10000);  // to 10600
  EXPECT_EQ(h.sender.times_of("OPTIONS"), (L{0, 500, 1500, 5500, 9500}));
  // Timer F still runs in Proceeding.
  h.advance(21399);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  h.advance(1);
  EXPECT_EQ(h.tu.count(K::ClientError), 1u);
}

TEST_F(NonInviteClient, FinalResponseCompletesAndTimerKAbsorbsRetransmissions) {
  auto tx = send();
  reply(180);
  reply(200);
  EXPECT_EQ(tx->state(), ClientState::Completed);
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{180, 200}));
  reply(200);  // absorbed
  EXPECT_EQ(h.tu.response_codes().size(), 2u);
  h.advance(4999);  // Timer K = T4
  EXPECT_EQ(tx->state(), ClientState::Completed);
  EXPECT_EQ(h.sender.count_of("OPTIONS"), 1u);  // no retransmission in Completed
  h.advance(1);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.kinds().back(), K::ClientTerminated);
  EXPECT_EQ(reply(200), Disposition::StrayResponse);
}

TEST_F(NonInviteClient, ConfigurableT4SetsTimerK) {
  TransactionConfig cfg;
  cfg.t4 = Millis{1000};
  Harness h2(cfg);
  auto tx = h2.layer.send_request(options, udp_peer());
  h2.layer.receive(response_to(options, 200), udp_peer());
  h2.advance(999);
  EXPECT_EQ(tx->state(), ClientState::Completed);
  h2.advance(1);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
}

TEST_F(NonInviteClient, ReliableTransportHasNoTimerEAndZeroTimerK) {
  auto tx = send(tcp_peer());
  h.advance(20000);
  EXPECT_EQ(h.sender.count_of("OPTIONS"), 1u);
  h.layer.receive(response_to(options, 404), tcp_peer());
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.response_codes(), (std::vector<int>{404}));
  EXPECT_EQ(h.layer.client_count(), 0u);
}

TEST_F(NonInviteClient, ResponseForAnotherMethodOrBranchIsStray) {
  auto tx = send();
  Req other = req("OPTIONS");
  other.with_branch("z9hG4bKsomethingelse");
  EXPECT_EQ(h.layer.receive(response_to(other.msg(), 200), udp_peer()), Disposition::StrayResponse);
  Req sub = req("SUBSCRIBE");  // same branch, other CSeq method
  EXPECT_EQ(h.layer.receive(response_to(sub.msg(), 200), udp_peer()), Disposition::StrayResponse);
  EXPECT_EQ(h.tu.count(K::Stray), 2u);
  EXPECT_EQ(tx->state(), ClientState::Trying);
}

}  // namespace
}  // namespace parley::sip::test
