// The presence role for standard SIP clients: PUBLISH (RFC 3903) and
// SUBSCRIBE/NOTIFY with PIDF (RFC 3856, 6665), behind the proxy's Digest
// authentication; lifetime (sweep, 481).
#include "presence_fixture.hpp"

namespace parley::presence::test {
namespace {

TEST_F(PresenceTest, PublishPidfGivesEtagAndExpiresAndSetsAvailability) {
  Outcome o = send_as(pidf_publish(pidf_doc(true, "busy", "In a meeting"), 1800), alice_udp);
  ASSERT_TRUE(o.response);
  EXPECT_EQ(o.status_line, "SIP/2.0 200 OK");
  EXPECT_PEER(o.all.front().to, alice_udp);
  std::string etag = value(*o.response, HeaderId::SipETag);
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "1800");
  EXPECT_TRUE(o.notifies.empty());
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  // The note is a category the user's own view has, in 200, 300 and 400.
  auto self = presence_.roaming_self("alice@parley.test");
  int notes = 0;
  for (const auto& c : self.categories) notes += c.name == "note";
  EXPECT_EQ(notes, 3);
}

TEST_F(PresenceTest, PublishRefreshWithIfMatchAndNoBodyGetsNewEtag) {
  std::string etag = publish_pidf(true, "busy", "In a meeting");
  Request refresh = alice_self("PUBLISH", "", "");
  refresh.with("Event: presence").with("Expires: 3600").with("SIP-If-Match: " + etag);
  Outcome o = send_as(refresh, alice_udp);
  ASSERT_EQ(o.status(), 200) << o.status_line;
  std::string etag2 = value(*o.response, HeaderId::SipETag);
  EXPECT_FALSE(etag2.empty());
  EXPECT_NE(etag2, etag);
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "3600");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);  // the state is kept

  // The old tag is gone (RFC 3903 6: the refresh replaced it).
  Request stale = alice_self("PUBLISH", "", "");
  stale.with("Event: presence").with("SIP-If-Match: " + etag);
  EXPECT_EQ(send_as(stale, alice_udp).status(), 412);
}

TEST_F(PresenceTest, PublishWithUnknownEtagIs412) {
  Request r = alice_self("PUBLISH", "", "");
  r.with("Event: presence").with("SIP-If-Match: deadbeef");
  Outcome o = send_as(r, alice_udp);
  EXPECT_EQ(o.status(), 412) << o.status_line;
  EXPECT_EQ(o.response->find(HeaderId::SipETag), nullptr);
}

TEST_F(PresenceTest, UnknownEtagLeavesTheOtherPublicationsIntact) {
  // RFC 3903 6 step 3: a 412 changes nothing; the valid tag still refreshes.
  std::string etag = publish_pidf(true, "busy", "In a meeting");
  Request bad = alice_self("PUBLISH", "", "");
  bad.with("Event: presence").with("SIP-If-Match: deadbeef");
  ASSERT_EQ(send_as(bad, alice_udp).status(), 412);

  Request refresh = alice_self("PUBLISH", "", "");
  refresh.with("Event: presence").with("SIP-If-Match: " + etag);
  Outcome o = send_as(refresh, alice_udp);
  ASSERT_EQ(o.status(), 200) << "a 412 must leave the other publications alone: "
                             << o.status_line;
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  for (const auto& c : presence_.roaming_self("alice@parley.test").categories)
    EXPECT_FALSE(c.name.empty());
}

TEST_F(PresenceTest, PublishTooShortIs423WithMinExpires) {
  Outcome o = send_as(pidf_publish(pidf_doc(true, "busy", ""), 10), alice_udp);
  ASSERT_EQ(o.status(), 423) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::MinExpires), "60");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
}

TEST_F(PresenceTest, PublishForSomeoneElseIsForbidden) {
  Request r = pidf_publish(pidf_doc(true, "busy", "", "sip:bob@parley.test"));
  r.ruri = "sip:bob@parley.test";
  r.to = "<sip:bob@parley.test>";
  Outcome o = send_as(r, alice_udp);
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_EQ(presence_.availability("bob@parley.test"), kOffline);
}

TEST_F(PresenceTest, PublishWithWrongContentTypeIs415WithAccept) {
  Request r = pidf_publish("hello");
  r.content_type = "text/plain";
  Outcome o = send_as(r, alice_udp);
  ASSERT_EQ(o.status(), 415) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Accept), "application/pidf+xml");
}

TEST_F(PresenceTest, RequestWithoutCredentialsIsChallengedByTheProxy) {
  Request r = bob_subscribe();
  receive(r, bob_udp);
  Sent s = one_sent();
  EXPECT_EQ(s.line(), "SIP/2.0 407 Proxy Authentication Required");
  EXPECT_EQ(presence_.subscription_count(), 0u);
  ASSERT_FALSE(log_.entries().empty());
  EXPECT_EQ(log_.entries().back().status, 407);
}

TEST_F(PresenceTest, RequestFromAnotherDomainIsForbiddenByTheRole) {
  Request r = pidf_publish(pidf_doc(true, "busy", ""));
  r.from = "<sip:mallory@example.org>;tag=m1";
  r.branch("z9hG4bKforeign");
  receive(r, Peer{sip::Transport::Udp, "203.0.113.5", 5060, 7});
  Sent s = one_sent();
  EXPECT_EQ(s.line(), "SIP/2.0 403 Presence Is For Local Users");
  EXPECT_EQ(log_.entries().back().what, "answered by a local role");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
}

TEST_F(PresenceTest, SubscribeGets200ThenNotifyWithPidfAndPublishedState) {
  std::string etag = publish_pidf(true, "busy", "In a meeting");
  Request sub = bob_subscribe();
  Outcome o = send_as(sub, bob_udp, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "600");
  EXPECT_EQ(value(*o.response, HeaderId::Event), "presence");
  EXPECT_FALSE(o.response->to()->tag().empty());
  EXPECT_EQ(presence_.subscription_count(), 1u);

  ASSERT_EQ(o.notifies.size(), 1u);
  const Sent& n = o.notifies.front();
  EXPECT_PEER(n.to, bob_udp);
  EXPECT_NE(n.tid, 0u);  // a client transaction
  EXPECT_EQ(n.line(), std::string("NOTIFY ") + kBobUdpContact + " SIP/2.0");
  Message m = n.msg();
  EXPECT_EQ(m.call_id(), sub.call_id);
  EXPECT_EQ(m.from()->tag(), o.response->to()->tag());
  EXPECT_EQ(m.to()->tag(), Message(parse_or_fail(sub.text())).from()->tag());
  EXPECT_EQ(value(m, HeaderId::Event), "presence");
  EXPECT_EQ(value(m, HeaderId::SubscriptionState), "active;expires=600");
  EXPECT_EQ(m.content_type(), "application/pidf+xml");
  PidfPresence p = pidf_of(m);
  EXPECT_TRUE(p.open);
  EXPECT_EQ(p.entity, "sip:alice@parley.test");
  EXPECT_EQ(p.activities, std::vector<std::string>{"busy"});
  EXPECT_EQ(p.note, "In a meeting");
  reply_notify(n, 200);

  // A modification (RFC 3903 4.4) reaches bob at once.
  Request modify = pidf_publish(pidf_doc(false, "", ""));
  modify.with("SIP-If-Match: " + etag);
  Outcome c = send_as(modify, alice_udp);
  ASSERT_EQ(c.status(), 200) << c.status_line;
  Message closed = only_notify(c);
  EXPECT_EQ(value(closed, HeaderId::CSeq), "2 NOTIFY");
  EXPECT_FALSE(pidf_of(closed).open);
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
}

TEST_F(PresenceTest, TwoDevicesPublishingAggregateToTheMostActive) {
  // RFC 3903: a PUBLISH without SIP-If-Match creates another event state; the
  // machine states of the two aggregate to the most active one.
  publish_pidf(true, "busy", "");
  Dialog d = bob_subscribes();
  EXPECT_EQ(availability_from_pidf(pidf_of(d.first_notify.msg())), kBusy);
  publish_pidf(false, "", "");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  Message n = only_notify(last_);  // told anyway; the state is unchanged
  EXPECT_EQ(availability_from_pidf(pidf_of(n)), kBusy);
}

TEST_F(PresenceTest, NotifyBeforeAnyPublicationShowsClosed) {
  Dialog d = bob_subscribes();
  EXPECT_FALSE(pidf_of(d.first_notify.msg()).open);
}

TEST_F(PresenceTest, SubscribeRefreshInDialogAndUnsubscribe) {
  publish_pidf(true, "busy", "");
  Dialog d = bob_subscribes();
  std::string our_tag(d.ok.to()->tag());

  Request refresh = d.request;
  refresh.ruri = proxy::test::ProxyTest::kOurUri;  // the 200's Contact
  refresh.to = "<sip:alice@parley.test>;tag=" + our_tag;
  refresh.cseq = 2;
  refresh.extra.back() = "Expires: 900";
  Outcome o = send_as(refresh, bob_udp, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "900");
  Message n = only_notify(o);
  EXPECT_EQ(value(n, HeaderId::SubscriptionState), "active;expires=900");
  EXPECT_TRUE(pidf_of(n).open);

  refresh.cseq = 3;
  refresh.extra.back() = "Expires: 0";
  o = send_as(refresh, bob_udp, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "0");
  n = only_notify(o);
  EXPECT_EQ(value(n, HeaderId::SubscriptionState).rfind("terminated", 0), 0u)
      << value(n, HeaderId::SubscriptionState);
  EXPECT_EQ(presence_.subscription_count(), 0u);

  // Nothing more for bob after a change.
  publish_pidf(false, "", "");
  EXPECT_TRUE(last_.notifies.empty()) << describe(last_.all);
}

TEST_F(PresenceTest, RefreshWithWrongTagIs481) {
  Dialog d = bob_subscribes();
  Request refresh = d.request;
  refresh.ruri = proxy::test::ProxyTest::kOurUri;
  refresh.to = "<sip:alice@parley.test>;tag=not-ours";
  refresh.cseq = 2;
  Outcome o = send_as(refresh, bob_udp, "bob");
  EXPECT_EQ(o.status(), 481) << o.status_line;
  EXPECT_EQ(presence_.subscription_count(), 1u);
}

TEST_F(PresenceTest, Notify481EndsTheSubscription) {
  Request sub = bob_subscribe();
  Outcome o = send_as(sub, bob_udp, "bob");
  ASSERT_EQ(o.notifies.size(), 1u);
  EXPECT_EQ(presence_.subscription_count(), 1u);
  reply_notify(o.notifies.front(), 481);
  EXPECT_EQ(presence_.subscription_count(), 0u);
  publish_pidf(true, "busy", "");
  EXPECT_TRUE(last_.notifies.empty()) << describe(last_.all);
}

TEST_F(PresenceTest, Notify503KeepsTheSubscription) {
  Outcome o = send_as(bob_subscribe(), bob_udp, "bob");
  ASSERT_EQ(o.notifies.size(), 1u);
  reply_notify(o.notifies.front(), 503);
  EXPECT_EQ(presence_.subscription_count(), 1u);
  presence_.on_notify_result("no-such-call", 481);  // ignored
  EXPECT_EQ(presence_.subscription_count(), 1u);
}

TEST_F(PresenceTest, SubscribeTooShortIs423) {
  Outcome o = send_as(bob_subscribe("application/pidf+xml", 5), bob_udp, "bob");
  ASSERT_EQ(o.status(), 423) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::MinExpires), "60");
  EXPECT_TRUE(o.notifies.empty());
  EXPECT_EQ(presence_.subscription_count(), 0u);
}

TEST_F(PresenceTest, FetchWithExpiresZeroLeavesNoSubscription) {
  // RFC 6665 4.2.1.1/4.4.3: SUBSCRIBE with Expires 0 is a fetch: 200, one
  // NOTIFY with terminated, and no subscription is kept.
  publish_pidf(true, "busy", "");
  Outcome o = send_as(bob_subscribe("application/pidf+xml", 0), bob_udp, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  Message n = only_notify(o);
  EXPECT_EQ(value(n, HeaderId::SubscriptionState).rfind("terminated", 0), 0u);
  EXPECT_TRUE(pidf_of(n).open);
  EXPECT_EQ(presence_.subscription_count(), 0u) << "a fetch leaves no subscription behind";
}

TEST_F(PresenceTest, SweepRemovesAnExpiredSubscription) {
  bob_subscribes("application/pidf+xml", 600);
  EXPECT_EQ(presence_.subscription_count(), 1u);
  clock_.advance(599s);
  presence_.sweep();
  EXPECT_EQ(presence_.subscription_count(), 1u);
  clock_.advance(2s);
  sent();
  presence_.sweep();
  EXPECT_EQ(presence_.subscription_count(), 0u);
  publish_pidf(true, "busy", "");
  EXPECT_TRUE(last_.notifies.empty()) << describe(last_.all);
}

TEST_F(PresenceTest, SweepExpiresAPublicationAndTellsWatchers) {
  publish_pidf(true, "busy", "In a meeting", 60);
  Dialog d = bob_subscribes("application/pidf+xml", 3600);
  EXPECT_TRUE(pidf_of(d.first_notify.msg()).open);
  clock_.advance(61s);
  sent();
  presence_.sweep();
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
  Message n = only_notify(wire());
  PidfPresence p = pidf_of(n);
  EXPECT_FALSE(p.open);
  EXPECT_EQ(p.note, "");
  EXPECT_TRUE(presence_.roaming_self("alice@parley.test").categories.empty());
}

class PresenceLimitTest : public PresenceTest {
 protected:
  static PresenceOptions limited() {
    PresenceOptions o = local_options();
    o.max_subscriptions_per_watcher = 1;
    return o;
  }
  PresenceLimitTest() : PresenceTest(limited()) {}
};

TEST_F(PresenceLimitTest, MaxSubscriptionsPerWatcherIsEnforced) {
  // PresenceOptions::max_subscriptions_per_watcher: dialogs one watcher AOR
  // may hold; past it, 403 and nothing stored.
  bob_subscribes();
  Outcome o = send_as(bob_subscribe(), bob_udp, "bob");
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_EQ(presence_.subscription_count(), 1u);
}

}  // namespace
}  // namespace parley::presence::test

namespace parley::presence::test {
namespace {

TEST_F(PresenceTest, PresentityOfAnotherDomainIs404) {
  // Federated presence is the Edge's; the Front End serves its own users.
  Request r = bob_subscribe();
  r.ruri = "sip:dave@elsewhere.test";
  r.to = "<sip:dave@elsewhere.test>";
  Outcome o = send_as(r, bob_udp, "bob");
  EXPECT_EQ(o.status(), 404) << o.status_line;
  EXPECT_TRUE(o.notifies.empty());
  EXPECT_EQ(presence_.subscription_count(), 0u);
}

TEST_F(PresenceTest, NewSubscribeWithTheCallIdOfAHeldOneReplacesIt) {
  // A client that lost its dialog subscribes afresh with the same Call-ID:
  // one subscription, not two, and the watcher's count is not leaked.
  Request r = bob_subscribe();
  ASSERT_EQ(send_as(r, bob_udp, "bob").status(), 200);
  r.from = "<sip:bob@parley.test>;tag=" + next("bt");
  r.branch("z9hG4bKagain");
  Outcome o = send_as(r, bob_udp, "bob");
  EXPECT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(presence_.subscription_count(), 1u);
}

}  // namespace
}  // namespace parley::presence::test
