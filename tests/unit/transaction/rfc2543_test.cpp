// RFC 2543 fallback matching for server transactions (RFC 3261 17.2.3, last
// paragraphs): requests whose branch lacks the magic cookie.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

Req old_style(std::string method = "INVITE") {
  Req r;
  r.method = std::move(method);
  r.via = "SIP/2.0/UDP old.example.com:5060";  // no branch at all
  return r;
}

struct Rfc2543 : ::testing::Test {
  Harness h;
  ServerTransactionPtr invite_tx() {
    EXPECT_EQ(h.layer.receive(old_style().msg(), udp_peer()), Disposition::NewTransaction);
    return h.tu.last(K::Request)->server;
  }
};

TEST_F(Rfc2543, RetransmissionMatchesOnDialogFieldsAndTopVia) {
  auto tx = invite_tx();
  tx->respond(Message::make_response(tx->request(), 180, {}, "uas"));
  EXPECT_EQ(h.layer.receive(old_style().msg(), udp_peer()), Disposition::Retransmission);
  EXPECT_EQ(h.sender.count_of("SIP/2.0 180"), 2u);

  // Any difference in the listed fields makes it a new transaction.
  Req other_cseq = old_style();
  other_cseq.cseq = 2;
  EXPECT_EQ(h.layer.receive(other_cseq.msg(), udp_peer()), Disposition::NewTransaction);
  Req other_via = old_style();
  other_via.via = "SIP/2.0/UDP old.example.com:5070";
  EXPECT_EQ(h.layer.receive(other_via.msg(), udp_peer()), Disposition::NewTransaction);
  Req other_from_tag = old_style();
  other_from_tag.from = "<sip:alice@atlanta.example.com>;tag=zzz";
  EXPECT_EQ(h.layer.receive(other_from_tag.msg(), udp_peer()), Disposition::NewTransaction);
  Req other_ruri = old_style();
  other_ruri.ruri = "sip:bob@other.example.com";
  EXPECT_EQ(h.layer.receive(other_ruri.msg(), udp_peer()), Disposition::NewTransaction);
  EXPECT_EQ(h.tu.count(K::Request), 5u);
}

TEST_F(Rfc2543, AckCarryingTheResponseToTagMatchesTheInvite) {
  auto tx = invite_tx();
  tx->respond(Message::make_response(tx->request(), 486, {}, "uas"));
  Req wrong_tag = old_style("ACK");
  wrong_tag.to += ";tag=other";
  // A tag that is not the one we sent does not match: passed up instead.
  EXPECT_EQ(h.layer.receive(wrong_tag.msg(), udp_peer()), Disposition::AckPassedUp);
  EXPECT_EQ(tx->state(), ServerState::Completed);

  Req ack = old_style("ACK");
  ack.to += ";tag=uas";
  EXPECT_EQ(h.layer.receive(ack.msg(), udp_peer()), Disposition::AckAbsorbed);
  EXPECT_EQ(tx->state(), ServerState::Confirmed);
}

TEST_F(Rfc2543, ReInviteWithToTagIsMatchedAndAcked) {
  Req reinvite = old_style();
  reinvite.to += ";tag=dlg";
  ASSERT_EQ(h.layer.receive(reinvite.msg(), udp_peer()), Disposition::NewTransaction);
  auto tx = h.tu.last(K::Request)->server;
  EXPECT_EQ(h.layer.receive(reinvite.msg(), udp_peer()), Disposition::Retransmission);
  tx->respond(Message::make_response(tx->request(), 488, {}, "ignored"));
  Req ack = old_style("ACK");
  ack.to += ";tag=dlg";
  EXPECT_EQ(h.layer.receive(ack.msg(), udp_peer()), Disposition::AckAbsorbed);
  EXPECT_EQ(tx->state(), ServerState::Confirmed);
}

TEST_F(Rfc2543, AckForTwoHundredMatchesInAcceptedAndIsPassedUp) {
  auto tx = invite_tx();
  tx->respond(Message::make_response(tx->request(), 200, {}, "uas"));
  Req ack = old_style("ACK");
  ack.to += ";tag=uas";
  EXPECT_EQ(h.layer.receive(ack.msg(), udp_peer()), Disposition::AckPassedUp);
  EXPECT_EQ(h.tu.count(K::Ack), 1u);
}

TEST_F(Rfc2543, CancelFindsTheInviteAndIsItsOwnTransaction) {
  auto tx = invite_tx();
  Message cancel = old_style("CANCEL").msg();
  EXPECT_EQ(h.layer.receive(cancel, udp_peer()), Disposition::NewTransaction);
  ASSERT_EQ(h.tu.count(K::Cancel), 1u);
  EXPECT_EQ(h.tu.last(K::Cancel)->server, tx);
  EXPECT_EQ(h.layer.server_count(), 2u);
  EXPECT_EQ(h.layer.receive(cancel, udp_peer()), Disposition::Retransmission);
}

TEST_F(Rfc2543, NonCookieBranchIsAlsoRfc2543) {
  Req r = old_style();
  r.via = "SIP/2.0/UDP old.example.com:5060;branch=0a1b2c";
  ASSERT_EQ(h.layer.receive(r.msg(), udp_peer()), Disposition::NewTransaction);
  Req same_branch_other_call = r;
  same_branch_other_call.call_id = "another-call";
  // With RFC 3261 matching these would collide on the branch; here they do not.
  EXPECT_EQ(h.layer.receive(same_branch_other_call.msg(), udp_peer()), Disposition::NewTransaction);
}

}  // namespace
}  // namespace parley::sip::test
