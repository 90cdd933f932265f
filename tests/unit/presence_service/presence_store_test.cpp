// What of a user's presence outlives a restart of the role: categories
// published with expireType "user" or "static", and the containers (who is
// blocked). A new PresenceService over the same store is the restart.
#include <memory>

#include "presence_fixture.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite_presence_store.hpp"

namespace parley::presence::test {
namespace {

class PresenceStoreTest : public PresenceTest {
 protected:
  PresenceStoreTest() : store_(std::make_shared<store::SqliteDatabase>(":memory:")) {
    presence_.set_store(&store_);
  }
  store::SqlitePresenceStore store_;
};

TEST_F(PresenceStoreTest, StaticCategoriesAndBlockedListSurviveARestart) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  ASSERT_EQ(set_members(members_body(32000, 1, "add", "bob@parley.test")).status(), 200);

  PresenceService restarted(local_options(), identity_, location_, layer_, clock_);
  restarted.set_store(&store_);
  lync::RoamingSelf self = restarted.roaming_self("alice@parley.test");
  // The user states ("user") and the note ("static") come back with their
  // versions; the machine states ("endpoint") do not: that endpoint is gone.
  std::size_t user_states = 0, notes = 0, machine = 0;
  for (const auto& c : self.categories) {
    if (c.name == "note") ++notes;
    if (c.name == "state" && c.expire_type == "user") ++user_states;
    if (c.name == "state" && c.expire_type == "endpoint") ++machine;
    EXPECT_EQ(c.version, 1) << c.name;
  }
  EXPECT_EQ(user_states, 2u);
  EXPECT_EQ(notes, 1u);
  EXPECT_EQ(machine, 0u);
  bool bob_blocked = false;
  for (const auto& box : self.containers) {
    if (box.id != 32000) continue;
    EXPECT_EQ(box.version, 2);
    for (const auto& m : box.members) bob_blocked |= m.type == "user" && m.value == "bob@parley.test";
  }
  EXPECT_TRUE(bob_blocked);
  // No endpoint is signed in after the restart: offline, whatever was chosen.
  EXPECT_EQ(restarted.availability("alice@parley.test"), kOffline);

  // bob is still blocked: through the restarted role he sees the Blocked view.
  proxy_.set_local_service(&restarted);
  Dialog d = bob_subscribes(kTypeCategories);
  StateSeen s = categories_state(d.first_notify.msg().body());
  EXPECT_EQ(s.availability, kOffline);
  EXPECT_EQ(s.container, 32000);
  EXPECT_EQ(s.note, "");
  proxy_.set_local_service(&presence_);
}

TEST_F(PresenceStoreTest, RemovingTheNoteIsRemembered) {
  ASSERT_EQ(category_publish(sipe_busy_publish(0)).status(), 200);
  const std::string clear =
      "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">"
      "<publications uri=\"sip:alice@parley.test\">"
      "<publication categoryName=\"note\" instance=\"0\" container=\"200\" version=\"1\" "
      "expireType=\"static\" expires=\"0\"/></publications></publish>";
  ASSERT_EQ(category_publish(clear).status(), 200);
  PresenceService restarted(local_options(), identity_, location_, layer_, clock_);
  restarted.set_store(&store_);
  for (const auto& c : restarted.roaming_self("alice@parley.test").categories)
    EXPECT_NE(c.name, "note");
}

}  // namespace
}  // namespace parley::presence::test
