// CANCEL, RFC 3261 9.1 (client) and 9.2 (server).
#include <gtest/gtest.h>

#include "sip/transaction/uac_requests.hpp"
#include "test_support.hpp"

namespace parley::sip::test {
namespace {

struct CancelServer : ::testing::Test {
  Harness h;
  Message invite = Req{}.msg();
  Message cancel = req("CANCEL").msg();
};

TEST_F(CancelServer, CancelMatchingAPendingInviteIsReportedWithBothTransactions) {
  h.layer.receive(invite, udp_peer());
  auto inv_tx = h.tu.last(K::Request)->server;
  h.tu.on_cancel_hook = [](const ServerTransactionPtr& inv, const ServerTransactionPtr& can) {
    EXPECT_TRUE(can->respond(Message::make_response(can->request(), 200, {}, "t")));
    EXPECT_TRUE(inv->respond(Message::make_response(inv->request(), 487, {}, "t")));
  };
  EXPECT_EQ(h.layer.find_cancelled(cancel), inv_tx);
  EXPECT_EQ(h.layer.receive(cancel, udp_peer()), Disposition::NewTransaction);
  ASSERT_EQ(h.tu.count(K::Cancel), 1u);
  auto ev = *h.tu.last(K::Cancel);
  EXPECT_EQ(ev.server, inv_tx);
  EXPECT_EQ(ev.cancel->method(), Method::Cancel);
  EXPECT_EQ(h.tu.count(K::Request), 1u);  // the CANCEL is not an on_request
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 1u);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 487"), 1u);
  EXPECT_EQ(inv_tx->state(), ServerState::Completed);
  // The CANCEL's Completed state is the layer's compact record (UDP).
  EXPECT_EQ(ev.cancel->state(), ServerState::Terminated);
  EXPECT_EQ(h.layer.completed_count(), 1u);
  // A retransmitted CANCEL is absorbed by its own transaction (200 re-sent).
  EXPECT_EQ(h.layer.receive(cancel, udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 200"), 2u);
  EXPECT_EQ(h.tu.count(K::Cancel), 1u);
}

TEST_F(CancelServer, CancelMatchingNothingIsAnOrdinaryRequest) {
  EXPECT_EQ(h.layer.receive(cancel, udp_peer()), Disposition::NewTransaction);
  EXPECT_EQ(h.tu.count(K::Cancel), 0u);
  ASSERT_EQ(h.tu.count(K::Request), 1u);
  EXPECT_EQ(h.tu.last(K::Request)->server->method(), Method::Cancel);
}

TEST_F(CancelServer, CancelAfterTheFinalResponseStillMatches) {
  h.layer.receive(invite, udp_peer());
  auto inv_tx = h.tu.last(K::Request)->server;
  inv_tx->respond(Message::make_response(inv_tx->request(), 200, {}, "t"));
  h.layer.receive(cancel, udp_peer());
  ASSERT_EQ(h.tu.count(K::Cancel), 1u);
  auto inv = h.tu.last(K::Cancel)->server;
  EXPECT_EQ(inv->state(), ServerState::Accepted);
  EXPECT_FALSE(inv->respond(Message::make_response(inv->request(), 487, {}, "t")));
}

struct CancelClient : ::testing::Test {
  Harness h;
  Message invite = Req{}.msg();
  ClientTransactionPtr tx = h.layer.send_request(invite, udp_peer());
};

TEST_F(CancelClient, CancelIsDeferredUntilAProvisionalArrives) {
  auto c = tx->cancel();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state(), ClientState::Deferred);
  EXPECT_EQ(tx->cancel(), c);  // idempotent
  h.advance(1000);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 0u);
  h.layer.receive(response_to(invite, 180), udp_peer());
  ASSERT_EQ(h.sender.count_of("CANCEL"), 1u);
  EXPECT_EQ(c->state(), ClientState::Trying);

  Message sent = h.sender.last().msg();
  EXPECT_EQ(sent.method(), Method::Cancel);
  EXPECT_EQ(sent.top_via()->branch(), invite.top_via()->branch());
  EXPECT_EQ(sent.cseq()->number, invite.cseq()->number);
  EXPECT_EQ(sent.request_uri().text, invite.request_uri().text);
  EXPECT_TRUE(h.sender.last().to.same_address(udp_peer()));
  EXPECT_EQ(h.sender.last().tid, c->id());

  // The CANCEL's 200 and the INVITE's 487 reach the TU through their handles.
  h.layer.receive(response_to(sent, 200), udp_peer());
  h.layer.receive(response_to(invite, 487), udp_peer());
  auto events = h.tu.events();
  std::vector<std::pair<ClientTransactionPtr, int>> responses;
  for (auto& e : events) {
    if (e.kind == K::Response) responses.emplace_back(e.client, e.msg->status());
  }
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0], std::make_pair(tx, 180));
  EXPECT_EQ(responses[1], std::make_pair(c, 200));
  EXPECT_EQ(responses[2], std::make_pair(tx, 487));
  EXPECT_EQ(tx->state(), ClientState::Completed);
  EXPECT_EQ(h.sender.count_of("ACK"), 1u);
}

TEST_F(CancelClient, CancelInProceedingIsSentAtOnceWithTimerE) {
  h.layer.receive(response_to(invite, 183), udp_peer());
  auto c = tx->cancel();
  ASSERT_TRUE(c);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 1u);
  h.advance(600);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 2u);  // a non-INVITE transaction of its own
}

TEST_F(CancelClient, DeferredCancelIsDroppedWhenAFinalResponseComesFirst) {
  auto c = tx->cancel();
  h.layer.receive(response_to(invite, 200), udp_peer());
  EXPECT_EQ(c->state(), ClientState::Terminated);
  h.advance(60000);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 0u);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  // It ended quietly (terminated, no response, no error).
  bool cancel_terminated = false;
  for (auto& e : h.tu.events()) {
    if (e.kind == K::ClientTerminated && e.client == c) cancel_terminated = true;
  }
  EXPECT_TRUE(cancel_terminated);
}

TEST_F(CancelClient, DeferredCancelIsDroppedWhenTheInviteTimesOut) {
  auto c = tx->cancel();
  h.advance(32000);  // Timer B
  EXPECT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(c->state(), ClientState::Terminated);
  EXPECT_EQ(h.sender.count_of("CANCEL"), 0u);
}

TEST_F(CancelClient, InviteIsGivenUp64T1AfterTheCancelWithoutFinalResponse) {
  h.layer.receive(response_to(invite, 180), udp_peer());
  h.advance(1000);
  auto c = tx->cancel();
  h.layer.receive(response_to(c->request(), 200), udp_peer());
  h.advance(31999);
  EXPECT_EQ(tx->state(), ClientState::Proceeding);
  h.advance(1);
  EXPECT_EQ(tx->state(), ClientState::Terminated);
  ASSERT_EQ(h.tu.count(K::ClientError), 1u);
  EXPECT_EQ(h.tu.last(K::ClientError)->client, tx);
  EXPECT_EQ(h.tu.last(K::ClientError)->error, TransactionError::Timeout);
}

TEST_F(CancelClient, NothingToCancelAfterAFinalResponseOrForNonInvite) {
  h.layer.receive(response_to(invite, 486), udp_peer());
  EXPECT_FALSE(tx->cancel());
  auto opt = h.layer.send_request(req("OPTIONS").with_branch("z9hG4bKopt").msg(), udp_peer());
  ASSERT_TRUE(opt);
  EXPECT_FALSE(opt->cancel());
}

}  // namespace
}  // namespace parley::sip::test
