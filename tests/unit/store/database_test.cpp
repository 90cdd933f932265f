#include "store/sqlite/database.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace parley::store {
namespace {

using ::testing::HasSubstr;

constexpr Migration kV1[] = {
    {1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"},
};
constexpr Migration kV2[] = {
    {1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"},
    {2, "note authors",
     "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody';"
     "CREATE INDEX notes_author ON notes (author);"},
};

std::int64_t count(SqliteDatabase& db, std::string_view sql) {
  return db.with([&](SqliteConnection& c) {
    auto st = c.prepare(sql);
    return st.step() ? st.integer(0) : -1;
  });
}

TEST(SqliteDatabase, CreatesFileAndParentWithWalAndSchema) {
  test::TempDir tmp;
  auto file = tmp.path() / "sub" / "dir" / "parley.db";
  SqliteDatabase db(file);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(db.journal_mode(), "wal");
  EXPECT_EQ(db.schema_version(), static_cast<std::int64_t>(schema_migrations().size()));
  EXPECT_EQ(count(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='users'"), 1);
}

TEST(SqliteDatabase, MigrationsAreNumberedWithoutGaps) {
  auto m = schema_migrations();
  ASSERT_FALSE(m.empty());
  for (std::size_t i = 0; i < m.size(); ++i) EXPECT_EQ(m[i].version, static_cast<int>(i + 1));
}

TEST(SqliteDatabase, UpgradesAVersion1Database) {
  test::TempDir tmp;
  auto file = tmp.path() / "up.db";
  {
    SqliteDatabase db(file, kV1);
    EXPECT_EQ(db.schema_version(), 1);
    db.with([](SqliteConnection& c) { c.exec("INSERT INTO notes (text) VALUES ('kept')"); });
  }
  SqliteDatabase db(file, kV2);
  EXPECT_EQ(db.schema_version(), 2);
  // The old row survived and got the new column's default.
  auto author = db.with([](SqliteConnection& c) {
    auto st = c.prepare("SELECT text, author FROM notes");
    EXPECT_TRUE(st.step());
    return st.text(0) + "/" + st.text(1);
  });
  EXPECT_EQ(author, "kept/nobody");
  EXPECT_EQ(count(db, "SELECT count(*) FROM sqlite_master WHERE name='notes_author'"), 1);
}

TEST(SqliteDatabase, ReopeningAppliesNothingTwice) {
  test::TempDir tmp;
  auto file = tmp.path() / "again.db";
  { SqliteDatabase db(file, kV2); }
  // Migration 2's ALTER TABLE would fail if it ran again.
  SqliteDatabase db(file, kV2);
  EXPECT_EQ(db.schema_version(), 2);
}

TEST(SqliteDatabase, FailedMigrationRollsBack) {
  test::TempDir tmp;
  auto file = tmp.path() / "bad.db";
  { SqliteDatabase db(file, kV1); }
  constexpr Migration broken[] = {
      kV1[0],
      {2, "half broken", "CREATE TABLE extra (x INTEGER); THIS IS NOT SQL;"},
  };
  try {
    SqliteDatabase db(file, broken);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("migration 2 (half broken) failed"));
  }
  SqliteDatabase db(file, kV1);
  EXPECT_EQ(db.schema_version(), 1);
  EXPECT_EQ(count(db, "SELECT count(*) FROM sqlite_master WHERE name='extra'"), 0);
}

TEST(SqliteDatabase, RefusesANewerSchema) {
  test::TempDir tmp;
  auto file = tmp.path() / "new.db";
  { SqliteDatabase db(file, kV2); }
  try {
    SqliteDatabase db(file, kV1);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 2, newer than this program's 1"));
  }
}

TEST(SqliteDatabase, RejectsAGappedMigrationList) {
  constexpr Migration gapped[] = {kV1[0], {3, "three", "SELECT 1;"}};
  EXPECT_THROW(SqliteDatabase(":memory:", gapped), StoreError);
}

TEST(SqliteDatabase, InMemory) {
  SqliteDatabase db(":memory:");
  EXPECT_EQ(db.journal_mode(), "memory");
  EXPECT_EQ(db.schema_version(), static_cast<std::int64_t>(schema_migrations().size()));
}

TEST(SqliteDatabase, UnopenableFileThrows) {
  test::TempDir tmp;
  // A directory is not a database file.
  EXPECT_THROW(SqliteDatabase(tmp.path()), StoreError);
}

}  // namespace
}  // namespace parley::store
