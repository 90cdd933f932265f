#include "store/sqlite/sqlite_contact_store.hpp"

#include <algorithm>
#include <charconv>

#include "base/ascii.hpp"

namespace parley::store {
namespace {

std::vector<std::int64_t> parse_groups(std::string_view text) {
  std::vector<std::int64_t> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::int64_t id = 0;
    if (end > pos && std::from_chars(text.data() + pos, text.data() + end, id).ec == std::errc()) {
      out.push_back(id);
    }
    pos = end;
  }
  return out;
}

std::string join_groups(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ' ';
    out += std::to_string(id);
  }
  return out;
}

bool delta_passes(DeltaCheck check, std::int64_t current, std::optional<std::int64_t> expected) {
  if (!expected) return true;
  switch (check) {
    case DeltaCheck::exact: return *expected == current;
    case DeltaCheck::not_older: return *expected >= current;
    case DeltaCheck::none: return true;
  }
  return true;
}

struct ListRow {
  std::int64_t id = 0;
  std::int64_t delta_num = 1;
  std::int64_t acl_delta_num = 1;
};

std::optional<ListRow> find_list(SqliteConnection& c, const std::string& aor) {
  static const std::string kFind =
      "SELECT id, delta_num, acl_delta_num FROM contact_lists WHERE aor = ?1";
  SqliteStatement& st = c.cached(kFind);
  ResetOnExit reset(st);
  st.bind(1, aor);
  if (!st.step()) return std::nullopt;
  return ListRow{st.integer(0), st.integer(1), st.integer(2)};
}

// Inside a transaction: the list, created with its default group when absent.
ListRow open_list(SqliteConnection& c, const std::string& aor) {
  if (auto row = find_list(c, aor)) return *row;
  {
    static const std::string kInsert =
        "INSERT INTO contact_lists (aor, delta_num, acl_delta_num) VALUES (?1, 1, 1)";
    SqliteStatement& st = c.cached(kInsert);
    ResetOnExit reset(st);
    st.bind(1, aor);
    st.step();
  }
  auto row = find_list(c, aor);
  if (!row) throw StoreError("contact list for " + aor + " vanished after insert");
  static const std::string kDefaultGroup =
      "INSERT INTO contact_groups (list_id, group_id, name) VALUES (?1, ?2, ?3)";
  SqliteStatement& st = c.cached(kDefaultGroup);
  ResetOnExit reset(st);
  st.bind(1, row->id).bind(2, kDefaultGroupId).bind(3, kDefaultGroupName);
  st.step();
  return *row;
}

std::vector<ContactGroup> load_groups(SqliteConnection& c, std::int64_t list_id) {
  static const std::string kGroups =
      "SELECT group_id, name, external_uri FROM contact_groups WHERE list_id = ?1 "
      "ORDER BY group_id";
  SqliteStatement& st = c.cached(kGroups);
  ResetOnExit reset(st);
  st.bind(1, list_id);
  std::vector<ContactGroup> out;
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2)});
  return out;
}

constexpr std::string_view kContactColumns =
    "uri, name, group_ids, subscribed, external_uri, extension";

Contact row_to_contact(const SqliteStatement& st) {
  Contact ct;
  ct.uri = st.text(0);
  ct.name = st.text(1);
  ct.groups = parse_groups(st.text(2));
  ct.subscribed = st.integer(3) != 0;
  ct.external_uri = st.text(4);
  ct.extension = st.text(5);
  return ct;
}

std::vector<Contact> load_contacts(SqliteConnection& c, std::int64_t list_id) {
  static const std::string kContacts = "SELECT " + std::string(kContactColumns) +
                                       " FROM contacts WHERE list_id = ?1 ORDER BY uri";
  SqliteStatement& st = c.cached(kContacts);
  ResetOnExit reset(st);
  st.bind(1, list_id);
  std::vector<Contact> out;
  while (st.step()) out.push_back(row_to_contact(st));
  return out;
}

std::int64_t count_contacts(SqliteConnection& c, std::int64_t list_id) {
  static const std::string kCount = "SELECT count(*) FROM contacts WHERE list_id = ?1";
  SqliteStatement& st = c.cached(kCount);
  ResetOnExit reset(st);
  st.bind(1, list_id);
  return st.step() ? st.integer(0) : 0;
}

std::optional<Contact> load_contact(SqliteConnection& c, std::int64_t list_id,
                                    std::string_view uri) {
  static const std::string kContact = "SELECT " + std::string(kContactColumns) +
                                      " FROM contacts WHERE list_id = ?1 AND uri = ?2";
  SqliteStatement& st = c.cached(kContact);
  ResetOnExit reset(st);
  st.bind(1, list_id).bind(2, uri);
  if (!st.step()) return std::nullopt;
  return row_to_contact(st);
}

void upsert_contact(SqliteConnection& c, std::int64_t list_id, const Contact& ct) {
  static const std::string kUpsert =
      "INSERT INTO contacts (list_id, uri, name, group_ids, subscribed, external_uri, extension) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (list_id, uri) DO UPDATE SET name = excluded.name, group_ids = excluded.group_ids, "
      "subscribed = excluded.subscribed, external_uri = excluded.external_uri, "
      "extension = excluded.extension";
  SqliteStatement& st = c.cached(kUpsert);
  ResetOnExit reset(st);
  st.bind(1, list_id)
      .bind(2, ct.uri)
      .bind(3, ct.name)
      .bind(4, join_groups(ct.groups))
      .bind(5, std::int64_t{ct.subscribed ? 1 : 0})
      .bind(6, ct.external_uri)
      .bind(7, ct.extension);
  st.step();
}

void store_group(SqliteConnection& c, std::int64_t list_id, const ContactGroup& g) {
  static const std::string kUpsert =
      "INSERT INTO contact_groups (list_id, group_id, name, external_uri) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (list_id, group_id) DO UPDATE SET name = excluded.name, "
      "external_uri = excluded.external_uri";
  SqliteStatement& st = c.cached(kUpsert);
  ResetOnExit reset(st);
  st.bind(1, list_id).bind(2, g.id).bind(3, g.name).bind(4, g.external_uri);
  st.step();
}

const ContactGroup* find_group(const std::vector<ContactGroup>& groups, std::int64_t id) {
  for (const auto& g : groups) {
    if (g.id == id) return &g;
  }
  return nullptr;
}

bool name_taken(const std::vector<ContactGroup>& groups, std::string_view name,
                std::int64_t except_id) {
  for (const auto& g : groups) {
    if (g.id != except_id && g.name == name) return true;
  }
  return false;
}

// A refusal, or nullopt when the change was made (the caller commits).
using Step = std::optional<ContactRefusal>;

// Runs `fn(c, row, delta)` for the list of `aor` in one transaction: checks the
// client's deltaNum, and on success stores prev+1 as the new deltaNum.
template <class Fn>
ContactResult<ContactDelta> change_list(SqliteDatabase& db, DeltaCheck check,
                                        std::string_view aor,
                                        std::optional<std::int64_t> expected, Fn&& fn) {
  const std::string key = aor_key(aor);
  return db.with([&](SqliteConnection& c) -> ContactResult<ContactDelta> {
    SqliteTransaction tx(c);
    const ListRow row = open_list(c, key);
    if (!delta_passes(check, row.delta_num, expected)) return ContactRefusal::stale_delta;
    ContactDelta delta;
    delta.prev_delta_num = row.delta_num;
    delta.delta_num = row.delta_num + 1;
    if (Step refused = fn(c, row, delta)) return *refused;
    static const std::string kBump = "UPDATE contact_lists SET delta_num = ?2 WHERE id = ?1";
    {
      SqliteStatement& st = c.cached(kBump);
      ResetOnExit reset(st);
      st.bind(1, row.id).bind(2, delta.delta_num);
      st.step();
    }
    tx.commit();
    return delta;
  });
}

}  // namespace

SqliteContactStore::SqliteContactStore(std::shared_ptr<SqliteDatabase> db, ContactLimits limits,
                                       DeltaCheck check)
    : db_(std::move(db)), limits_(limits), check_(check) {}

ContactList SqliteContactStore::list(std::string_view aor) {
  const std::string key = aor_key(aor);
  return db_->read([&](SqliteConnection& c) {
    ContactList out;
    auto row = find_list(c, key);
    if (!row) {
      out.groups.push_back({kDefaultGroupId, std::string(kDefaultGroupName), ""});
      return out;
    }
    out.delta_num = row->delta_num;
    out.groups = load_groups(c, row->id);
    out.contacts = load_contacts(c, row->id);
    return out;
  });
}

ContactResult<ContactDelta> SqliteContactStore::set_contact(
    std::string_view aor, const Contact& contact, std::optional<std::int64_t> expected_delta) {
  Contact ct = contact;
  auto uri = normalize_contact_uri(contact.uri);
  if (!uri) return ContactRefusal::invalid;
  ct.uri = std::move(*uri);
  if (ct.uri.size() > limits_.max_uri_bytes || ct.name.size() > limits_.max_name_bytes ||
      ct.external_uri.size() > limits_.max_external_uri_bytes ||
      ct.extension.size() > limits_.max_extension_bytes) {
    return ContactRefusal::limit;
  }
  std::sort(ct.groups.begin(), ct.groups.end());
  ct.groups.erase(std::unique(ct.groups.begin(), ct.groups.end()), ct.groups.end());
  if (ct.groups.empty()) ct.groups.push_back(kDefaultGroupId);
  if (ct.groups.size() > static_cast<std::size_t>(kMaxGroupId)) return ContactRefusal::limit;

  return change_list(*db_, check_, aor, expected_delta,
                     [&](SqliteConnection& c, const ListRow& row, ContactDelta& delta) -> Step {
                       const auto groups = load_groups(c, row.id);
                       for (std::int64_t id : ct.groups) {
                         if (!find_group(groups, id)) return ContactRefusal::no_such_group;
                       }
                       const bool exists = load_contact(c, row.id, ct.uri).has_value();
                       if (!exists && static_cast<std::size_t>(count_contacts(c, row.id)) >=
                                          limits_.max_contacts) {
                         return ContactRefusal::limit;
                       }
                       upsert_contact(c, row.id, ct);
                       (exists ? delta.modified_contacts : delta.added_contacts).push_back(ct);
                       return std::nullopt;
                     });
}

ContactResult<ContactDelta> SqliteContactStore::delete_contact(
    std::string_view aor, std::string_view uri, std::optional<std::int64_t> expected_delta) {
  auto key = normalize_contact_uri(uri);
  if (!key) return ContactRefusal::invalid;
  return change_list(*db_, check_, aor, expected_delta,
                     [&](SqliteConnection& c, const ListRow& row, ContactDelta& delta) -> Step {
                       static const std::string kDelete =
                           "DELETE FROM contacts WHERE list_id = ?1 AND uri = ?2";
                       {
                         SqliteStatement& st = c.cached(kDelete);
                         ResetOnExit reset(st);
                         st.bind(1, row.id).bind(2, *key);
                         st.step();
                       }
                       if (c.changes() != 1) return ContactRefusal::no_such_contact;
                       delta.deleted_contacts.push_back(*key);
                       return std::nullopt;
                     });
}

std::optional<ContactRefusal> SqliteContactStore::check_group_fields(
    std::string_view name, std::string_view external_uri) const {
  if (name.empty()) return ContactRefusal::invalid;
  if (name.size() > limits_.max_name_bytes ||
      external_uri.size() > limits_.max_external_uri_bytes)
    return ContactRefusal::limit;
  return std::nullopt;
}

ContactResult<ContactDelta> SqliteContactStore::add_group(
    std::string_view aor, std::string_view name, std::string_view external_uri,
    std::optional<std::int64_t> expected_delta) {
  if (auto refused = check_group_fields(name, external_uri)) return *refused;
  return change_list(*db_, check_, aor, expected_delta,
                     [&](SqliteConnection& c, const ListRow& row, ContactDelta& delta) -> Step {
                       const auto groups = load_groups(c, row.id);
                       if (name_taken(groups, name, 0)) return ContactRefusal::duplicate_group;
                       // The next id after the highest; the lowest free one when
                       // 63 is taken (ids of deleted groups are reused last).
                       std::int64_t id = groups.empty() ? kDefaultGroupId : groups.back().id + 1;
                       if (id > kMaxGroupId) {
                         id = 0;
                         for (std::int64_t i = kDefaultGroupId + 1; i <= kMaxGroupId; ++i) {
                           if (!find_group(groups, i)) {
                             id = i;
                             break;
                           }
                         }
                         if (id == 0) return ContactRefusal::limit;
                       }
                       ContactGroup g{id, std::string(name), std::string(external_uri)};
                       store_group(c, row.id, g);
                       delta.added_groups.push_back(std::move(g));
                       return std::nullopt;
                     });
}

ContactResult<ContactDelta> SqliteContactStore::modify_group(
    std::string_view aor, std::int64_t id, std::string_view name, std::string_view external_uri,
    std::optional<std::int64_t> expected_delta) {
  if (auto refused = check_group_fields(name, external_uri)) return *refused;
  return change_list(*db_, check_, aor, expected_delta,
                     [&](SqliteConnection& c, const ListRow& row, ContactDelta& delta) -> Step {
                       const auto groups = load_groups(c, row.id);
                       if (!find_group(groups, id)) return ContactRefusal::no_such_group;
                       if (name_taken(groups, name, id)) return ContactRefusal::duplicate_group;
                       ContactGroup g{id, std::string(name), std::string(external_uri)};
                       store_group(c, row.id, g);
                       delta.modified_groups.push_back(std::move(g));
                       return std::nullopt;
                     });
}

ContactResult<ContactDelta> SqliteContactStore::delete_group(
    std::string_view aor, std::int64_t id, std::optional<std::int64_t> expected_delta) {
  if (id == kDefaultGroupId) return ContactRefusal::default_group;
  return change_list(
      *db_, check_, aor, expected_delta,
      [&](SqliteConnection& c, const ListRow& row, ContactDelta& delta) -> Step {
        if (!find_group(load_groups(c, row.id), id)) return ContactRefusal::no_such_group;
        for (Contact& ct : load_contacts(c, row.id)) {
          auto it = std::find(ct.groups.begin(), ct.groups.end(), id);
          if (it == ct.groups.end()) continue;
          ct.groups.erase(it);
          if (ct.groups.empty()) ct.groups.push_back(kDefaultGroupId);
          upsert_contact(c, row.id, ct);
          delta.modified_contacts.push_back(std::move(ct));
        }
        static const std::string kDelete =
            "DELETE FROM contact_groups WHERE list_id = ?1 AND group_id = ?2";
        SqliteStatement& st = c.cached(kDelete);
        ResetOnExit reset(st);
        st.bind(1, row.id).bind(2, id);
        st.step();
        delta.deleted_groups.push_back(id);
        return std::nullopt;
      });
}

AccessControlList SqliteContactStore::acl(std::string_view aor) {
  const std::string key = aor_key(aor);
  return db_->read([&](SqliteConnection& c) {
    AccessControlList out;
    auto row = find_list(c, key);
    if (!row) return out;
    out.delta_num = row->acl_delta_num;
    static const std::string kAces =
        "SELECT type, mask, rights FROM contact_aces WHERE list_id = ?1 ORDER BY type, mask";
    SqliteStatement& st = c.cached(kAces);
    ResetOnExit reset(st);
    st.bind(1, row->id);
    while (st.step()) out.entries.push_back({st.text(0), st.text(1), st.text(2)});
    return out;
  });
}

ContactResult<std::int64_t> SqliteContactStore::set_ace(
    std::string_view aor, const AccessControlEntry& ace,
    std::optional<std::int64_t> expected_delta) {
  std::string type = ace.type;
  for (char& ch : type) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  if ((type != "USER" && type != "DOMAIN" && type != "ALL") || ace.rights.size() != 2 ||
      (type != "ALL" && ace.mask.empty())) {
    return ContactRefusal::invalid;
  }
  if (ace.mask.size() > limits_.max_uri_bytes) return ContactRefusal::limit;
  const std::string key = aor_key(aor);
  return db_->with([&](SqliteConnection& c) -> ContactResult<std::int64_t> {
    SqliteTransaction tx(c);
    const ListRow row = open_list(c, key);
    if (!delta_passes(check_, row.acl_delta_num, expected_delta)) {
      return ContactRefusal::stale_delta;
    }
    static const std::string kUpsert =
        "INSERT INTO contact_aces (list_id, type, mask, rights) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (list_id, type, mask) DO UPDATE SET rights = excluded.rights";
    static const std::string kCount = "SELECT count(*) FROM contact_aces WHERE list_id = ?1";
    {
      SqliteStatement& st = c.cached(kCount);
      ResetOnExit reset(st);
      st.bind(1, row.id);
      if (st.step() && static_cast<std::size_t>(st.integer(0)) >= limits_.max_aces) {
        st.reset();
        // Replacing an existing entry is still allowed at the limit.
        static const std::string kExists =
            "SELECT 1 FROM contact_aces WHERE list_id = ?1 AND type = ?2 AND mask = ?3";
        SqliteStatement& ex = c.cached(kExists);
        ResetOnExit reset_ex(ex);
        ex.bind(1, row.id).bind(2, type).bind(3, ace.mask);
        if (!ex.step()) return ContactRefusal::limit;
      }
    }
    {
      SqliteStatement& st = c.cached(kUpsert);
      ResetOnExit reset(st);
      st.bind(1, row.id).bind(2, type).bind(3, ace.mask).bind(4, ace.rights);
      st.step();
    }
    const std::int64_t next = row.acl_delta_num + 1;
    static const std::string kBump = "UPDATE contact_lists SET acl_delta_num = ?2 WHERE id = ?1";
    {
      SqliteStatement& st = c.cached(kBump);
      ResetOnExit reset(st);
      st.bind(1, row.id).bind(2, next);
      st.step();
    }
    tx.commit();
    return next;
  });
}

}  // namespace parley::store
