// ContactStore on the server's SQLite database (tables contact_lists,
// contact_groups, contacts, contact_aces; migration 3).
//
// A user's list row (and its default group "~") is created by the first change,
// inside that change's transaction. Every change runs in one IMMEDIATE
// transaction that checks the client's deltaNum, applies the change and
// increments deltaNum, so two changes racing on the same list are serialized
// and the second one sees the first one's deltaNum. Reads use a pooled
// read-only connection (SqliteDatabase::read). Back-end failures throw StoreError.
#pragma once

#include <memory>

#include "store/contact_store.hpp"
#include "store/sqlite/database.hpp"

namespace parley::store {

class SqliteContactStore final : public ContactStore {
 public:
  explicit SqliteContactStore(std::shared_ptr<SqliteDatabase> db, ContactLimits limits = {},
                              DeltaCheck check = DeltaCheck::not_older);

  ContactList list(std::string_view aor) override;
  ContactResult<ContactDelta> set_contact(std::string_view aor, const Contact& contact,
                                          std::optional<std::int64_t> expected_delta) override;
  ContactResult<ContactDelta> delete_contact(std::string_view aor, std::string_view uri,
                                             std::optional<std::int64_t> expected_delta) override;
  ContactResult<ContactDelta> add_group(std::string_view aor, std::string_view name,
                                        std::string_view external_uri,
                                        std::optional<std::int64_t> expected_delta) override;
  ContactResult<ContactDelta> modify_group(std::string_view aor, std::int64_t id,
                                           std::string_view name, std::string_view external_uri,
                                           std::optional<std::int64_t> expected_delta) override;
  ContactResult<ContactDelta> delete_group(std::string_view aor, std::int64_t id,
                                           std::optional<std::int64_t> expected_delta) override;
  AccessControlList acl(std::string_view aor) override;
  ContactResult<std::int64_t> set_ace(std::string_view aor, const AccessControlEntry& ace,
                                      std::optional<std::int64_t> expected_delta) override;

 private:
  // A group's name and external URI against the limits: nullopt when they fit.
  std::optional<ContactRefusal> check_group_fields(std::string_view name,
                                                   std::string_view external_uri) const;

  std::shared_ptr<SqliteDatabase> db_;
  ContactLimits limits_;
  DeltaCheck check_;
};

}  // namespace parley::store
