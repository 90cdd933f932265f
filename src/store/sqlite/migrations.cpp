#include "store/sqlite/migrations.hpp"

#include <array>

namespace parley::store {
namespace {

constexpr std::array kMigrations = {
    Migration{1, "users of the local domains (store/user_store.hpp)", R"sql(
      CREATE TABLE users (
        id           INTEGER PRIMARY KEY,
        username     TEXT NOT NULL,             -- user part of the AOR, case-sensitive
        domain       TEXT NOT NULL,             -- lower-case; also the Digest realm
        display_name TEXT NOT NULL DEFAULT '',
        ha1_md5      TEXT NOT NULL,             -- hex MD5(username:realm:password)
        ha1_sha256   TEXT NOT NULL,             -- hex SHA-256(username:realm:password)
        created_at   INTEGER NOT NULL,          -- Unix time, seconds
        UNIQUE (username, domain)
      );
    )sql"},
};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

}  // namespace parley::store
