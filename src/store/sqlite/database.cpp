#include "store/sqlite/database.hpp"

#include "base/ascii.hpp"

#include <sqlite3.h>

namespace parley::store {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  throw StoreError(msg);
}

}  // namespace

// --- SqliteStatement ---------------------------------------------------------

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    fail(db_, "sqlite prepare");
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_, "sqlite bind");
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "sqlite bind");
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    constraint_failed_ = true;
    return false;
  }
  fail(db_, "sqlite step");
}

std::string SqliteStatement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  constraint_failed_ = false;
}

// --- SqliteConnection --------------------------------------------------------

void SqliteConnection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "sqlite exec: ";
    msg += err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

SqliteStatement& SqliteConnection::cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, sql)).first;
  }
  return *it->second;
}

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

std::int64_t SqliteConnection::user_version() {
  SqliteStatement st(db_, "PRAGMA user_version");
  return st.step() ? st.integer(0) : 0;
}

// --- SqliteDatabase ----------------------------------------------------------

SqliteDatabase::SqliteDatabase(const std::filesystem::path& file,
                               std::span<const Migration> migrations,
                               std::chrono::milliseconds busy_timeout)
    : file_(file), in_memory_(file.string() == ":memory:"), busy_timeout_(busy_timeout) {
  const bool in_memory = in_memory_;
  if (!in_memory && file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      throw StoreError("cannot create " + file.parent_path().string() + ": " + ec.message());
    }
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = "cannot open database " + file.string() + ": " +
                      (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(msg);
  }
  conn_ = SqliteConnection(db_);
  try {
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
    conn_.exec("PRAGMA foreign_keys = ON");
    if (!in_memory) {
      SqliteStatement wal(db_, "PRAGMA journal_mode = WAL");
      wal.step();
      conn_.exec("PRAGMA synchronous = NORMAL");  // safe with WAL; fsync at checkpoints
    }
    migrate(migrations);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteDatabase::~SqliteDatabase() {
  for (auto& reader : idle_readers_) {
    reader->clear_cache();
    sqlite3_close(reader->handle());
  }
  conn_.clear_cache();
  sqlite3_close(db_);
}

std::unique_ptr<SqliteConnection> SqliteDatabase::open_reader() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = "cannot open database " + file_.string() + " for reading: " +
                      (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    throw StoreError(msg);
  }
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout_.count()));
  return std::make_unique<SqliteConnection>(db);
}

SqliteDatabase::Lease::Lease(SqliteDatabase& d) : db(d) {
  {
    std::lock_guard lock(db.readers_mutex_);
    if (!db.idle_readers_.empty()) {
      conn = std::move(db.idle_readers_.back());
      db.idle_readers_.pop_back();
      return;
    }
  }
  conn = db.open_reader();
}

SqliteDatabase::Lease::~Lease() {
  std::lock_guard lock(db.readers_mutex_);
  db.idle_readers_.push_back(std::move(conn));
}

void SqliteDatabase::migrate(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i + 1)) {
      throw StoreError("migration list is not numbered 1, 2, 3... (found " +
                       std::to_string(migrations[i].version) + " at position " +
                       std::to_string(i + 1) + ")");
    }
  }
  const auto latest = static_cast<std::int64_t>(migrations.size());
  if (conn_.user_version() > latest) {
    throw StoreError("database " + file_.string() + " has schema version " +
                     std::to_string(conn_.user_version()) + ", newer than this program's " +
                     std::to_string(latest));
  }
  for (const Migration& m : migrations) {
    if (m.version <= conn_.user_version()) continue;
    conn_.exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while we waited for the write lock.
      if (m.version > conn_.user_version()) {
        conn_.exec(m.sql);
        conn_.exec("PRAGMA user_version = " + std::to_string(m.version));
      }
      conn_.exec("COMMIT");
    } catch (const StoreError& e) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw StoreError("migration " + std::to_string(m.version) + " (" +
                       std::string(m.description) + ") failed: " + e.what());
    }
  }
}

std::int64_t SqliteDatabase::schema_version() {
  return with([](SqliteConnection& c) { return c.user_version(); });
}

std::string SqliteDatabase::journal_mode() {
  return with([](SqliteConnection& c) {
    SqliteStatement st(c.handle(), "PRAGMA journal_mode");
    return st.step() ? st.text(0) : std::string();
  });
}

std::string aor_key(std::string_view aor) {
  std::string out(aor);
  const std::size_t at = out.rfind('@');
  for (std::size_t i = at == std::string::npos ? out.size() : at + 1; i < out.size(); ++i) {
    out[i] = base::ascii_lower(out[i]);
  }
  return out;
}

}  // namespace parley::store
