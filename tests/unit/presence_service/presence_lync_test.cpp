// The presence role for Lync-protocol clients ([MS-PRES]): category
// publication by SERVICE (versions, 409 WrongDelta), batched subscriptions
// piggybacked on the 200, access levels (Blocked), and endpoint publications
// tied to the registrar binding of their flow.
#include "presence_fixture.hpp"

#include "roles/lync/roaming_self.hpp"

namespace parley::presence::test {
namespace {

TEST_F(PresenceTest, CategoryPublishAnswersRoamingSelfWithNewVersions) {
  Outcome o = category_publish(sipe_busy_publish(0));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_PEER(o.all.front().to, alice_udp);
  EXPECT_EQ(o.response->content_type(), "application/vnd-microsoft-roaming-self+xml");

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(o.response->body().data(), o.response->body().size()))
      << o.response->body();
  pugi::xml_node cats = doc.document_element().child("categories");
  ASSERT_TRUE(cats) << o.response->body();
  EXPECT_STREQ(cats.attribute("uri").value(), "sip:alice@parley.test");
  int n = 0;
  for (pugi::xml_node c : cats.children("category")) {
    ++n;
    EXPECT_EQ(c.attribute("version").as_llong(), 1) << c.attribute("name").value();
  }
  EXPECT_EQ(n, 5) << o.response->body();
  EXPECT_NE(o.response->body().find("Back at 3"), std::string_view::npos);
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);

  auto self = presence_.roaming_self("alice@parley.test");
  EXPECT_EQ(self.categories.size(), 5u);
  EXPECT_EQ(self.containers.size(), lync::default_containers().size());
}

TEST_F(PresenceTest, StaleVersionIs409WrongDeltaAndChangesNothing) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  Outcome o = category_publish(sipe_busy_publish(0));
  ASSERT_EQ(o.status(), 409) << o.status_line;
  EXPECT_EQ(o.response->content_type(), "application/msrtc-fault+xml");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(o.response->body().data(), o.response->body().size()));
  pugi::xml_node fault = doc.child("Fault");
  EXPECT_STREQ(fault.child("Faultcode").text().get(), "Client.BadCall.WrongDelta");
  std::vector<std::pair<long long, long long>> ops;
  for (pugi::xml_node op : fault.child("details").children("operation"))
    ops.emplace_back(op.attribute("index").as_llong(), op.attribute("curVersion").as_llong());
  EXPECT_EQ(ops, (std::vector<std::pair<long long, long long>>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
  for (const auto& c : presence_.roaming_self("alice@parley.test").categories)
    EXPECT_EQ(c.version, 1) << c.name;

  // Republishing with the current versions succeeds (pidgin-sipe's retry).
  Outcome again = category_publish(sipe_busy_publish(1));
  EXPECT_EQ(again.status(), 200) << again.status_line;
  for (const auto& c : presence_.roaming_self("alice@parley.test").categories)
    EXPECT_EQ(c.version, 2) << c.name;
}

TEST_F(PresenceTest, CategoryPublishForAnotherUserIsForbidden) {
  Request r = alice_self("SERVICE", kTypeCatPublish, sipe_busy_publish(0, "sip:bob@parley.test"));
  r.ruri = "sip:bob@parley.test";
  r.to = "<sip:bob@parley.test>";
  EXPECT_EQ(send_as(r, alice_udp).status(), 403);
  EXPECT_EQ(presence_.availability("bob@parley.test"), kOffline);
}

TEST_F(PresenceTest, MalformedCategoryPublishIs400) {
  EXPECT_EQ(category_publish("<publish").status(), 400);
}

TEST_F(PresenceTest, LyncWatcherSeesAggregateStateAndNoteOfColleagues) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  Dialog d = bob_subscribes(kTypeCategories);
  Message n = d.first_notify.msg();
  EXPECT_EQ(n.content_type(), kTypeCategories);
  StateSeen s = categories_state(n.body());
  ASSERT_TRUE(s.found) << n.body();
  EXPECT_EQ(s.availability, kBusy);
  EXPECT_EQ(s.container, 200);  // bob is sameEnterprise: Colleagues
  EXPECT_EQ(s.note, "Back at 3");
  EXPECT_NE(n.body().find("aggregateState"), std::string_view::npos);

  // A SIMPLE watcher of the same user gets PIDF: open, busy, the note.
  Dialog p = bob_subscribes();
  PidfPresence pidf = pidf_of(p.first_notify.msg());
  EXPECT_TRUE(pidf.open);
  EXPECT_EQ(availability_from_pidf(pidf), kBusy);
  EXPECT_EQ(pidf.note, "Back at 3");
}

TEST_F(PresenceTest, BatchedSubscribePiggybacksMultipartOn200ThenNotifiesOneResource) {
  Request r = alice_self("SUBSCRIBE", "application/msrtc-adrl-categorylist+xml",
                         batch_body({"sip:bob@parley.test", "sip:carol@parley.test"}));
  r.cseq = 7;
  r.with("Event: presence")
      .with("Accept: application/msrtc-event-categories+xml, application/rlmi+xml, "
            "multipart/related")
      .with("Supported: ms-piggyback-first-notify")
      .with("Require: adhoclist, categoryList")
      .with(std::string("Contact: <") + kAliceContact + ">")
      .with("Expires: 1200");
  Outcome o = send_as(r, alice_udp);
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_TRUE(o.notifies.empty()) << "the first state rides on the 200";
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "1200");
  EXPECT_EQ(std::string(o.response->find("ms-piggyback-cseq")->value), "7");
  EXPECT_EQ(value(*o.response, HeaderId::SubscriptionState), "active;expires=1200");
  std::string ct(o.response->content_type());
  EXPECT_EQ(ct.rfind("multipart/related", 0), 0u) << ct;
  EXPECT_NE(ct.find("application/rlmi+xml"), std::string::npos) << ct;
  std::string body(o.response->body());
  EXPECT_NE(body.find("urn:ietf:params:xml:ns:rlmi"), std::string::npos);
  EXPECT_NE(body.find("uri=\"sip:bob@parley.test\""), std::string::npos);
  EXPECT_NE(body.find("uri=\"sip:carol@parley.test\""), std::string::npos);
  EXPECT_NE(body.find("<availability>18500</availability>"), std::string::npos) << body;
  EXPECT_EQ(presence_.subscription_count(), 1u);

  // bob (a SIMPLE client) publishes: alice gets bob's categories only.
  Request bp = pidf_publish(pidf_doc(true, "away", "", "sip:bob@parley.test"));
  bp.ruri = "sip:bob@parley.test";
  bp.from = "<sip:bob@parley.test>;tag=bp1";
  bp.to = "<sip:bob@parley.test>";
  bp.vias = {"SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bKx"};
  Outcome b = send_as(bp, bob_udp, "bob");
  ASSERT_EQ(b.status(), 200) << b.status_line;
  ASSERT_EQ(b.notifies.size(), 1u);
  EXPECT_PEER(b.notifies.front().to, alice_udp);
  Message n = only_notify(b);
  EXPECT_EQ(n.call_id(), r.call_id);
  EXPECT_EQ(n.content_type(), kTypeCategories);
  std::string nb(n.body());
  EXPECT_NE(nb.find("uri=\"sip:bob@parley.test\""), std::string::npos) << nb;
  EXPECT_EQ(nb.find("carol"), std::string::npos) << nb;
  StateSeen s = categories_state(nb);
  EXPECT_EQ(s.availability, kAway);
  EXPECT_EQ(s.container, 200);
}

TEST_F(PresenceTest, BatchedSubscribeWithOneResourceCarriesACategoriesDocument) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  // bob's batched subscription to alice alone.
  Request r = bob_subscribe(kTypeCategories, 600);
  r.ruri = "sip:bob@parley.test";
  r.to = "<sip:bob@parley.test>";
  r.content_type = "application/msrtc-adrl-categorylist+xml";
  r.body = batch_body({"sip:alice@parley.test"});
  Outcome o = send_as(r, bob_udp, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_TRUE(o.notifies.empty());
  EXPECT_EQ(o.response->content_type(), kTypeCategories);
  EXPECT_NE(o.response->find("ms-piggyback-cseq"), nullptr);
  StateSeen s = categories_state(o.response->body());
  EXPECT_EQ(s.availability, kBusy);
  EXPECT_EQ(s.note, "Back at 3");
}

TEST_F(PresenceTest, BlockedWatcherSeesOfflineUntilRemoved) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  Dialog d = bob_subscribes(kTypeCategories);
  EXPECT_EQ(categories_state(d.first_notify.msg().body()).availability, kBusy);

  // The Blocked container starts at version 1 (lync::default_containers).
  std::int64_t v = 0;
  for (const auto& c : lync::default_containers())
    if (c.id == 32000) v = c.version;
  ASSERT_EQ(v, 1);
  Outcome o = set_members(members_body(32000, 1, "add", "bob@parley.test"));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  Message n = only_notify(o);
  StateSeen s = categories_state(n.body());
  EXPECT_EQ(s.availability, kOffline);
  EXPECT_EQ(s.container, 32000);
  EXPECT_EQ(s.note, "");
  EXPECT_EQ(n.body().find("Back at 3"), std::string_view::npos) << n.body();
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);  // only bob is shown offline

  // A stale container version changes nothing.
  EXPECT_EQ(set_members(members_body(32000, 1, "remove", "bob@parley.test")).status(), 409);

  o = set_members(members_body(32000, 2, "remove", "bob@parley.test"));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  s = categories_state(only_notify(o).body());
  EXPECT_EQ(s.availability, kBusy);
  EXPECT_EQ(s.container, 200);
  EXPECT_EQ(s.note, "Back at 3");
}

TEST_F(PresenceTest, BlockedSimpleWatcherGetsClosedPidf) {
  publish_pidf(true, "busy", "In a meeting");
  bob_subscribes();
  Outcome o = set_members(members_body(32000, 1, "add", "bob@parley.test"));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  PidfPresence p = pidf_of(only_notify(o));
  EXPECT_FALSE(p.open);
  EXPECT_EQ(p.note, "");
}

TEST_F(PresenceTest, BindingRemovedDropsEndpointPublications) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  bob_subscribes();
  std::string roamed;
  presence_.set_roaming_self_listener([&roamed](const std::string& aor) { roamed = aor; });

  // A change of bindings that leaves the publishing flow bound changes nothing.
  bind("alice@parley.test", "sip:alice@192.0.2.10:50001;transport=tcp", alice_tcp);
  presence_.bindings_changed("alice@parley.test");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  EXPECT_TRUE(wire().notifies.empty());
  EXPECT_EQ(roamed, "");

  // Sign-out of the UDP client: its machine state goes; the user state alone
  // (no endpoint left) aggregates to offline, even with the TCP binding.
  ASSERT_EQ(location_.remove_all("alice@parley.test", std::string("reg-") + kAliceContact,
                                 ++reg_cseq_),
            registrar::LocationService::Result::Ok);
  bind("alice@parley.test", "sip:alice@192.0.2.10:50001;transport=tcp", alice_tcp);
  presence_.bindings_changed("alice@parley.test");
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
  EXPECT_EQ(roamed, "alice@parley.test");
  PidfPresence p = pidf_of(only_notify(wire()));
  EXPECT_FALSE(p.open);
  for (const auto& c : presence_.roaming_self("alice@parley.test").categories)
    EXPECT_NE(c.expire_type, "endpoint") << c.name << " " << c.container;
}

TEST_F(PresenceTest, ClosedConnectionDropsItsEndpointPublicationsAtOnce) {
  // A Lync client that crashed: its binding is still there, its flow is gone.
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  bob_subscribes();
  presence_.flow_closed(alice_tcp.flow);  // another connection: nothing changes
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  EXPECT_TRUE(wire().notifies.empty());
  presence_.flow_closed(alice_udp.flow);
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
  EXPECT_FALSE(pidf_of(only_notify(wire())).open);
  // The user state and the note ("user", "static") stay for the next sign-in.
  std::size_t kept = 0;
  for (const auto& c : presence_.roaming_self("alice@parley.test").categories) {
    EXPECT_NE(c.expire_type, "endpoint");
    ++kept;
  }
  EXPECT_EQ(kept, 3u);
  presence_.flow_closed(alice_udp.flow);  // again: nothing left to do
  EXPECT_TRUE(wire().notifies.empty());
}

TEST_F(PresenceTest, BindingExpiryIsNoticedBySweep) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  Dialog d = bob_subscribes("application/pidf+xml", 3600);
  clock_.advance(3599s);
  sent();
  presence_.sweep();
  EXPECT_EQ(presence_.availability("alice@parley.test"), kBusy);
  clock_.advance(2s);  // alice's binding (3600 s) is gone; bob's subscription not yet
  sent();
  presence_.sweep();
  EXPECT_EQ(presence_.availability("alice@parley.test"), kOffline);
}

TEST_F(PresenceTest, ExpiredTimedNoteIsWithdrawnFromWatchers) {
  // [MS-PRES] expireType "time": the note goes after `expires` seconds, and the
  // watchers are told even though the aggregate state did not change.
  std::string body =
      "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">"
      "<publications uri=\"sip:alice@parley.test\">" +
      publication("state", 926460663, 2, 0, "endpoint", state_xml("machineState", 3500)) +
      publication("note", 0, 200, 0, "time", note_xml("Lunch"), " expires=\"600\"") +
      "</publications></publish>";
  ASSERT_EQ(category_publish(body).status(), 200);
  Dialog d = bob_subscribes(kTypeCategories, 3600);
  EXPECT_EQ(categories_state(d.first_notify.msg().body()).note, "Lunch");
  clock_.advance(601s);
  sent();
  presence_.sweep();
  Outcome o = wire();
  ASSERT_FALSE(o.notifies.empty()) << "an expired note is withdrawn from the watchers";
  StateSeen s = categories_state(only_notify(o).body());
  EXPECT_EQ(s.note, "");
  EXPECT_EQ(s.availability, kAvailable);
}

}  // namespace
}  // namespace parley::presence::test
