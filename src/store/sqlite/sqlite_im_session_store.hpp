// ImSessionStore on the server's SQLite database (table `im_sessions`,
// migration 4). Writes take the database's lock; one row per session.
#pragma once

#include <memory>

#include "store/im_session_store.hpp"
#include "store/sqlite/database.hpp"

namespace parley::store {

class SqliteImSessionStore final : public ImSessionStore {
 public:
  explicit SqliteImSessionStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}
  void add(const ImSessionRecord& record) override;
  std::vector<ImSessionRecord> recent(std::size_t limit) override;

 private:
  std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace parley::store
