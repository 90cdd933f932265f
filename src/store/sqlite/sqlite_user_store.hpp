// UserStore on the server's SQLite database (table `users`, migration 1).
//
// Domains are stored and compared in lower case; usernames are case-sensitive
// (RFC 3261 19.1.4: the user part of a SIP URI compares case-sensitively).
// Thread-safe: find() reads on a pooled read-only connection
// (SqliteDatabase::read), the others take the database's lock. Back-end failures throw
// StoreError; "no such user" and "already exists" are return values.
#pragma once

#include <memory>

#include "store/sqlite/database.hpp"
#include "store/user_store.hpp"

namespace parley::store {

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(std::shared_ptr<SqliteDatabase> db);

  std::optional<User> find(std::string_view username, std::string_view domain) override;
  bool add(const User& user) override;
  std::optional<std::size_t> add_all(std::span<const User> users) override;
  bool set_credentials(std::string_view username, std::string_view domain, std::string_view ha1_md5,
                       std::string_view ha1_sha256, std::string_view nt_hash) override;
  bool remove(std::string_view username, std::string_view domain) override;
  // Ordered by domain, then username.
  std::vector<User> list() override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace parley::store
