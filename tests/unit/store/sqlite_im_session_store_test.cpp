#include "store/sqlite/sqlite_im_session_store.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

TEST(ImSessionStore, KeepsEveryFieldAndListsNewestFirst) {
  test::TempDir tmp;
  auto db = std::make_shared<SqliteDatabase>(tmp.path() / "parley.db");
  SqliteImSessionStore store(db);
  store.add({"c1@h", "alice@parley.test", "bob@parley.test", 1'700'000'000, 1'700'000'060, 4,
             true});
  store.add({"c2@h", "bob@parley.test", "carol@parley.test", 1'700'000'100, 1'700'003'700, 0,
             false});
  auto r = store.recent(10);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].call_id, "c2@h");
  EXPECT_FALSE(r[0].ended_by_bye);
  EXPECT_EQ(r[1].call_id, "c1@h");
  EXPECT_EQ(r[1].caller, "alice@parley.test");
  EXPECT_EQ(r[1].callee, "bob@parley.test");
  EXPECT_EQ(r[1].started_at, 1'700'000'000);
  EXPECT_EQ(r[1].ended_at, 1'700'000'060);
  EXPECT_EQ(r[1].messages, 4u);
  EXPECT_TRUE(r[1].ended_by_bye);
  EXPECT_EQ(store.recent(1).size(), 1u);

  // The records outlive the process: a new connection to the file sees them.
  SqliteImSessionStore again(std::make_shared<SqliteDatabase>(tmp.path() / "parley.db"));
  EXPECT_EQ(again.recent(10).size(), 2u);
}

}  // namespace
}  // namespace parley::store
