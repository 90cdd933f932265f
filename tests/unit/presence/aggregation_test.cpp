#include "roles/presence/aggregation.hpp"

#include <gtest/gtest.h>

#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace {

StateInstance machine(std::uint32_t a, std::string ep, std::int64_t t = 0) {
  return {StateKind::machine, a, "", std::move(ep), t};
}
StateInstance user(std::uint32_t a, std::int64_t t) { return {StateKind::user, a, "", "", t}; }
StateInstance phone(std::uint32_t a) { return {StateKind::phone, a, "on-the-phone", "ep1", 0}; }

TEST(Aggregation, ParsesStatePayloads) {
  auto m = parse_state(
      "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"false\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"machineState\">"
      "<availability>3500</availability><endpointLocation/></state>");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->kind, StateKind::machine);
  EXPECT_EQ(m->availability, 3500u);
  EXPECT_TRUE(m->activity_token.empty());

  auto u = parse_state(
      "<st:state xmlns:st=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"true\" "
      "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:type=\"st:userState\">"
      "<st:availability> 9500 </st:availability><st:activity token=\"in-presentation\"/></st:state>");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->kind, StateKind::user);
  EXPECT_EQ(u->availability, 9500u);
  EXPECT_EQ(u->activity_token, "in-presentation");

  auto p = parse_state(
      "<state xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"phoneState\">"
      "<availability>6500</availability><activity token=\"on-the-phone\" minAvailability=\"6500\" "
      "maxAvailability=\"8999\"/></state>");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->kind, StateKind::phone);
  EXPECT_EQ(p->activity_token, "on-the-phone");

  auto c = parse_state(
      "<state xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"calendarState\">"
      "<availability>6500</availability></state>");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->kind, StateKind::calendar);

  // Not usable.
  EXPECT_FALSE(parse_state("").has_value());
  EXPECT_FALSE(parse_state("<state").has_value());
  EXPECT_FALSE(parse_state("<note/>").has_value());
  EXPECT_FALSE(parse_state("<state xmlns:xsi=\"x\" xsi:type=\"aggregateState\"><availability>3500</availability></state>").has_value());
  EXPECT_FALSE(parse_state("<state xmlns:xsi=\"x\" xsi:type=\"machineState\"/>").has_value());
  EXPECT_FALSE(parse_state("<state xmlns:xsi=\"x\" xsi:type=\"machineState\"><availability>-1</availability></state>").has_value());
  EXPECT_FALSE(parse_state("<state xmlns:xsi=\"x\" xsi:type=\"machineState\"><availability>many</availability></state>").has_value());
  EXPECT_FALSE(parse_state("<state><availability>3500</availability></state>").has_value());
}

TEST(Aggregation, NoEndpointIsOffline) {
  EXPECT_EQ(aggregate_availability({}, false), kOffline);
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kBusy, 5)}, false), kOffline);
  EXPECT_EQ(aggregate_availability({}, true), kOffline);  // signed in, nothing published
}

TEST(Aggregation, OneMachineAvailable) {
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1")}, true), kAvailable);
  EXPECT_EQ(aggregate_availability({machine(kAway, "ep1")}, true), kAway);
  EXPECT_EQ(aggregate_availability({machine(kAvailableIdle, "ep1")}, true), kAvailableIdle);
}

TEST(Aggregation, TwoEndpointsMostAvailableWins) {
  EXPECT_EQ(aggregate_availability({machine(kAway, "laptop"), machine(kAvailable, "desktop")}, true),
            kAvailable);
  EXPECT_EQ(aggregate_availability({machine(kAvailableIdle, "laptop"), machine(kAway, "desktop")}, true),
            kAvailableIdle);
}

TEST(Aggregation, UserStateOverridesMachine) {
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kBusy, 10)}, true), kBusy);
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kDoNotDisturb, 10)}, true),
            kDoNotDisturb);
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kOffline, 10)}, true), kOffline);
  EXPECT_EQ(aggregate_availability({machine(kAway, "ep1"), user(kBeRightBack, 10)}, true), kBeRightBack);
}

TEST(Aggregation, NewestUserStateWins) {
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kBusy, 10), user(kAway, 20)}, true),
            kAway);
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kAway, 20), user(kBusy, 10)}, true),
            kAway);
}

TEST(Aggregation, IdleVariants) {
  // Available/busy user state, every machine idle or away.
  EXPECT_EQ(aggregate_availability({machine(kAvailableIdle, "ep1"), user(kAvailable, 1)}, true),
            kAvailableIdle);
  EXPECT_EQ(aggregate_availability({machine(kAway, "ep1"), user(kAvailable, 1)}, true), kAvailableIdle);
  EXPECT_EQ(aggregate_availability({machine(kAway, "ep1"), user(kBusy, 1)}, true), kBusyIdle);
  EXPECT_EQ(aggregate_availability({machine(kAvailableIdle, "a"), machine(kAway, "b"), user(kBusy, 1)}, true),
            kBusyIdle);
  // One active machine: not idle.
  EXPECT_EQ(aggregate_availability({machine(kAway, "a"), machine(kAvailable, "b"), user(kBusy, 1)}, true),
            kBusy);
  // DND, BRB, away stay as chosen.
  EXPECT_EQ(aggregate_availability({machine(kAway, "a"), user(kDoNotDisturb, 1)}, true), kDoNotDisturb);
  // No machine state: no idle variant.
  EXPECT_EQ(aggregate_availability({user(kBusy, 1)}, true), kBusy);
  // A machine state that mirrors the manual choice (pidgin-sipe publishes both
  // at the chosen availability) is not idle.
  EXPECT_EQ(aggregate_availability({machine(kBusy, "a"), user(kBusy, 1)}, true), kBusy);
  EXPECT_EQ(aggregate_availability({machine(kDoNotDisturb, "a"), user(kAvailable, 2)}, true),
            kAvailable);
}

TEST(Aggregation, PhoneAndCalendarRaiseOnlyAvailable) {
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), phone(kBusy)}, true), kBusy);
  EXPECT_EQ(aggregate_availability({machine(kAvailableIdle, "ep1"), phone(kBusy)}, true), kBusy);
  EXPECT_EQ(aggregate_availability({machine(kAway, "ep1"), phone(kBusy)}, true), kAway);
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), user(kDoNotDisturb, 1), phone(kBusy)}, true),
            kDoNotDisturb);
  StateInstance meeting{StateKind::calendar, kBusy, "in-a-meeting", "", 0};
  EXPECT_EQ(aggregate_availability({machine(kAvailable, "ep1"), meeting}, true), kBusy);
  EXPECT_EQ(aggregate_availability({phone(kBusy)}, true), kBusy);
  // Unknown (< 3000) values are ignored.
  EXPECT_EQ(aggregate_availability({machine(0, "ep1"), machine(kAway, "ep2")}, true), kAway);
}

}  // namespace
}  // namespace parley::presence
