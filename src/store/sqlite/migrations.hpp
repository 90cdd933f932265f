// The SQLite schema as an ordered list of migrations.
//
// The database records the last migration applied in PRAGMA user_version (0 for a
// new file). Opening a database applies, in order, every migration whose version
// is greater, each in its own IMMEDIATE transaction together with the new
// user_version, so a failed step leaves the previous version intact and two
// processes never migrate at once. Versions are 1, 2, 3... without gaps. A
// migration, once released, is never edited: change the schema by appending one.
#pragma once

#include <span>
#include <string_view>

namespace parley::store {

struct Migration {
  int version;                   // 1, 2, 3...
  std::string_view description;  // for logs
  std::string_view sql;          // one or more statements
};

// The server's schema, oldest first.
std::span<const Migration> schema_migrations();

}  // namespace parley::store
