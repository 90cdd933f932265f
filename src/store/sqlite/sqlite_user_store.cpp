#include "store/sqlite/sqlite_user_store.hpp"

#include <algorithm>
#include <chrono>

namespace parley::store {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

User row_to_user(const SqliteStatement& st) {
  User u;
  u.username = st.text(0);
  u.domain = st.text(1);
  u.display_name = st.text(2);
  u.ha1_md5 = st.text(3);
  u.ha1_sha256 = st.text(4);
  u.nt_hash = st.text(5);
  return u;
}

constexpr std::string_view kColumns =
    "username, domain, display_name, ha1_md5, ha1_sha256, nt_hash";

}  // namespace

SqliteUserStore::SqliteUserStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

std::optional<User> SqliteUserStore::find(std::string_view username, std::string_view domain) {
  static const std::string kFind =
      "SELECT " + std::string(kColumns) + " FROM users WHERE username = ?1 AND domain = ?2";
  return db_->read([&](SqliteConnection& c) -> std::optional<User> {
    SqliteStatement& st = c.cached(kFind);
    ResetOnExit reset(st);
    st.bind(1, username).bind(2, lower(domain));
    if (!st.step()) return std::nullopt;
    return row_to_user(st);
  });
}

namespace {

constexpr std::string_view kInsertUser =
    "INSERT INTO users (username, domain, display_name, ha1_md5, ha1_sha256, nt_hash, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs the prepared kInsertUser for one user; false on a duplicate AOR.
bool insert_user(SqliteStatement& st, const User& user, std::int64_t now) {
  st.reset();
  st.bind(1, user.username)
      .bind(2, lower(user.domain))
      .bind(3, user.display_name)
      .bind(4, user.ha1_md5)
      .bind(5, user.ha1_sha256)
      .bind(6, user.nt_hash)
      .bind(7, now);
  st.step();
  return !st.constraint_failed();
}

}  // namespace

bool SqliteUserStore::add(const User& user) {
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare(kInsertUser);
    return insert_user(st, user, unix_now());
  });
}

std::optional<std::size_t> SqliteUserStore::add_all(std::span<const User> users) {
  return db_->with([&](SqliteConnection& c) -> std::optional<std::size_t> {
    c.exec("BEGIN IMMEDIATE");
    try {
      auto st = c.prepare(kInsertUser);
      const std::int64_t now = unix_now();
      for (std::size_t i = 0; i < users.size(); ++i) {
        if (!insert_user(st, users[i], now)) {
          st.reset();
          c.exec("ROLLBACK");
          return i;
        }
      }
      c.exec("COMMIT");
      return std::nullopt;
    } catch (...) {
      c.exec("ROLLBACK");
      throw;
    }
  });
}

bool SqliteUserStore::set_credentials(std::string_view username, std::string_view domain,
                                      std::string_view ha1_md5, std::string_view ha1_sha256,
                                      std::string_view nt_hash) {
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare(
        "UPDATE users SET ha1_md5 = ?3, ha1_sha256 = ?4, nt_hash = ?5 "
        "WHERE username = ?1 AND domain = ?2");
    st.bind(1, username)
        .bind(2, lower(domain))
        .bind(3, ha1_md5)
        .bind(4, ha1_sha256)
        .bind(5, nt_hash);
    st.step();
    return c.changes() == 1;
  });
}

bool SqliteUserStore::remove(std::string_view username, std::string_view domain) {
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare("DELETE FROM users WHERE username = ?1 AND domain = ?2");
    st.bind(1, username).bind(2, lower(domain));
    st.step();
    return c.changes() == 1;
  });
}

std::vector<User> SqliteUserStore::list() {
  return db_->with([&](SqliteConnection& c) {
    auto st =
        c.prepare("SELECT " + std::string(kColumns) + " FROM users ORDER BY domain, username");
    std::vector<User> out;
    while (st.step()) out.push_back(row_to_user(st));
    return out;
  });
}

}  // namespace parley::store
