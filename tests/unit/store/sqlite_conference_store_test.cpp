#include "store/sqlite/sqlite_conference_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kAlice = "alice@Parley.Test";

StoredConference conference(std::string id, std::string organizer = "alice@parley.test",
                            std::int64_t expires = 0, std::string subject = "Weekly sync") {
  return {std::move(id), std::move(organizer), std::move(subject), 1714557600, expires,
          false,         "openAuthenticated"};
}

ConferenceRecordRow finished(std::string id, std::int64_t ended,
                             std::vector<ConferenceParticipantRecord> participants = {}) {
  return {std::move(id), "alice@parley.test", ended - 60'000, ended, 12, std::move(participants)};
}

std::int64_t count(SqliteDatabase& db, std::string_view sql) {
  return db.with([&](SqliteConnection& c) {
    auto st = c.prepare(sql);
    return st.step() ? st.integer(0) : -1;
  });
}

class ConferenceStoreTest : public ::testing::Test {
 protected:
  test::TempDir tmp_;
  std::shared_ptr<SqliteDatabase> db_ = std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db");
  SqliteConferenceStore store_{db_};
};

TEST_F(ConferenceStoreTest, NothingStored) {
  EXPECT_FALSE(store_.find("C0FFEE12").has_value());
  EXPECT_TRUE(store_.of_organizer(kAlice).empty());
  EXPECT_TRUE(store_.records().empty());
  EXPECT_EQ(store_.remove_expired(1'000'000'000'000), 0u);
  EXPECT_NO_THROW(store_.remove("C0FFEE12"));
}

TEST_F(ConferenceStoreTest, RoundTripKeepsEveryField) {
  StoredConference c{"7ECB5F9B4C2D4E6F8A1B2C3D4E5F6A7B",
                     std::string(kAlice),
                     "Plan ' \" ; DROP TABLE conferences; --",
                     1714557600,
                     1714561200,
                     true,
                     "closedAuthenticated"};
  store_.save(c);
  std::optional<StoredConference> got = store_.find(c.id);
  ASSERT_TRUE(got.has_value());
  c.organizer = "alice@parley.test";  // the domain comes back lower-cased
  EXPECT_EQ(*got, c);
  EXPECT_FALSE(store_.find("7ecb5f9b4c2d4e6f8a1b2c3d4e5f6a7b").has_value());  // IDs are exact
  EXPECT_EQ(store_.of_organizer("alice@PARLEY.test"), std::vector<StoredConference>{c});
  EXPECT_TRUE(store_.of_organizer("Alice@parley.test").empty());  // user parts are not folded
}

TEST_F(ConferenceStoreTest, SaveReplacesByIdForTheSameOrganizer) {
  store_.save(conference("C0FFEE12", "alice@parley.test", 100, "old"));
  StoredConference c = conference("C0FFEE12", "alice@PARLEY.TEST", 0, "new");
  c.locked = true;
  c.admission_policy = "anonymous";
  store_.save(c);
  std::optional<StoredConference> got = store_.find("C0FFEE12");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->subject, "new");
  EXPECT_EQ(got->expires, 0);
  EXPECT_TRUE(got->locked);
  EXPECT_EQ(got->admission_policy, "anonymous");
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM conferences"), 1);
}

TEST_F(ConferenceStoreTest, AnotherOrganizersIdIsRefused) {
  store_.save(conference("C0FFEE12", "alice@parley.test", 0, "alice's"));
  try {
    store_.save(conference("C0FFEE12", "mallory@parley.test", 0, "mallory's"));
    FAIL() << "took over another organizer's conference";
  } catch (const ConferenceInputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("another organizer"));
  }
  EXPECT_EQ(store_.find("C0FFEE12")->subject, "alice's");
  EXPECT_TRUE(store_.of_organizer("mallory@parley.test").empty());
}

TEST_F(ConferenceStoreTest, OfOrganizerListsOnlyTheirsSortedById) {
  store_.save(conference("BBBBBBBB"));
  store_.save(conference("AAAAAAAA"));
  store_.save(conference("CCCCCCCC", "bob@parley.test"));
  std::vector<StoredConference> alice = store_.of_organizer(kAlice);
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].id, "AAAAAAAA");
  EXPECT_EQ(alice[1].id, "BBBBBBBB");
  ASSERT_EQ(store_.of_organizer("bob@parley.test").size(), 1u);
}

TEST_F(ConferenceStoreTest, RemoveTakesOneAndIgnoresUnknownIds) {
  store_.save(conference("AAAAAAAA"));
  store_.save(conference("BBBBBBBB"));
  store_.remove("AAAAAAAA");
  store_.remove("AAAAAAAA");
  store_.remove("NOSUCHID");
  EXPECT_FALSE(store_.find("AAAAAAAA").has_value());
  EXPECT_TRUE(store_.find("BBBBBBBB").has_value());
}

TEST_F(ConferenceStoreTest, RemoveExpiredTakesThoseDueAndKeepsTheRest) {
  store_.save(conference("NEVER000", "alice@parley.test", 0));
  store_.save(conference("PAST0000", "alice@parley.test", 1000));
  store_.save(conference("NOW00000", "alice@parley.test", 2000));
  store_.save(conference("LATER000", "alice@parley.test", 2001));
  EXPECT_EQ(store_.remove_expired(999), 0u);
  EXPECT_EQ(store_.remove_expired(2000), 2u);
  EXPECT_FALSE(store_.find("PAST0000").has_value());
  EXPECT_FALSE(store_.find("NOW00000").has_value());
  EXPECT_TRUE(store_.find("LATER000").has_value());
  EXPECT_TRUE(store_.find("NEVER000").has_value());
  EXPECT_EQ(store_.remove_expired(2000), 0u);
  EXPECT_EQ(store_.remove_expired(std::numeric_limits<std::int64_t>::max()), 1u);
  EXPECT_TRUE(store_.find("NEVER000").has_value());  // 0 = never expires
}

TEST_F(ConferenceStoreTest, RecordsComeNewestFirstWithTheirParticipants) {
  const std::vector<ConferenceParticipantRecord> first_people = {
      {"alice@Parley.Test", 1'000, 9'000},
      {"bob@parley.test", 2'000, 5'000},
      {"bob@parley.test", 6'000, 9'000},  // left and came back
  };
  ConferenceRecordRow first = finished("AAAAAAAA", 10'000, first_people);
  ConferenceRecordRow second =
      finished("BBBBBBBB", 30'000, {{"carol@parley.test", 25'000, 30'000}});
  ConferenceRecordRow third = finished("AAAAAAAA", 20'000);  // the ID used again, nobody joined
  third.messages = 0;
  store_.record(first);
  store_.record(second);
  store_.record(third);

  std::vector<ConferenceRecordRow> rows = store_.records();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], second);
  EXPECT_EQ(rows[1], third);
  first.participants[0].aor = "alice@parley.test";
  EXPECT_EQ(rows[2], first);

  rows = store_.records(2);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, "BBBBBBBB");
  EXPECT_EQ(rows[1].ended, 20'000);
  EXPECT_TRUE(store_.records(0).empty());

  // Of two records that ended together, the last written comes first.
  store_.record(finished("LATEST00", 30'000));
  EXPECT_EQ(store_.records(1)[0].id, "LATEST00");
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM conference_record_participants"), 4);
}

TEST_F(ConferenceStoreTest, RecordsAreIndependentOfLiveConferences) {
  store_.save(conference("AAAAAAAA"));
  store_.record(finished("AAAAAAAA", 10'000, {{"bob@parley.test", 1, 2}}));
  store_.remove("AAAAAAAA");
  ASSERT_EQ(store_.records().size(), 1u);
  EXPECT_EQ(store_.records()[0].participants.size(), 1u);
}

TEST_F(ConferenceStoreTest, LargeMessageCountsRoundTripAndOverflowIsRefused) {
  ConferenceRecordRow r = finished("AAAAAAAA", 10'000);
  r.messages = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  store_.record(r);
  EXPECT_EQ(store_.records()[0].messages, r.messages);
  r.messages += 1;
  EXPECT_THROW(store_.record(r), ConferenceInputError);
}

TEST_F(ConferenceStoreTest, LimitsAndEmptyKeysAreRefusedAndChangeNothing) {
  store_.save(conference("KEPT0000", "alice@parley.test", 0, "kept"));

  // A 32-byte ID and 1 KiB subject are accepted, one byte more is not.
  EXPECT_NO_THROW(store_.save(
      conference(std::string(32, 'A'), "alice@parley.test", 0, std::string(1024, 's'))));
  try {
    store_.save(conference(std::string(33, 'A')));
    FAIL() << "oversized id accepted";
  } catch (const ConferenceInputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("33 bytes"));
  }
  EXPECT_THROW(store_.save(conference("KEPT0000", "alice@parley.test", 0, std::string(1025, 's'))),
               ConferenceInputError);
  EXPECT_THROW(store_.save(conference("")), ConferenceInputError);
  EXPECT_THROW(store_.save(conference("KEPT0000", "")), ConferenceInputError);
  EXPECT_THROW(store_.save(conference("KEPT0000", std::string(455, 'u'))), ConferenceInputError);
  StoredConference policy = conference("KEPT0000");
  policy.admission_policy = std::string(65, 'p');
  EXPECT_THROW(store_.save(policy), StoreError);  // ConferenceInputError is a StoreError
  EXPECT_EQ(store_.find("KEPT0000")->subject, "kept");

  EXPECT_THROW(store_.record(finished("", 10)), ConferenceInputError);
  EXPECT_THROW(store_.record(finished("AAAAAAAA", 10, {{"", 1, 2}})), ConferenceInputError);
  EXPECT_THROW(
      store_.record(finished("AAAAAAAA", 10, {{"ok@x", 1, 2}, {std::string(455, 'u'), 1, 2}})),
      ConferenceInputError);
  EXPECT_TRUE(store_.records().empty());
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM conference_record_participants"), 0);
}

TEST(ConferenceStoreLimits, AreConfigurable) {
  ConferenceLimits limits;
  limits.max_participants = 2;
  limits.max_id_bytes = 8;
  SqliteConferenceStore store(std::make_shared<SqliteDatabase>(":memory:"), limits);
  EXPECT_NO_THROW(store.save(conference("AAAAAAAA")));
  EXPECT_THROW(store.save(conference("AAAAAAAAA")), ConferenceInputError);
  EXPECT_NO_THROW(store.record(finished("AAAAAAAA", 10, {{"a@x", 1, 2}, {"b@x", 1, 2}})));
  EXPECT_THROW(
      store.record(finished("AAAAAAAA", 10, {{"a@x", 1, 2}, {"b@x", 1, 2}, {"c@x", 1, 2}})),
      ConferenceInputError);
  EXPECT_EQ(store.records().size(), 1u);
}

TEST_F(ConferenceStoreTest, PersistsAcrossReopeningTheFile) {
  store_.save(conference("AAAAAAAA", "alice@parley.test", 1714561200));
  ConferenceRecordRow r = finished("BBBBBBBB", 10'000, {{"bob@parley.test", 1'000, 9'000}});
  store_.record(r);
  SqliteConferenceStore again(std::make_shared<SqliteDatabase>(tmp_.path() / "parley.db"));
  EXPECT_EQ(again.find("AAAAAAAA"), conference("AAAAAAAA", "alice@parley.test", 1714561200));
  EXPECT_EQ(again.records(), std::vector<ConferenceRecordRow>{r});
}

// A database made by a version-5 server gets the conference tables; what it
// had (here a contact list, an IM record and a presence category) is kept.
TEST(ConferenceStoreMigration, Version5DatabaseGetsTheConferenceTables) {
  test::TempDir tmp;
  const auto file = tmp.path() / "old.db";
  {
    SqliteDatabase v5(file, schema_migrations().first(5));
    ASSERT_EQ(v5.schema_version(), 5);
    v5.with([](SqliteConnection& c) {
      c.exec(
          "INSERT INTO contact_lists (aor, delta_num, acl_delta_num) "
          "VALUES ('alice@parley.test', 5, 1)");
      c.exec(
          "INSERT INTO im_sessions (call_id, caller, callee, started_at, ended_at, messages, "
          "ended_by_bye) VALUES ('c1', 'alice@parley.test', 'bob@parley.test', 1, 2, 3, 1)");
      c.exec(
          "INSERT INTO presence_categories (aor, name, container, instance, version, "
          "expire_type, payload) VALUES ('alice@parley.test', 'note', 200, 0, 4, 'static', "
          "'<n/>')");
    });
  }
  auto db = std::make_shared<SqliteDatabase>(file);
  EXPECT_GE(db->schema_version(), 6);
  EXPECT_EQ(count(*db, "SELECT delta_num FROM contact_lists WHERE aor = 'alice@parley.test'"), 5);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM im_sessions"), 1);
  EXPECT_EQ(count(*db, "SELECT version FROM presence_categories WHERE name = 'note'"), 4);
  SqliteConferenceStore store(db);
  EXPECT_FALSE(store.find("AAAAAAAA").has_value());
  store.save(conference("AAAAAAAA"));
  store.record(finished("AAAAAAAA", 10'000, {{"bob@parley.test", 1, 2}}));
  EXPECT_TRUE(store.find("AAAAAAAA").has_value());
  EXPECT_EQ(store.records().size(), 1u);
}

TEST(ConferenceStoreMemory, WorksOnAnInMemoryDatabase) {
  SqliteConferenceStore store(std::make_shared<SqliteDatabase>(":memory:"));
  store.save(conference("AAAAAAAA"));
  store.record(finished("AAAAAAAA", 10'000, {{"bob@parley.test", 1, 2}}));
  EXPECT_EQ(store.of_organizer(kAlice).size(), 1u);
  EXPECT_EQ(store.records()[0].participants.size(), 1u);
}

// Readers never see a record without all its participants.
TEST_F(ConferenceStoreTest, ConcurrentRecordsAndReadsSeeWholeRecords) {
  constexpr int kRounds = 100;
  std::thread writer([&] {
    for (int i = 1; i <= kRounds; ++i) {
      store_.record(finished("AAAAAAAA", i, {{"a@x", 0, i}, {"b@x", 0, i}, {"c@x", 0, i}}));
    }
  });
  for (int i = 0; i < kRounds * 2; ++i) {
    for (const ConferenceRecordRow& r : store_.records(5)) {
      ASSERT_EQ(r.participants.size(), 3u);
    }
  }
  writer.join();
  EXPECT_EQ(store_.records(1)[0].ended, kRounds);
}

}  // namespace
}  // namespace parley::store
