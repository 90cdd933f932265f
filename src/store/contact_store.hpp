// Server-stored contact lists: each user's groups and contacts ([MS-SIP] 3.7
// contact management; Lync keeps them the same way for clients whose list is not
// in the Unified Contact Store, [MS-PRES] 3.7.2), and the user's ACL ([MS-SIP]
// 3.7.5.1, setACE: used by OCS 2005-era clients only).
//
// Shape of one user's list:
//   - a version number, deltaNum, greater than zero, incremented by exactly one
//     by every change ([MS-SIP] 3.7.1); the ACL has a deltaNum of its own;
//   - groups numbered 1..63 ([MS-SIP] 3.7.4.4); group 1, named "~", is the
//     default group: the server creates it, the user can rename it but not
//     delete it (clients show "~" as "Other Contacts");
//   - contacts keyed by URI, each in at least one group.
// A user who never changed anything has the list {deltaNum 1, group 1 "~"}: it
// is created lazily, so reading never writes.
//
// AORs are "user@domain"; the domain is compared case-insensitively. Contact
// URIs are stored without the "sip:" scheme (the form contactList carries,
// [MS-SIP] 3.7.5.2), host part in lower case; "sip:bob@Example.com" and
// "bob@example.com" name the same contact.
//
// Every change takes an optional expected deltaNum (the one the client sent) and
// is refused with ContactRefusal::stale_delta when it does not pass the store's
// DeltaCheck. Expected outcomes (stale, no such contact...) are return values;
// back-end failures throw StoreError. Implementations are thread-safe; calls block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::store {

inline constexpr std::int64_t kDefaultGroupId = 1;          // [MS-SIP] 3.7.4.4
inline constexpr std::string_view kDefaultGroupName = "~";  // sipe: "Other Contacts"
inline constexpr std::int64_t kMaxGroupId = 63;             // [MS-SIP] 3.7.4.4: 1-63

struct ContactGroup {
  std::int64_t id = 0;       // 1..63
  std::string name;          // <= 256 bytes ([MS-SIP] 9.1 groupName)
  std::string external_uri;  // opaque to the server (Lync clients keep group data here)
  bool operator==(const ContactGroup&) const = default;
};

struct Contact {
  std::string uri;                  // "bob@example.com": no scheme, host lower-case
  std::string name;                 // alias; empty = use the contact card's name
  std::vector<std::int64_t> groups; // ascending, no duplicates, never empty once stored
  bool subscribed = true;           // the client subscribes to its presence
  std::string external_uri;         // opaque
  std::string extension;            // inner XML of <contactExtension>, verbatim; may be empty
  bool operator==(const Contact&) const = default;
};

// A full list ([MS-SIP] 2.2.4.1 contactList): groups by id, contacts by URI.
struct ContactList {
  std::int64_t delta_num = 1;
  std::vector<ContactGroup> groups;
  std::vector<Contact> contacts;
};

// What one change did ([MS-SIP] 2.2.4.1 contactDelta, 9.1 deltaContactList):
// the list went from prev_delta_num to delta_num = prev_delta_num + 1.
struct ContactDelta {
  std::int64_t prev_delta_num = 0;
  std::int64_t delta_num = 0;
  std::vector<ContactGroup> added_groups;
  std::vector<ContactGroup> modified_groups;
  std::vector<Contact> added_contacts;
  std::vector<Contact> modified_contacts;
  std::vector<std::int64_t> deleted_groups;
  std::vector<std::string> deleted_contacts;  // URIs, stored form
};

// An access control entry ([MS-SIP] 3.7.5.1, 4.10 setACE).
struct AccessControlEntry {
  std::string type;    // "USER", "DOMAIN" or "ALL"
  std::string mask;    // the SIP URI or domain the entry applies to ("" for ALL)
  std::string rights;  // two characters, e.g. "AA" allow all, "BD" block
  bool operator==(const AccessControlEntry&) const = default;
};

struct AccessControlList {
  std::int64_t delta_num = 1;  // the ACL's own version ([MS-SIP] 3.7.1)
  std::vector<AccessControlEntry> entries;  // by type, then mask
};

// Why a change was not made. Nothing changed and deltaNum is unchanged.
enum class ContactRefusal {
  stale_delta,      // the client's deltaNum failed the DeltaCheck
  no_such_contact,  // delete_contact of a URI not in the list
  no_such_group,    // a group id not in the list (set_contact, modify/delete_group)
  default_group,    // delete_group(1): [MS-SIP] 3.7.4.4 forbids it
  duplicate_group,  // add_group/modify_group to a name another group has
  limit,            // too many groups (63) or contacts, or a field too long
  invalid,          // empty or malformed URI, empty group name, bad ACE
};

std::string_view to_string(ContactRefusal r);

// How the client's deltaNum is checked against the stored one.
enum class DeltaCheck {
  exact,      // must be equal ([MS-SIP] 9.2-9.5: "must match the current delta number")
  not_older,  // must not be lower: refuses changes made from an outdated list but
              // tolerates a client that counted a refused request (pidgin-sipe
              // increments its copy on every request it sends)
  none,       // ignored
};

// Limits a store enforces (refusal: limit).
struct ContactLimits {
  std::size_t max_contacts = 250;  // Lync Server 2013 MaxContacts default
  std::size_t max_name_bytes = 256;          // [MS-SIP] 9.1 contactName, groupName
  std::size_t max_uri_bytes = 454;           // [MS-SIP] 10 sipURI
  std::size_t max_external_uri_bytes = 1024; // [MS-SIP] 9.1 externalUri
  std::size_t max_extension_bytes = 1024;    // [MS-SIP] 9.1 contactExtension
  std::size_t max_aces = 1000;
};

template <class T>
using ContactResult = std::variant<T, ContactRefusal>;

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  // The user's full list; {1, [{1,"~"}], []} for a user without one.
  virtual ContactList list(std::string_view aor) = 0;

  // Adds `contact` or replaces the one with its URI (name, groups, subscribed,
  // external URI, extension). Empty groups mean the default group. The delta
  // holds the contact as added_contacts or modified_contacts.
  virtual ContactResult<ContactDelta> set_contact(std::string_view aor, const Contact& contact,
                                                  std::optional<std::int64_t> expected_delta) = 0;
  virtual ContactResult<ContactDelta> delete_contact(std::string_view aor, std::string_view uri,
                                                     std::optional<std::int64_t> expected_delta) = 0;
  // Creates a group; the delta's added_groups[0].id is its new id.
  virtual ContactResult<ContactDelta> add_group(std::string_view aor, std::string_view name,
                                                std::string_view external_uri,
                                                std::optional<std::int64_t> expected_delta) = 0;
  // Renames a group and replaces its external URI.
  virtual ContactResult<ContactDelta> modify_group(std::string_view aor, std::int64_t id,
                                                   std::string_view name,
                                                   std::string_view external_uri,
                                                   std::optional<std::int64_t> expected_delta) = 0;
  // Deletes a group other than the default. Contacts in it leave it; a contact
  // left in no group moves to the default group, so no contact is ever removed
  // by deleting a group (they appear in modified_contacts; OCS sends the same
  // change as modifiedContact followed by deletedGroup, see pidgin-sipe's
  // sipe-notify.c).
  virtual ContactResult<ContactDelta> delete_group(std::string_view aor, std::int64_t id,
                                                   std::optional<std::int64_t> expected_delta) = 0;

  // The ACL; {1, []} for a user without one.
  virtual AccessControlList acl(std::string_view aor) = 0;
  // Adds or replaces the entry with the same type and mask; returns the ACL's new deltaNum.
  virtual ContactResult<std::int64_t> set_ace(std::string_view aor, const AccessControlEntry& ace,
                                              std::optional<std::int64_t> expected_delta) = 0;
};

// "sip:Bob@Example.COM" -> "Bob@example.com"; nullopt when there is no
// user@host form (empty user or host, whitespace, '<', '>' or '"').
std::optional<std::string> normalize_contact_uri(std::string_view uri);

}  // namespace parley::store
