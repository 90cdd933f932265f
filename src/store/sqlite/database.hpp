// One SQLite database file shared by the stores of a Standard Edition server.
//
// SqliteDatabase opens (or creates) the file, turns on WAL journaling (readers do
// not block the writer), sets a busy timeout (another process holding the write
// lock makes a call wait up to that long, then fail) and brings the schema up to
// date (migrations.hpp). It owns one read-write connection guarded by a mutex:
// with() runs a function holding the lock, so stores are thread-safe and calls
// block briefly. Lookups on the message path use read() instead: a pool of
// read-only connections, one per thread that reads at the same time, each with
// its prepared statements kept (WAL lets them read while the writer writes, and
// every statement sees what was committed before it started, also by another
// process such as `parley user add`). Nothing is held locked while a query
// runs. Every failure throws StoreError with SQLite's message.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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
  // The statement for `sql`, prepared on first use and kept with the connection
  // (parsing SQL costs far more than running a keyed lookup). The caller
  // resets it when done (SqliteStatement::reset; ResetOnExit does it), so no
  // read transaction stays open between calls.
  SqliteStatement& cached(const std::string& sql);
  // Finalizes the kept statements (before the connection closes).
  void clear_cache() { cache_.clear(); }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  std::int64_t user_version();
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

// Resets a cached statement when the scope ends, also on an exception.
class ResetOnExit {
 public:
  explicit ResetOnExit(SqliteStatement& st) : st_(st) {}
  ~ResetOnExit() { st_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SqliteStatement& st_;
};

// A transaction, rolled back unless committed. `begin` is "BEGIN IMMEDIATE"
// for writes (the write lock at once, so two writers never deadlock on an
// upgrade), "BEGIN" for a read snapshot.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& c, std::string_view begin = "BEGIN IMMEDIATE")
      : c_(c) {
    c_.exec(begin);
  }
  ~SqliteTransaction() {
    if (!done_) {
      try {
        c_.exec("ROLLBACK");
      } catch (const StoreError&) {
        // Nothing more to do: the connection's transaction is gone either way.
      }
    }
  }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  SqliteConnection& c_;
  bool done_ = false;
};

// Runs the cached statement `sql`, which returns no rows, after `bind` set
// its parameters; a constraint violation (which the caller's checks should
// have made impossible) is a back-end failure named after `store`.
template <class Bind>
void run_write(SqliteConnection& c, const std::string& sql, std::string_view store, Bind&& bind) {
  SqliteStatement& st = c.cached(sql);
  ResetOnExit reset(st);
  bind(st);
  st.step();
  if (st.constraint_failed())
    throw StoreError(std::string(store) + ": constraint failed: " + sql);
}

// The key the per-user tables use for an AOR: "alice@Parley.Test" ->
// "alice@parley.test" (RFC 3261 19.1.4: the host part is case-insensitive,
// the user part is not).
std::string aor_key(std::string_view aor);

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

  // Runs fn(SqliteConnection&) on a read-only connection taken from the pool
  // (opened on first need; a ":memory:" database has only its one connection,
  // so there read() is with()). fn must not write.
  template <class Fn>
  decltype(auto) read(Fn&& fn) {
    if (in_memory_) return with(std::forward<Fn>(fn));
    Lease lease(*this);
    return fn(*lease.conn);
  }

  // The schema version (PRAGMA user_version): the last migration applied.
  std::int64_t schema_version();
  // "wal" for a file database, "memory" for ":memory:".
  std::string journal_mode();
  const std::filesystem::path& file() const { return file_; }

 private:
  void migrate(std::span<const Migration> migrations);

  // One pooled read-only connection, borrowed for one read().
  struct Lease {
    explicit Lease(SqliteDatabase& db);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteDatabase& db;
    std::unique_ptr<SqliteConnection> conn;
  };
  std::unique_ptr<SqliteConnection> open_reader();

  std::filesystem::path file_;
  bool in_memory_ = false;
  std::chrono::milliseconds busy_timeout_;
  sqlite3* db_ = nullptr;
  SqliteConnection conn_{nullptr};
  std::mutex mutex_;
  std::mutex readers_mutex_;  // guards idle_readers_ only (a pop or a push)
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
};

}  // namespace parley::store
