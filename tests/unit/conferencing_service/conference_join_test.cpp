// Creating and joining a conference: the focus factory, the focus INVITE
// (addUser), the conference subscription and the IM MCU INVITE
// (docs/research/issue7-conferencing-sipe.md section 5 steps 1 to 6).
#include "conference_fixture.hpp"

namespace parley::conf::test {
namespace {

using namespace std::string_literals;

// Step 1: the login request; chat is the only MCU type offered.
TEST_F(ConferenceTest, CapabilitiesOfferChatOnly) {
  Outcome o = send_as(request("SERVICE", "alice", kFactory, std::string(kTypeCccp),
                              c3p("alice", kFactory, "<getConferencingCapabilities />", 3)),
                      "alice");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "success");
  EXPECT_STREQ(s->op.name(), "getConferencingCapabilities");
  pugi::xml_node root = s->doc.document_element();
  EXPECT_STREQ(root.attribute("requestId").value(), "3");
  EXPECT_STREQ(root.attribute("from").value(), kFactory);
  EXPECT_STREQ(root.attribute("to").value(), "sip:alice@parley.test");
  std::vector<std::string> types;
  for (pugi::xml_node t : s->op.child("mcu-types").children("mcuType")) types.push_back(t.text().get());
  EXPECT_EQ(types, std::vector<std::string>{"chat"});
  EXPECT_EQ(conf_.conference_count(), 0u);
  EXPECT_TRUE(o.requests.empty());
}

// Step 2: addConference gives a focus URI of alice's with a fresh ID.
TEST_F(ConferenceTest, AddConferenceAnswersAFocusOfTheOrganizer) {
  Outcome o = send_as(request("SERVICE", "alice", kFactory, std::string(kTypeCccp),
                              c3p("alice", kFactory, add_conference_op(), 4)),
                      "alice");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "success");
  EXPECT_STREQ(s->op.name(), "addConference");
  std::string focus = s->op.child("conference-info").attribute("entity").value();
  ASSERT_TRUE(focus.starts_with(kFocusPrefix)) << focus;
  auto target = classify(focus.substr(focus.find("opaque=") + 7), "alice@parley.test");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->kind, ConfTarget::focus);
  EXPECT_TRUE(valid_conference_id(target->id)) << target->id;
  EXPECT_EQ(conf_.conference_count(), 1u);
  // A second one is another conference.
  EXPECT_NE(create_conference(), focus);
  EXPECT_EQ(conf_.conference_count(), 2u);
}

TEST_F(ConferenceTest, AddConferenceToSomeoneElsesFactoryIs403) {
  Outcome o = send_as(request("SERVICE", "bob", kFactory, std::string(kTypeCccp),
                              c3p("bob", kFactory, add_conference_op())),
                      "bob");
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_EQ(conf_.conference_count(), 0u);
}

// Step 3: the organizer presents, everyone else attends.
TEST_F(ConferenceTest, FocusInviteAddsTheUserWithRoles) {
  std::string focus = create_conference();
  ASSERT_FALSE(focus.empty());
  for (const std::string user : {"alice", "bob"}) {
    Outcome o = send_as(focus_invite(user, focus), user);
    ASSERT_EQ(o.status(), 200) << user << ": " << o.status_line;
    const Message& ok = *o.response;
    EXPECT_EQ(value(ok, HeaderId::Contact), "<" + focus + ">;isfocus");
    ASSERT_TRUE(ok.to());
    EXPECT_FALSE(ok.to()->tag().empty());
    auto s = c3p_of(ok);
    EXPECT_EQ(s->code, "success") << ok.body();
    EXPECT_STREQ(s->op.name(), "addUser");
    EXPECT_EQ(s->op.child("conferenceKeys").attribute("confEntity").value(), focus);
    pugi::xml_node u = s->op.child("user");
    EXPECT_EQ(u.attribute("entity").value(), "sip:" + user + "@parley.test");
    EXPECT_STREQ(u.child("roles").child("entry").text().get(),
                 user == "alice" ? "presenter" : "attendee");
    EXPECT_EQ(u.child("endpoint").attribute("entity").value(), "{GUID-" + user + "}");
    // Nobody subscribed yet: no NOTIFY.
    EXPECT_TRUE(o.requests.empty()) << describe(o.all);
  }
}

// Step 4: a SUBSCRIBE gets 200, then a NOTIFY with the whole roster.
TEST_F(ConferenceTest, SubscribeGetsTheFullRoster) {
  std::string focus = create_conference();
  ASSERT_EQ(send_as(focus_invite("alice", focus), "alice").status(), 200);
  ASSERT_EQ(send_as(focus_invite("bob", focus), "bob").status(), 200);
  Request sub = subscribe("bob", focus);
  Outcome o = send_as(sub, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Event), "conference");
  EXPECT_FALSE(value(*o.response, HeaderId::Expires).empty());
  EXPECT_NE(value(*o.response, HeaderId::Expires), "0");
  ASSERT_TRUE(o.response->to());
  std::string their_tag(o.response->to()->tag());
  EXPECT_FALSE(their_tag.empty());

  auto notifies = o.of("NOTIFY", bob_udp);
  ASSERT_EQ(notifies.size(), 1u) << describe(o.all);
  EXPECT_EQ(o.requests.size(), 1u) << "only the new subscriber is told\n" << describe(o.all);
  Message n = notifies[0].msg();
  EXPECT_EQ(std::string(n.request_uri().text), kBobUdpContact);
  EXPECT_EQ(n.call_id(), sub.call_id);
  ASSERT_TRUE(n.from() && n.to());
  EXPECT_EQ(n.from()->tag(), their_tag);
  EXPECT_EQ(std::string(n.from()->uri.text), focus);
  EXPECT_EQ(n.to()->tag(), sub.from.substr(sub.from.find("tag=") + 4));
  EXPECT_TRUE(value(n, HeaderId::SubscriptionState).starts_with("active"));

  ConferenceState s = roster_of(n);
  EXPECT_EQ(s.focus_uri, focus);
  EXPECT_EQ(s.mcu_uri, mcu_of(focus));
  EXPECT_TRUE(s.full);
  EXPECT_FALSE(s.locked);
  ASSERT_EQ(s.users.size(), 2u);
  const User* a = user_in(s, "sip:alice@parley.test");
  const User* b = user_in(s, "sip:bob@parley.test");
  ASSERT_TRUE(a && b);
  ASSERT_FALSE(a->roles.empty());
  EXPECT_EQ(a->roles.front(), "presenter");
  ASSERT_FALSE(b->roles.empty());
  EXPECT_EQ(b->roles.front(), "attendee");
  ASSERT_EQ(b->endpoints.size(), 1u);
  EXPECT_EQ(b->endpoints[0].entity, "{GUID-bob}");
  EXPECT_EQ(b->endpoints[0].session_type, "focus");
  EXPECT_EQ(b->endpoints[0].status, "connected");
  EXPECT_FALSE(has_chat(*a));
  EXPECT_FALSE(a->deleted);
}

TEST_F(ConferenceTest, SubscribeBeforeJoiningIs403) {
  std::string focus = create_conference();
  Outcome o = send_as(subscribe("bob", focus), "bob");
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_TRUE(o.requests.empty());
}

// Step 5: the MCU INVITE gets an SDP answer, and every subscriber sees the
// user's chat endpoint connected.
TEST_F(ConferenceTest, McuInviteAnswersSdpAndShowsTheChatEndpoint) {
  std::string focus = create_conference();
  join("alice", focus, /*mcu=*/false);
  join("bob", focus, /*mcu=*/false);
  std::string mcu = mcu_of(focus);
  Request inv = mcu_invite("bob", mcu);
  Outcome o = send_as(inv, "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  const Message& ok = *o.response;
  EXPECT_EQ(value(ok, HeaderId::Contact), "<" + mcu + ">");
  EXPECT_EQ(ok.content_type(), "application/sdp");
  std::string sdp(ok.body());
  EXPECT_NE(sdp.find("\r\nm=message "), std::string::npos) << sdp;
  EXPECT_NE(sdp.find(" sip " + mcu), std::string::npos) << sdp;
  EXPECT_TRUE(ok.to() && !ok.to()->tag().empty());
  EXPECT_EQ(ok.find(HeaderId::Supported), nullptr) << "no ms-text-format";

  for (const Peer* p : {&alice_udp, &bob_udp}) {
    auto n = o.of("NOTIFY", *p);
    ASSERT_EQ(n.size(), 1u) << p->to_string() << "\n" << describe(o.all);
    ConferenceState s = roster_of(n[0].msg());
    const User* b = user_in(s, "sip:bob@parley.test");
    const User* a = user_in(s, "sip:alice@parley.test");
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(has_chat(*b));
    EXPECT_FALSE(has_chat(*a));
    // Every endpoint, each time: the focus one stays listed.
    EXPECT_EQ(b->endpoints.size(), 2u);
    EXPECT_EQ(s.mcu_uri, mcu);
  }
}

TEST_F(ConferenceTest, McuInviteBeforeTheFocusIs403) {
  std::string focus = create_conference();
  join("alice", focus);
  Outcome o = send_as(mcu_invite("bob", mcu_of(focus)), "bob");
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_TRUE(o.requests.empty()) << describe(o.all);
}

// Step 8: a MESSAGE goes to every other participant's MCU dialog, naming its
// author, and not back to the author.
TEST_F(ConferenceTest, MessageRelaysToOthersWithMsSender) {
  std::string focus = create_conference();
  ClientDialog a = join("alice", focus);
  ClientDialog b = join("bob", focus);
  ClientDialog c = join("carol", focus);
  Request m = in_dialog("MESSAGE", "alice", a, mcu_of(focus), "text/plain; charset=UTF-8",
                        "hello all");
  Outcome o = send_as(m, "alice");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_TRUE(o.to_peer(alice_udp).empty()) << "echoed to its author\n" << describe(o.all);
  for (auto [peer, d, user] : {std::tuple{&bob_udp, &b, "bob"s}, std::tuple{&carol_udp, &c, "carol"s}}) {
    auto msgs = o.of("MESSAGE", *peer);
    ASSERT_EQ(msgs.size(), 1u) << user << "\n" << describe(o.all);
    Message x = msgs[0].msg();
    EXPECT_EQ(std::string(x.request_uri().text), contact_of(user));
    EXPECT_EQ(value(x, HeaderId::CallId), d->call_id);
    ASSERT_TRUE(x.from() && x.to());
    EXPECT_EQ(std::string(x.from()->uri.text), mcu_of(focus));
    EXPECT_EQ(x.from()->tag(), d->their_tag);
    EXPECT_EQ(x.to()->tag(), d->our_tag);
    EXPECT_EQ(std::string(x.to()->uri.text), "sip:" + user + "@parley.test");
    const sip::Header* sender = x.find("Ms-Sender");
    ASSERT_NE(sender, nullptr);
    EXPECT_EQ(sender->value, "<sip:alice@parley.test>");
    EXPECT_EQ(x.content_type(), "text/plain; charset=UTF-8");
    EXPECT_EQ(x.body(), "hello all");
  }
  EXPECT_EQ(o.requests.size(), 2u) << describe(o.all);
  // The MCU's CSeq in each dialog goes up.
  o = send_as(in_dialog("MESSAGE", "alice", a, mcu_of(focus), "text/plain", "again"), "alice");
  auto again = o.of("MESSAGE", bob_udp);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(again[0].msg().cseq());
  EXPECT_EQ(again[0].msg().cseq()->number, 2u);
}

TEST_F(ConferenceTest, MessageOutsideTheMcuDialogIs481) {
  std::string focus = create_conference();
  join("alice", focus);
  join("bob", focus, /*mcu=*/false);
  ClientDialog fake{"not-the-mcu-dialog@192.0.2.20", "xx", "yy", mcu_of(focus), 1};
  Outcome o = send_as(in_dialog("MESSAGE", "bob", fake, mcu_of(focus), "text/plain", "hi"), "bob");
  EXPECT_EQ(o.status(), 481) << o.status_line;
  EXPECT_TRUE(o.requests.empty()) << describe(o.all);
}

// Anything to a conference that does not exist.
TEST_F(ConferenceTest, UnknownConferenceIs404) {
  create_conference();
  std::string ghost = std::string(kFocusPrefix) + "00000000000000000000000000000000";
  Outcome o = send_as(focus_invite("alice", ghost), "alice");
  EXPECT_EQ(o.status(), 404) << o.status_line;
  o = send_as(subscribe("alice", ghost), "alice");
  EXPECT_EQ(o.status(), 404) << o.status_line;
  o = send_as(mcu_invite("alice", mcu_of(ghost)), "alice");
  EXPECT_EQ(o.status(), 404) << o.status_line;
  EXPECT_EQ(conf_.conference_count(), 1u);
}

// Conferencing is for local users: another domain proves no identity.
TEST_F(ConferenceTest, RequestFromAnotherDomainIs403) {
  std::string focus = create_conference();
  join("alice", focus);
  for (const std::string& ruri : {std::string(kFactory), focus, mcu_of(focus)}) {
    Request r = request(ruri == kFactory ? "SERVICE" : "INVITE", "carol", ruri,
                        std::string(kTypeCccp), c3p("mallory", ruri, add_conference_op()));
    r.from = "<sip:mallory@elsewhere.test>;tag=m1";
    r.branch(next("z9hG4bKm"));
    receive(r, carol_udp);
    Outcome o = split(sent());
    EXPECT_EQ(o.status(), 403) << ruri << ": " << o.status_line;
    EXPECT_TRUE(o.requests.empty()) << describe(o.all);
  }
  EXPECT_EQ(conf_.conference_count(), 1u);
}

}  // namespace
}  // namespace parley::conf::test
