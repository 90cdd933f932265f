// One SQLite database file shared by the stores of a Standard Edition server.
//
// SqliteDatabase opens (or creates) the file, turns on WAL journaling (readers do
// not block the writer), sets a busy timeout (another process holding the write
// lock makes a call wait up to that long, then fail) and brings the schema up to
// date (migrations.hpp). It owns one connection guarded by a mutex: with() runs a
// function holding the lock, so stores are thread-safe and calls block briefly.
// Every failure throws StoreError with SQLite's message.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "store/error.hpp"
#include "store/sqlite/migrations.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store {

// A prepared statement. Parameters are numbered from 1, result columns from 0
// (SQLite's conventions). Used only while the database lock is held.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);
  // Runs one step: true when a row is available, false when done. Throws
  // StoreError on failure, except that a constraint violation returns false and
  // sets constraint_failed() (callers turn it into "already exists").
  bool step();
  bool constraint_failed() const { return constraint_failed_; }
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool constraint_failed_ = false;
};

// The connection, as seen by code holding the lock.
class SqliteConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // Runs one or more statements that return no rows.
  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql) { return SqliteStatement(db_, sql); }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  std::int64_t user_version();
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_;
};

class SqliteDatabase {
 public:
  // Opens `file` (":memory:" for a private in-memory database), creating it and
  // its parent directory if needed, and applies `migrations` (default: the
  // server's schema). Throws StoreError, also when the file's schema version is
  // newer than the last migration.
  explicit SqliteDatabase(const std::filesystem::path& file,
                          std::span<const Migration> migrations = schema_migrations(),
                          std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs fn(SqliteConnection&) with the connection locked; returns what fn returns.
  template <class Fn>
  decltype(auto) with(Fn&& fn) {
    std::lock_guard lock(mutex_);
    return fn(conn_);
  }

  // The schema version (PRAGMA user_version): the last migration applied.
  std::int64_t schema_version();
  // "wal" for a file database, "memory" for ":memory:".
  std::string journal_mode();
  const std::filesystem::path& file() const { return file_; }

 private:
  void migrate(std::span<const Migration> migrations);

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  SqliteConnection conn_{nullptr};
  std::mutex mutex_;
};

}  // namespace parley::store
