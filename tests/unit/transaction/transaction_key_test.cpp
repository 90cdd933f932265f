#include "sip/transaction/transaction_key.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip {
namespace {

using test::Req;

TEST(ServerKey, RetransmissionHasTheSameKey) {
  auto a = server_transaction_key(Req{}.msg());
  auto b = server_transaction_key(Req{}.msg());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(ServerKey, AckMatchesInviteButCancelIsItsOwnTransaction) {
  Req invite;
  Req ack;
  ack.method = "ACK";
  ack.to += ";tag=xyz";
  Req cancel;
  cancel.method = "CANCEL";
  auto ki = server_transaction_key(invite.msg());
  EXPECT_EQ(ki, server_transaction_key(ack.msg()));
  EXPECT_NE(ki, server_transaction_key(cancel.msg()));
  // RFC 3261 9.2: the CANCEL's target is looked up as if it were an INVITE.
  EXPECT_EQ(ki, server_transaction_key(cancel.msg(), Method::Invite));
}

TEST(ServerKey, BranchSentByAndMethodAllCount) {
  auto base = server_transaction_key(Req{}.msg());
  Req other_branch;
  other_branch.with_branch("z9hG4bK776asdhdX");
  EXPECT_NE(base, server_transaction_key(other_branch.msg()));
  // Branch comparison is case-sensitive.
  Req upper;
  upper.with_branch("z9hG4bK776ASDHDS");
  EXPECT_NE(base, server_transaction_key(upper.msg()));
  Req other_port;
  other_port.via = "SIP/2.0/UDP pc33.atlanta.example.com:5070;branch=z9hG4bK776asdhds";
  EXPECT_NE(base, server_transaction_key(other_port.msg()));
  // The sent-by host is case-insensitive.
  Req upper_host;
  upper_host.via = "SIP/2.0/UDP PC33.Atlanta.Example.COM:5060;branch=z9hG4bK776asdhds";
  EXPECT_EQ(base, server_transaction_key(upper_host.msg()));
  Req options;
  options.method = "OPTIONS";
  EXPECT_NE(base, server_transaction_key(options.msg()));
  // Other RFC 3261 fields do not take part.
  Req other_call;
  other_call.call_id = "different";
  EXPECT_EQ(base, server_transaction_key(other_call.msg()));
}

TEST(ServerKey, Rfc2543FallbackUsesDialogFieldsAndTopVia) {
  Req r;
  r.via = "SIP/2.0/UDP old.example.com:5060;branch=1234";
  auto base = server_transaction_key(r.msg());
  ASSERT_TRUE(base);
  EXPECT_EQ(base, server_transaction_key(r.msg()));

  auto differs = [&](auto edit) {
    Req x = r;
    edit(x);
    return server_transaction_key(x.msg()) != base;
  };
  EXPECT_TRUE(differs([](Req& x) { x.ruri = "sip:carol@biloxi.example.com"; }));
  EXPECT_TRUE(differs([](Req& x) { x.to += ";tag=t1"; }));
  EXPECT_TRUE(differs([](Req& x) { x.from = "<sip:alice@atlanta.example.com>;tag=other"; }));
  EXPECT_TRUE(differs([](Req& x) { x.call_id = "other"; }));
  EXPECT_TRUE(differs([](Req& x) { x.cseq = 1; }));
  EXPECT_TRUE(differs([](Req& x) { x.via = "SIP/2.0/UDP old.example.com:5061;branch=1234"; }));
  // No branch at all is RFC 2543 too.
  EXPECT_TRUE(differs([](Req& x) { x.via = "SIP/2.0/UDP old.example.com:5060"; }));
  // The From display name is not part of the key.
  EXPECT_FALSE(differs([](Req& x) { x.from = "\"A\" <sip:alice@atlanta.example.com>;tag=1928301774"; }));

  // The ACK carries the response's To tag; the lookup replaces it.
  Req ack = r;
  ack.method = "ACK";
  ack.to += ";tag=resp";
  EXPECT_NE(base, server_transaction_key(ack.msg()));
  EXPECT_EQ(base, server_transaction_key(ack.msg(), Method::Invite, ""));
}

TEST(ClientKey, ResponseMatchesRequestByBranchAndCSeqMethod) {
  Message invite = Req{}.msg();
  Message ok = test::response_to(invite, 200);
  auto k = client_transaction_key(invite);
  ASSERT_TRUE(k);
  EXPECT_EQ(k, client_transaction_key(ok));

  Req cancel;
  cancel.method = "CANCEL";
  Message cancel_msg = cancel.msg();
  EXPECT_NE(k, client_transaction_key(cancel_msg));
  EXPECT_EQ(client_transaction_key(cancel_msg), client_transaction_key(test::response_to(cancel_msg, 200)));

  Req other;
  other.with_branch("z9hG4bKother");
  EXPECT_NE(k, client_transaction_key(test::response_to(other.msg(), 200)));
}

TEST(ClientKey, NeedsABranch) {
  Req r;
  r.via = "SIP/2.0/UDP pc33.atlanta.example.com:5060";
  EXPECT_FALSE(client_transaction_key(r.msg()));
  EXPECT_FALSE(has_rfc3261_branch(r.msg()));
  EXPECT_TRUE(has_rfc3261_branch(Req{}.msg()));
}

}  // namespace
}  // namespace parley::sip
