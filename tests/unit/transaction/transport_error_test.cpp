// Transport errors, RFC 3261 17.1.4 and 17.2.4.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

TEST(TransportError, FirstSendFailureEndsTheClientTransactionAndIsPosted) {
  Harness h;
  h.sender.set_fail(true);
  auto tx = h.layer.send_request(Req{}.msg(), udp_peer());
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.layer.client_count(), 0u);
  // Never from inside the TU's own call: delivered by a zero-delay timer.
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  h.advance(0);
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::TransportError);
  EXPECT_EQ(h.tu.kinds(), (std::vector<K>{K::ClientError, K::ClientTerminated}));
}

TEST(TransportError, RetransmissionFailureEndsTheClientTransaction) {
  Harness h;
  auto tx = h.layer.send_request(req("OPTIONS").msg(), udp_peer());
  h.sender.set_fail(true);
  h.advance(500);  // Timer E fires, the send fails
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::TransportError);
  h.advance(60000);
  EXPECT_EQ(h.tu.count(K::ClientError), 1u);
}

TEST(TransportError, AsynchronousFailureReportedByTransactionId) {
  Harness h;
  auto tx = h.layer.send_request(Req{}.msg(), tcp_peer());
  TransactionId tid = h.sender.last().tid;
  EXPECT_EQ(tid, tx->id());
  h.layer.transport_failed(tid);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  h.advance(0);
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::TransportError);
  // Unknown and stale ids are ignored.
  h.layer.transport_failed(tid);
  h.layer.transport_failed(987654);
  h.advance(0);
  EXPECT_EQ(h.tu.count(K::ClientError), 1u);
}

TEST(TransportError, NoClientErrorOnceTheFinalResponseWasPassedUp) {
  Harness h;
  Message invite = Req{}.msg();
  auto tx = h.layer.send_request(invite, udp_peer());
  h.layer.receive(response_to(invite, 200), udp_peer());
  h.layer.transport_failed(tx->id());
  h.advance(0);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
}

TEST(TransportError, ServerResponseFailureEndsTheServerTransaction) {
  Harness h;
  h.layer.receive(Req{}.msg(), udp_peer());
  auto tx = h.tu.last(K::Request)->server;
  h.sender.set_fail(true);
  EXPECT_FALSE(tx->respond(Message::make_response(tx->request(), 486, {}, "t")));
  EXPECT_EQ(tx->state(), ServerState::Terminated);
  EXPECT_EQ(h.layer.server_count(), 0u);
  EXPECT_EQ(h.tu.count(K::ServerError), 0u);
  h.advance(0);
  ASSERT_EQ(h.tu.count(K::ServerError), 1u);
  EXPECT_EQ(h.tu.last(K::ServerError)->error, TransactionError::TransportError);
  EXPECT_EQ(h.tu.last(K::ServerError)->server, tx);
}

TEST(TransportError, FailureOfTheAutomatic100TryingIsReportedSynchronously) {
  Harness h;
  h.sender.set_fail(true);
  h.layer.receive(Req{}.msg(), udp_peer());
  h.advance(200);
  EXPECT_EQ(h.tu.kinds(), (std::vector<K>{K::Request, K::ServerError, K::ServerTerminated}));
}

TEST(TransportError, AsynchronousFailureOfAServerResponse) {
  Harness h;
  h.layer.receive(req("OPTIONS").msg(), tcp_peer());
  auto tx = h.tu.last(K::Request)->server;
  EXPECT_TRUE(tx->respond(Message::make_response(tx->request(), 180)));
  h.layer.transport_failed(h.sender.last().tid);
  h.advance(0);
  EXPECT_EQ(h.tu.count(K::ServerError), 1u);
  EXPECT_EQ(tx->state(), ServerState::Terminated);
}

}  // namespace
}  // namespace parley::sip::test
