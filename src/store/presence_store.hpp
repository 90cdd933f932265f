// What a user's presence keeps across a restart ([MS-PRES]): the publications
// whose expireType is "static" or "user" (they outlive the endpoint and the
// session that published them; "endpoint" and "time" ones do not, so they are
// never stored), and the membership of the user's presence containers, which
// decides who sees which instances ([MS-PRES] 2.2.2.3: 100 external, 200
// company, 300 team, 400 personal, 32000 blocked).
//
// The store keeps what it is given: it does not interpret payloads, versions or
// container ids (the presence role does). Types mirror lync::Category,
// lync::Container and lync::ContainerMember (roles/lync/roaming_self.hpp)
// without depending on them.
//
// AORs are "user@domain"; the domain is compared case-insensitively, the user
// part is not. Writes replace a user's whole set of categories or containers in
// one transaction: a reader sees the old set or the new one, never a mix.
//
// Errors: input over a PresenceLimits limit, or with two entries under one key
// (two categories with the same name, container and instance; two containers
// with the same id), throws PresenceInputError and changes nothing; back-end
// failures throw StoreError (PresenceInputError is one, so catching StoreError
// catches both). Implementations are thread-safe; calls block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/error.hpp"

namespace parley::store {

// One published category instance ([MS-PRES] 2.2.2.2 category).
struct StoredCategory {
  std::string name;  // "contactCard", "note", "calendarData", ...; not empty
  std::int64_t container = 0;
  std::int64_t instance = 0;
  std::int64_t version = 0;
  std::string publish_time;  // "2008-01-22T23:41:05.450", as published; may be empty
  std::string expire_type;   // "static" or "user" (the caller's filter, not checked)
  std::string payload_xml;   // the category's content, verbatim
  bool operator==(const StoredCategory&) const = default;
};

// A container member ([MS-PRES] 2.2.2.3): type "user" or "domain" with a value,
// or "sameEnterprise", "federated", "publicCloud", "everyone" with none.
struct StoredContainerMember {
  std::string type;   // not empty
  std::string value;  // empty for the types without one
  bool operator==(const StoredContainerMember&) const = default;
};

struct StoredContainer {
  std::int64_t id = 0;
  std::int64_t version = 0;
  // A set: load() returns it sorted by (type, value), exact duplicates dropped.
  std::vector<StoredContainerMember> members;
  bool operator==(const StoredContainer&) const = default;
};

struct StoredPresence {
  // Sorted by (name, container, instance).
  std::vector<StoredCategory> categories;
  // Sorted by id.
  std::vector<StoredContainer> containers;
  // True once save_containers() was called for the user, even with an empty
  // list: the user's containers are these, not the defaults for a new user.
  bool containers_set = false;
};

// Limits a store enforces (PresenceInputError); per user unless noted.
struct PresenceLimits {
  std::size_t max_categories = 1024;
  std::size_t max_payload_bytes = 64 * 1024;  // one category's payload_xml
  std::size_t max_name_bytes = 256;           // category name
  std::size_t max_publish_time_bytes = 64;
  std::size_t max_expire_type_bytes = 16;
  std::size_t max_containers = 256;
  std::size_t max_members = 1000;  // per container
  std::size_t max_member_type_bytes = 64;
  std::size_t max_member_value_bytes = 454;  // [MS-SIP] 10 sipURI
};

// The input broke a PresenceLimits limit or repeated a key; nothing changed.
struct PresenceInputError : StoreError {
  using StoreError::StoreError;
};

class PresenceStore {
 public:
  virtual ~PresenceStore() = default;

  // Everything kept for `aor` ("alice@example.com"); empty (containers_set
  // false) when nothing. Never writes.
  virtual StoredPresence load(std::string_view aor) = 0;

  // Replaces the user's static/user categories with `categories` (the caller
  // passes only those) in one transaction. An empty vector removes them all.
  virtual void save_categories(std::string_view aor,
                               const std::vector<StoredCategory>& categories) = 0;

  // Replaces the user's containers (ids, versions, members) in one transaction
  // and marks them set (StoredPresence::containers_set).
  virtual void save_containers(std::string_view aor,
                               const std::vector<StoredContainer>& containers) = 0;
};

}  // namespace parley::store
