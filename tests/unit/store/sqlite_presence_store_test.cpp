#include "store/sqlite/sqlite_presence_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kAlice = "alice@Parley.Test";

StoredCategory category(std::string name, std::int64_t container, std::int64_t instance,
                        std::string payload, std::int64_t version = 1,
                        std::string expire_type = "static") {
  return {std::move(name),        container,         instance, version, "2024-05-01T10:00:00.000",
          std::move(expire_type), std::move(payload)};
}

std::vector<StoredContainer> some_containers() {
  return {
      {100, 1, {{"federated", ""}}},
      {200, 3, {{"sameEnterprise", ""}, {"user", "carol@parley.test"}}},
      {32000, 2, {{"domain", "spam.example"}, {"user", "mallory@evil.example"}}},
  };
}

std::int64_t count(SqliteDatabase& db, std::string_view sql) {
  return db.with([&](SqliteConnection& c) {
    auto st = c.prepare(sql);
    return st.step() ? st.integer(0) : -1;
  });
}

class PresenceStoreTest : public ::testing::Test {
 protected:
  test::TempDir tmp_;
  std::shared_ptr<SqliteDatabase> db_ = std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db");
  SqlitePresenceStore store_{db_};
};

TEST_F(PresenceStoreTest, NothingStoredLoadsEmptyAndWritesNothing) {
  StoredPresence p = store_.load(kAlice);
  EXPECT_TRUE(p.categories.empty());
  EXPECT_TRUE(p.containers.empty());
  EXPECT_FALSE(p.containers_set);
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM presence_container_sets"), 0);
}

TEST_F(PresenceStoreTest, RoundTripKeepsEveryField) {
  StoredCategory card =
      category("contactCard", 400, 1, "<contactCard xmlns=\"x\"><a/></contactCard>", 7);
  StoredCategory note =
      category("note", 200, 0, "<note>&lt;hi&gt; ' \" ; DROP TABLE x; --</note>", 2, "user");
  note.publish_time = "";
  store_.save_categories(kAlice, {note, card});
  store_.save_containers(kAlice, some_containers());

  StoredPresence p = store_.load("alice@parley.test");  // domain in any case
  ASSERT_EQ(p.categories.size(), 2u);
  EXPECT_EQ(p.categories[0], card);  // sorted by name
  EXPECT_EQ(p.categories[1], note);
  EXPECT_TRUE(p.containers_set);
  EXPECT_EQ(p.containers, some_containers());
}

TEST_F(PresenceStoreTest, LoadSortsAndMembersAreASet) {
  store_.save_categories(kAlice,
                         {category("state", 300, 2, "<b/>"), category("state", 300, 1, "<a/>"),
                          category("state", 200, 5, "<c/>")});
  store_.save_containers(
      kAlice, {{400, 1, {{"user", "z@x"}, {"user", "a@x"}, {"user", "a@x"}}}, {300, 1, {}}});
  StoredPresence p = store_.load(kAlice);
  ASSERT_EQ(p.categories.size(), 3u);
  EXPECT_EQ(p.categories[0].payload_xml, "<c/>");
  EXPECT_EQ(p.categories[1].payload_xml, "<a/>");
  EXPECT_EQ(p.categories[2].payload_xml, "<b/>");
  ASSERT_EQ(p.containers.size(), 2u);
  EXPECT_EQ(p.containers[0], (StoredContainer{300, 1, {}}));
  EXPECT_EQ(p.containers[1], (StoredContainer{400, 1, {{"user", "a@x"}, {"user", "z@x"}}}));
}

TEST_F(PresenceStoreTest, SavesReplaceTheWholeSet) {
  store_.save_categories(
      kAlice, {category("note", 200, 0, "<old/>"), category("calendarData", 300, 0, "<c/>")});
  store_.save_containers(kAlice, some_containers());

  store_.save_categories(kAlice, {category("note", 200, 0, "<new/>", 2)});
  store_.save_containers(kAlice, {{32000, 3, {{"user", "eve@evil.example"}}}});
  StoredPresence p = store_.load(kAlice);
  ASSERT_EQ(p.categories.size(), 1u);
  EXPECT_EQ(p.categories[0].payload_xml, "<new/>");
  EXPECT_EQ(p.categories[0].version, 2);
  ASSERT_EQ(p.containers.size(), 1u);
  EXPECT_EQ(p.containers[0], (StoredContainer{32000, 3, {{"user", "eve@evil.example"}}}));
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM presence_container_members"), 1);

  // Saving categories leaves containers alone, and the other way round.
  store_.save_categories(kAlice, {});
  p = store_.load(kAlice);
  EXPECT_TRUE(p.categories.empty());
  EXPECT_EQ(p.containers.size(), 1u);
  store_.save_categories(kAlice, {category("note", 200, 0, "<n/>")});
  store_.save_containers(kAlice, {});
  p = store_.load(kAlice);
  EXPECT_EQ(p.categories.size(), 1u);
  EXPECT_TRUE(p.containers.empty());
  EXPECT_TRUE(p.containers_set);  // set to none, not "never set"
}

TEST_F(PresenceStoreTest, UsersAreIsolated) {
  store_.save_categories(kAlice, {category("note", 200, 0, "<alice/>")});
  store_.save_containers(kAlice, some_containers());
  store_.save_categories("bob@parley.test", {category("note", 200, 0, "<bob/>")});
  store_.save_containers("bob@parley.test", {{32000, 1, {{"user", "alice@parley.test"}}}});
  // Same user part, other domain; other user part case (user parts are case-sensitive).
  EXPECT_FALSE(store_.load("alice@other.test").containers_set);
  EXPECT_TRUE(store_.load("Alice@parley.test").categories.empty());

  store_.save_categories("bob@parley.test", {});
  StoredPresence a = store_.load(kAlice);
  ASSERT_EQ(a.categories.size(), 1u);
  EXPECT_EQ(a.categories[0].payload_xml, "<alice/>");
  EXPECT_EQ(a.containers, some_containers());
  StoredPresence b = store_.load("bob@PARLEY.test");
  EXPECT_TRUE(b.categories.empty());
  ASSERT_EQ(b.containers.size(), 1u);
  EXPECT_EQ(b.containers[0].members[0].value, "alice@parley.test");
}

TEST_F(PresenceStoreTest, LimitsAndDuplicateKeysAreRefusedAndChangeNothing) {
  store_.save_categories(kAlice, {category("note", 200, 0, "<kept/>")});
  store_.save_containers(kAlice, some_containers());

  // 64 KiB of payload is accepted, one byte more is not.
  EXPECT_NO_THROW(
      store_.save_categories(kAlice, {category("note", 200, 0, std::string(64 * 1024, 'x'))}));
  store_.save_categories(kAlice, {category("note", 200, 0, "<kept/>")});
  try {
    store_.save_categories(kAlice, {category("note", 200, 0, "<ok/>"),
                                    category("big", 400, 0, std::string(64 * 1024 + 1, 'x'))});
    FAIL() << "oversized payload accepted";
  } catch (const PresenceInputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("65537 bytes"));
  }
  EXPECT_THROW(store_.save_categories(
                   kAlice, {category("note", 200, 0, "<a/>"), category("note", 200, 0, "<b/>")}),
               PresenceInputError);
  EXPECT_THROW(store_.save_categories(kAlice, {category("", 200, 0, "<a/>")}), PresenceInputError);
  EXPECT_THROW(store_.save_containers(kAlice, {{200, 1, {}}, {200, 2, {}}}), PresenceInputError);
  EXPECT_THROW(store_.save_containers(kAlice, {{200, 1, {{"", "x"}}}}), PresenceInputError);
  EXPECT_THROW(store_.save_containers(kAlice, {{200, 1, {{"user", std::string(455, 'u')}}}}),
               StoreError);  // PresenceInputError is a StoreError

  StoredPresence p = store_.load(kAlice);
  ASSERT_EQ(p.categories.size(), 1u);
  EXPECT_EQ(p.categories[0].payload_xml, "<kept/>");
  EXPECT_EQ(p.containers, some_containers());
}

TEST(PresenceStoreLimits, AreConfigurable) {
  PresenceLimits limits;
  limits.max_categories = 2;
  limits.max_members = 1;
  SqlitePresenceStore store(std::make_shared<SqliteDatabase>(":memory:"), limits);
  EXPECT_NO_THROW(
      store.save_categories(kAlice, {category("a", 0, 0, ""), category("b", 0, 0, "")}));
  EXPECT_THROW(store.save_categories(kAlice, {category("a", 0, 0, ""), category("b", 0, 0, ""),
                                              category("c", 0, 0, "")}),
               PresenceInputError);
  EXPECT_THROW(store.save_containers(kAlice, {{200, 1, {{"user", "a@x"}, {"user", "b@x"}}}}),
               PresenceInputError);
  EXPECT_EQ(store.load(kAlice).categories.size(), 2u);
  EXPECT_FALSE(store.load(kAlice).containers_set);
}

TEST_F(PresenceStoreTest, PersistsAcrossReopeningTheFile) {
  store_.save_categories(kAlice, {category("contactCard", 400, 1, "<card/>", 4)});
  store_.save_containers(kAlice, some_containers());
  SqlitePresenceStore again(std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db"));
  StoredPresence p = again.load(kAlice);
  ASSERT_EQ(p.categories.size(), 1u);
  EXPECT_EQ(p.categories[0], category("contactCard", 400, 1, "<card/>", 4));
  EXPECT_TRUE(p.containers_set);
  EXPECT_EQ(p.containers, some_containers());
}

// A database made by a version-4 server gets the presence tables; what it had
// (here a contact list and an IM record) is kept.
TEST(PresenceStoreMigration, Version4DatabaseGetsThePresenceTables) {
  test::TempDir tmp;
  const auto file = tmp.path() / "old.db";
  {
    SqliteDatabase v4(file, schema_migrations().first(4));
    ASSERT_EQ(v4.schema_version(), 4);
    v4.with([](SqliteConnection& c) {
      c.exec(
          "INSERT INTO contact_lists (aor, delta_num, acl_delta_num) "
          "VALUES ('alice@parley.test', 5, 1)");
      c.exec(
          "INSERT INTO im_sessions (call_id, caller, callee, started_at, ended_at, messages, "
          "ended_by_bye) VALUES ('c1', 'alice@parley.test', 'bob@parley.test', 1, 2, 3, 1)");
    });
  }
  auto db = std::make_shared<SqliteDatabase>(file);
  EXPECT_GE(db->schema_version(), 5);
  EXPECT_EQ(count(*db, "SELECT delta_num FROM contact_lists WHERE aor = 'alice@parley.test'"), 5);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM im_sessions"), 1);
  SqlitePresenceStore store(db);
  EXPECT_FALSE(store.load(kAlice).containers_set);
  store.save_categories(kAlice, {category("note", 200, 0, "<n/>")});
  store.save_containers(kAlice, some_containers());
  EXPECT_EQ(store.load(kAlice).containers, some_containers());
}

TEST(PresenceStoreMemory, WorksOnAnInMemoryDatabase) {
  SqlitePresenceStore store(std::make_shared<SqliteDatabase>(":memory:"));
  store.save_categories(kAlice, {category("note", 200, 0, "<n/>")});
  store.save_containers(kAlice, some_containers());
  StoredPresence p = store.load(kAlice);
  EXPECT_EQ(p.categories.size(), 1u);
  EXPECT_EQ(p.containers, some_containers());
}

// Readers never see half a save: every load has all of one version's
// categories and containers (one category and one container per version).
TEST_F(PresenceStoreTest, ConcurrentSavesAndLoadsSeeWholeSets) {
  constexpr int kRounds = 100;
  std::thread writer([&] {
    for (int v = 1; v <= kRounds; ++v) {
      store_.save_categories(
          kAlice, {category("note", 200, 0, "<v/>", v), category("state", 200, 0, "<v/>", v)});
      store_.save_containers(
          kAlice, {{200, v, {{"user", "a@x"}, {"user", "b@x"}}}, {32000, v, {{"user", "c@x"}}}});
    }
  });
  for (int i = 0; i < kRounds * 2; ++i) {
    StoredPresence p = store_.load(kAlice);
    if (!p.categories.empty()) {
      ASSERT_EQ(p.categories.size(), 2u);
      EXPECT_EQ(p.categories[0].version, p.categories[1].version);
    }
    if (p.containers_set) {
      ASSERT_EQ(p.containers.size(), 2u);
      EXPECT_EQ(p.containers[0].members.size(), 2u);
      EXPECT_EQ(p.containers[1].members.size(), 1u);
      EXPECT_EQ(p.containers[0].version, p.containers[1].version);
    }
  }
  writer.join();
  EXPECT_EQ(store_.load(kAlice).categories[0].version, kRounds);
}

}  // namespace
}  // namespace parley::store
