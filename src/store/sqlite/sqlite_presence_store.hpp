// PresenceStore on the server's SQLite database (tables presence_categories,
// presence_container_sets, presence_containers, presence_container_members;
// migration 5).
//
// Each save runs in one IMMEDIATE transaction that deletes the user's rows and
// inserts the new ones, after the input has been checked against the limits
// (so a refused save opens no transaction). load() reads on a pooled read-only
// connection (SqliteDatabase::read) inside one read transaction, so the
// categories and containers it returns come from one snapshot. Back-end
// failures throw StoreError, bad input PresenceInputError.
#pragma once

#include <memory>

#include "store/presence_store.hpp"
#include "store/sqlite/database.hpp"

namespace parley::store {

class SqlitePresenceStore final : public PresenceStore {
 public:
  explicit SqlitePresenceStore(std::shared_ptr<SqliteDatabase> db, PresenceLimits limits = {});

  StoredPresence load(std::string_view aor) override;
  void save_categories(std::string_view aor,
                       const std::vector<StoredCategory>& categories) override;
  void save_containers(std::string_view aor,
                       const std::vector<StoredContainer>& containers) override;

 private:
  // Throw PresenceInputError when the input breaks a limit or repeats a key.
  void check(const std::vector<StoredCategory>& categories) const;
  void check(const std::vector<StoredContainer>& containers) const;

  std::shared_ptr<SqliteDatabase> db_;
  PresenceLimits limits_;
};

}  // namespace parley::store
