#include "sip/transaction/uac_requests.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip {
namespace {

using test::Req;

Message routed_invite() {
  Req r;
  r.via = "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1";
  r.extra = {"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKa1",
             "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
             "Contact: <sip:alice@pc33.atlanta.example.com>",
             "Subject: lunch"};
  // Put the second Via right after the first: order of Via matters, not of the rest.
  return r.msg();
}

TEST(AckForNon2xx, FollowsRfc3261_17_1_1_3) {
  Message invite = routed_invite();
  Message busy = test::response_to(invite, 486, "bobtag");
  Message ack = test::wire(make_ack_for_non2xx(invite, busy));

  EXPECT_EQ(ack.method(), Method::Ack);
  EXPECT_EQ(ack.request_uri().text, invite.request_uri().text);
  EXPECT_EQ(ack.call_id(), invite.call_id());
  EXPECT_EQ(ack.from()->text, invite.from()->text);
  EXPECT_EQ(ack.to()->tag(), "bobtag");
  ASSERT_TRUE(ack.cseq());
  EXPECT_EQ(ack.cseq()->number, invite.cseq()->number);
  EXPECT_EQ(ack.cseq()->method, Method::Ack);
  ASSERT_EQ(ack.count(HeaderId::Via), 1u);
  EXPECT_EQ(ack.top_via()->branch(), "z9hG4bKp1");
  auto routes = ack.find_all(HeaderId::Route);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0]->value, "<sip:p1.example.com;lr>");
  EXPECT_EQ(routes[1]->value, "<sip:p2.example.com;lr>");
  EXPECT_EQ(ack.max_forwards(), 70u);
  EXPECT_FALSE(ack.find(HeaderId::Contact));
  EXPECT_FALSE(ack.find(HeaderId::Subject));
  EXPECT_TRUE(ack.body().empty());
}

TEST(Cancel, FollowsRfc3261_9_1) {
  Message invite = routed_invite();
  Message cancel = test::wire(make_cancel(invite));
  EXPECT_EQ(cancel.method(), Method::Cancel);
  EXPECT_EQ(cancel.request_uri().text, invite.request_uri().text);
  EXPECT_EQ(cancel.call_id(), invite.call_id());
  EXPECT_EQ(cancel.from()->text, invite.from()->text);
  EXPECT_EQ(cancel.to()->text, invite.to()->text);
  EXPECT_EQ(cancel.cseq()->number, invite.cseq()->number);
  EXPECT_EQ(cancel.cseq()->method, Method::Cancel);
  ASSERT_EQ(cancel.count(HeaderId::Via), 1u);
  EXPECT_EQ(cancel.find(HeaderId::Via)->value, invite.find(HeaderId::Via)->value);
  EXPECT_EQ(cancel.count(HeaderId::Route), 2u);
  EXPECT_EQ(cancel.max_forwards(), 70u);
}

}  // namespace
}  // namespace parley::sip
