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
  return u;
}

constexpr std::string_view kColumns = "username, domain, display_name, ha1_md5, ha1_sha256";

}  // namespace

SqliteUserStore::SqliteUserStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

std::optional<User> SqliteUserStore::find(std::string_view username, std::string_view domain) {
  return db_->with([&](SqliteConnection& c) -> std::optional<User> {
    auto st = c.prepare("SELECT " + std::string(kColumns) +
                        " FROM users WHERE username = ?1 AND domain = ?2");
    st.bind(1, username).bind(2, lower(domain));
    if (!st.step()) return std::nullopt;
    return row_to_user(st);
  });
}

bool SqliteUserStore::add(const User& user) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare(
        "INSERT INTO users (username, domain, display_name, ha1_md5, ha1_sha256, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    st.bind(1, user.username)
        .bind(2, lower(user.domain))
        .bind(3, user.display_name)
        .bind(4, user.ha1_md5)
        .bind(5, user.ha1_sha256)
        .bind(6, now);
    st.step();
    return !st.constraint_failed();
  });
}

bool SqliteUserStore::set_credentials(std::string_view username, std::string_view domain,
                                      std::string_view ha1_md5, std::string_view ha1_sha256) {
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare(
        "UPDATE users SET ha1_md5 = ?3, ha1_sha256 = ?4 WHERE username = ?1 AND domain = ?2");
    st.bind(1, username).bind(2, lower(domain)).bind(3, ha1_md5).bind(4, ha1_sha256);
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
