// Controlling and leaving a conference: lock, deleteUser, the presenter
// check, BYE, the end of a conference and its record, unsubscribing
// (docs/research/issue7-conferencing-sipe.md section 3 and section 5 steps 9
// to 11).
#include "conference_fixture.hpp"

namespace parley::conf::test {
namespace {

// Step 9: lock; every subscriber sees it.
TEST_F(ConferenceTest, LockByThePresenterIsNotifiedToEveryone) {
  std::string focus = create_conference();
  join("alice", focus);
  join("bob", focus);
  Outcome o = info("alice", focus, lock_op(focus, true));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "success") << o.response->body();
  EXPECT_STREQ(s->op.name(), "modifyConferenceLock");
  for (const Peer* p : {&alice_udp, &bob_udp}) {
    auto n = o.of("NOTIFY", *p);
    ASSERT_EQ(n.size(), 1u) << p->to_string() << "\n" << describe(o.all);
    ConferenceState st = roster_of(n[0].msg());
    EXPECT_TRUE(st.locked);
    EXPECT_EQ(st.users.size(), 2u);
    // The conference-info document carries the RFC 4575 lock too.
    EXPECT_NE(std::string(n[0].msg().body()).find("<locked>true</locked></conference-state>"),
              std::string::npos);
  }
  // And unlock.
  o = info("alice", focus, lock_op(focus, false));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto n = o.of("NOTIFY", bob_udp);
  ASSERT_EQ(n.size(), 1u) << describe(o.all);
  EXPECT_FALSE(roster_of(n[0].msg()).locked);
}

// Step 9: while locked, nobody new gets in; those in it may re-INVITE.
TEST_F(ConferenceTest, AddUserWhileLockedIs403WithAFailureBody) {
  std::string focus = create_conference();
  join("alice", focus);
  ASSERT_EQ(info("alice", focus, lock_op(focus, true)).status(), 200);
  Outcome o = send_as(focus_invite("carol", focus), "carol");
  ASSERT_EQ(o.status(), 403) << o.status_line;
  const sip::Header* diag = o.response->find("ms-diagnostics");
  ASSERT_NE(diag, nullptr);
  EXPECT_NE(std::string(diag->value).find("reason=\""), std::string::npos) << diag->value;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "failure") << o.response->body();
  EXPECT_STREQ(s->op.name(), "addUser");
  EXPECT_FALSE(s->reason.empty());
  EXPECT_TRUE(o.requests.empty()) << "no roster change\n" << describe(o.all);
  // carol is not in it: no subscription for her.
  EXPECT_EQ(send_as(subscribe("carol", focus), "carol").status(), 403);
}

// Section 3: only presenters control the conference.
TEST_F(ConferenceTest, InfoByAnAttendeeIsUnauthorized) {
  std::string focus = create_conference();
  join("alice", focus);
  join("bob", focus);
  for (const std::string& op : {lock_op(focus, true), delete_user_op(focus, "alice")}) {
    Outcome o = info("bob", focus, op);
    ASSERT_EQ(o.status(), 200) << o.status_line;
    auto s = c3p_of(*o.response);
    EXPECT_EQ(s->code, "failure") << o.response->body();
    EXPECT_EQ(s->reason, "unauthorized");
    EXPECT_TRUE(o.requests.empty()) << describe(o.all);
  }
  // Still unlocked, alice still in: carol may join.
  Outcome o = send_as(focus_invite("carol", focus), "carol");
  EXPECT_EQ(o.status(), 200) << o.status_line;
}

// Step 10: deleteUser. The MCU says BYE From its own URI in bob's MCU dialog;
// the others see bob deleted.
TEST_F(ConferenceTest, DeleteUserByesFromTheMcuAndNotifiesDeleted) {
  std::string focus = create_conference();
  join("alice", focus);
  ClientDialog b = join("bob", focus);
  join("carol", focus);
  Outcome o = info("alice", focus, delete_user_op(focus, "bob"));
  ASSERT_TRUE(o.status() == 200 || o.status() == 202) << o.status_line;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "success") << o.response->body();
  EXPECT_STREQ(s->op.name(), "deleteUser");

  std::optional<Message> mcu_bye;
  for (const Sent& x : o.of("BYE", bob_udp)) {
    Message m = x.msg();
    if (m.call_id() == b.call_id) mcu_bye = m;
  }
  ASSERT_TRUE(mcu_bye) << describe(o.all);
  ASSERT_TRUE(mcu_bye->from() && mcu_bye->to());
  EXPECT_EQ(std::string(mcu_bye->from()->uri.text), mcu_of(focus));
  EXPECT_EQ(mcu_bye->from()->tag(), b.their_tag);
  EXPECT_EQ(mcu_bye->to()->tag(), b.our_tag);
  EXPECT_EQ(std::string(mcu_bye->request_uri().text), kBobUdpContact);
  // bob's subscription ends; he gets no roster.
  for (const Sent& x : o.of("NOTIFY", bob_udp))
    EXPECT_TRUE(value(x.msg(), HeaderId::SubscriptionState).starts_with("terminated")) << x.bytes;

  for (const Peer* p : {&alice_udp, &carol_udp}) {
    auto n = o.of("NOTIFY", *p);
    ASSERT_EQ(n.size(), 1u) << p->to_string() << "\n" << describe(o.all);
    ConferenceState st = roster_of(n[0].msg());
    const User* gone = user_in(st, "sip:bob@parley.test");
    ASSERT_NE(gone, nullptr) << "a departure is named, not left out";
    EXPECT_TRUE(gone->deleted);
    EXPECT_TRUE(user_in(st, "sip:carol@parley.test"));
  }
  // bob's later MESSAGE in the dead MCU dialog is refused.
  o = send_as(in_dialog("MESSAGE", "bob", b, mcu_of(focus), "text/plain", "still here?"), "bob");
  EXPECT_EQ(o.status(), 481) << o.status_line;
  EXPECT_TRUE(o.requests.empty()) << describe(o.all);
  EXPECT_EQ(conf_.conference_count(), 1u);
}

TEST_F(ConferenceTest, DeleteUserNotInTheConference) {
  std::string focus = create_conference();
  join("alice", focus);
  Outcome o = info("alice", focus, delete_user_op(focus, "carol"));
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto s = c3p_of(*o.response);
  EXPECT_EQ(s->code, "failure");
  EXPECT_EQ(s->reason, "userNotFound");
  EXPECT_TRUE(o.requests.empty()) << describe(o.all);
}

// Step 11: a BYE to the focus is a departure; the last one ends the
// conference, and its record goes to the sink.
TEST_F(ConferenceTest, LastByeEndsTheConferenceWithARecord) {
  std::string focus = create_conference();
  ClientDialog a = join("alice", focus);
  ClientDialog b = join("bob", focus);
  ASSERT_EQ(send_as(in_dialog("MESSAGE", "alice", a, mcu_of(focus), "text/plain", "1"), "alice")
                .status(),
            200);
  ASSERT_EQ(send_as(in_dialog("MESSAGE", "bob", b, mcu_of(focus), "text/plain", "2"), "bob")
                .status(),
            200);
  ASSERT_EQ(send_as(in_dialog("MESSAGE", "alice", a, mcu_of(focus), "text/plain", "3"), "alice")
                .status(),
            200);

  // bob leaves as pidgin-sipe does: unsubscribe, BYE the focus, BYE the MCU.
  Outcome o = send_as(subscribe("bob", focus, 0), "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_TRUE(o.requests.empty()) << describe(o.all);
  o = send_as(in_dialog("BYE", "bob", focus_dialog_["bob"], focus), "bob");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  auto n = o.of("NOTIFY", alice_udp);
  ASSERT_EQ(n.size(), 1u) << describe(o.all);
  const ConferenceState after_bye = roster_of(n[0].msg());  // kept: `gone` points into it
  const User* gone = user_in(after_bye, "sip:bob@parley.test");
  ASSERT_NE(gone, nullptr);
  EXPECT_TRUE(gone->deleted);
  EXPECT_TRUE(o.to_peer(bob_udp).empty()) << describe(o.all);
  o = send_as(in_dialog("BYE", "bob", b, mcu_of(focus)), "bob");
  EXPECT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(conf_.conference_count(), 1u);
  EXPECT_TRUE(records_.empty());

  // alice is the last one.
  o = send_as(in_dialog("BYE", "alice", focus_dialog_["alice"], focus), "alice");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(conf_.conference_count(), 0u);
  ASSERT_EQ(records_.size(), 1u);
  const ConferenceRecord& r = records_.front();
  EXPECT_EQ(r.organizer, "alice@parley.test");
  EXPECT_EQ(r.id, focus.substr(std::string(kFocusPrefix).size()));
  ASSERT_EQ(r.participants.size(), 2u);
  EXPECT_EQ(r.participants[0].aor, "bob@parley.test");
  EXPECT_EQ(r.participants[1].aor, "alice@parley.test");
  for (const auto& p : r.participants) EXPECT_LE(p.joined, p.left);
  EXPECT_EQ(r.messages, 3u);
  EXPECT_LE(r.started, r.ended);

  // alice's MCU BYE after the end: the conference is gone.
  o = send_as(in_dialog("BYE", "alice", a, mcu_of(focus)), "alice");
  EXPECT_EQ(o.status(), 481) << o.status_line;
  o = send_as(focus_invite("bob", focus), "bob");
  EXPECT_EQ(o.status(), 404) << o.status_line;
}

// Section 3: SUBSCRIBE Expires: 0 on a new Call-ID ends every subscription of
// the caller; the others still get the roster.
TEST_F(ConferenceTest, UnsubscribeOnANewCallIdEndsTheCallersSubscriptions) {
  std::string focus = create_conference();
  join("alice", focus);
  join("bob", focus, /*mcu=*/false);
  // A second subscription of alice's.
  ASSERT_EQ(send_as(subscribe("alice", focus), "alice").status(), 200);
  Request unsub = subscribe("alice", focus, 0);
  Outcome o = send_as(unsub, "alice");
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Expires), "0");
  EXPECT_TRUE(o.of("NOTIFY", alice_udp).empty()) << describe(o.all);
  // A roster change: bob joins the MCU.
  join_mcu("bob", focus);
  EXPECT_TRUE(last_.of("NOTIFY", alice_udp).empty()) << describe(last_.all);
  EXPECT_EQ(last_.of("NOTIFY", bob_udp).size(), 1u) << describe(last_.all);
  // Unsubscribing is not leaving: the conference goes on.
  EXPECT_EQ(conf_.conference_count(), 1u);
}

// A BYE to the focus of a conference nobody has joined yet, from someone who
// is not in it, must not end alice's conference.
TEST_F(ConferenceTest, ByeFromANonParticipantDoesNotEndTheConference) {
  std::string focus = create_conference();
  ClientDialog fake{"stray@192.0.2.20", "bt", "ft", focus, 1};
  Outcome o = send_as(in_dialog("BYE", "bob", fake, focus), "bob");
  EXPECT_EQ(o.status(), 481) << describe(o.all);
  EXPECT_EQ(conf_.conference_count(), 1u) << "a stray BYE must not end the conference";
  EXPECT_TRUE(records_.empty());
  EXPECT_EQ(send_as(focus_invite("alice", focus), "alice").status(), 200);
}

}  // namespace
}  // namespace parley::conf::test

namespace parley::conf::test {
namespace {

TEST_F(ConferenceTest, ClosedConnectionTakesItsUserOutAndAnUnrelatedOneChangesNothing) {
  std::string focus = create_conference();
  ASSERT_EQ(send_as(focus_invite("alice", focus), "alice").status(), 200);
  ASSERT_EQ(send_as(focus_invite("bob", focus), "bob").status(), 200);
  sent();
  conf_.flow_closed(999);  // nobody joined over it
  EXPECT_EQ(conf_.conference_count(), 1u);
  conf_.flow_closed(bob_udp.flow);  // bob's client is gone
  EXPECT_EQ(conf_.conference_count(), 1u);
  conf_.flow_closed(alice_udp.flow);  // and now alice's: nobody is left
  EXPECT_EQ(conf_.conference_count(), 0u);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(records_.front().participants.size(), 2u);
}

}  // namespace
}  // namespace parley::conf::test
