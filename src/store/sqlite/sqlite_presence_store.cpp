#include "store/sqlite/sqlite_presence_store.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "base/ascii.hpp"

namespace parley::store {
namespace {

void too_long(std::string_view what, std::size_t size, std::size_t limit) {
  if (size > limit) {
    throw PresenceInputError("presence store: " + std::string(what) + " of " +
                             std::to_string(size) + " bytes, over the limit of " +
                             std::to_string(limit));
  }
}

void too_many(std::string_view what, std::size_t count, std::size_t limit) {
  if (count > limit) {
    throw PresenceInputError("presence store: " + std::to_string(count) + " " + std::string(what) +
                             ", over the limit of " + std::to_string(limit));
  }
}

}  // namespace

SqlitePresenceStore::SqlitePresenceStore(std::shared_ptr<SqliteDatabase> db, PresenceLimits limits)
    : db_(std::move(db)), limits_(limits) {}

void SqlitePresenceStore::check(const std::vector<StoredCategory>& categories) const {
  too_many("categories", categories.size(), limits_.max_categories);
  std::set<std::tuple<std::string_view, std::int64_t, std::int64_t>> keys;
  for (const StoredCategory& cat : categories) {
    if (cat.name.empty()) throw PresenceInputError("presence store: category without a name");
    too_long("category name", cat.name.size(), limits_.max_name_bytes);
    too_long("publishTime", cat.publish_time.size(), limits_.max_publish_time_bytes);
    too_long("expireType", cat.expire_type.size(), limits_.max_expire_type_bytes);
    too_long("category payload", cat.payload_xml.size(), limits_.max_payload_bytes);
    if (!keys.emplace(cat.name, cat.container, cat.instance).second) {
      throw PresenceInputError("presence store: category " + cat.name + " in container " +
                               std::to_string(cat.container) + " instance " +
                               std::to_string(cat.instance) + " given twice");
    }
  }
}

void SqlitePresenceStore::check(const std::vector<StoredContainer>& containers) const {
  too_many("containers", containers.size(), limits_.max_containers);
  std::set<std::int64_t> ids;
  for (const StoredContainer& ct : containers) {
    if (!ids.insert(ct.id).second) {
      throw PresenceInputError("presence store: container " + std::to_string(ct.id) +
                               " given twice");
    }
    too_many("members in a container", ct.members.size(), limits_.max_members);
    for (const StoredContainerMember& m : ct.members) {
      if (m.type.empty()) throw PresenceInputError("presence store: member without a type");
      too_long("member type", m.type.size(), limits_.max_member_type_bytes);
      too_long("member value", m.value.size(), limits_.max_member_value_bytes);
    }
  }
}

StoredPresence SqlitePresenceStore::load(std::string_view aor) {
  const std::string key = aor_key(aor);
  return db_->read([&](SqliteConnection& c) {
    StoredPresence out;
    SqliteTransaction snapshot(c, "BEGIN");
    {
      static const std::string kCategories =
          "SELECT name, container, instance, version, publish_time, expire_type, payload "
          "FROM presence_categories WHERE aor = ?1 ORDER BY name, container, instance";
      SqliteStatement& st = c.cached(kCategories);
      ResetOnExit reset(st);
      st.bind(1, key);
      while (st.step()) {
        out.categories.push_back({st.text(0), st.integer(1), st.integer(2), st.integer(3),
                                  st.text(4), st.text(5), st.text(6)});
      }
    }
    {
      static const std::string kSet = "SELECT 1 FROM presence_container_sets WHERE aor = ?1";
      SqliteStatement& st = c.cached(kSet);
      ResetOnExit reset(st);
      st.bind(1, key);
      out.containers_set = st.step();
    }
    if (out.containers_set) {
      {
        static const std::string kContainers =
            "SELECT id, version FROM presence_containers WHERE aor = ?1 ORDER BY id";
        SqliteStatement& st = c.cached(kContainers);
        ResetOnExit reset(st);
        st.bind(1, key);
        while (st.step()) out.containers.push_back({st.integer(0), st.integer(1), {}});
      }
      static const std::string kMembers =
          "SELECT container_id, type, value FROM presence_container_members WHERE aor = ?1 "
          "ORDER BY container_id, type, value";
      SqliteStatement& st = c.cached(kMembers);
      ResetOnExit reset(st);
      st.bind(1, key);
      auto it = out.containers.begin();
      while (st.step()) {
        const std::int64_t id = st.integer(0);
        while (it != out.containers.end() && it->id < id) ++it;
        if (it == out.containers.end()) break;  // the foreign key makes this impossible
        if (it->id == id) it->members.push_back({st.text(1), st.text(2)});
      }
    }
    snapshot.commit();
    return out;
  });
}

void SqlitePresenceStore::save_categories(std::string_view aor,
                                          const std::vector<StoredCategory>& categories) {
  check(categories);
  const std::string key = aor_key(aor);
  db_->with([&](SqliteConnection& c) {
    SqliteTransaction tx(c);
    static const std::string kDelete = "DELETE FROM presence_categories WHERE aor = ?1";
    run_write(c, kDelete, "presence store", [&](SqliteStatement& st) { st.bind(1, key); });
    static const std::string kInsert =
        "INSERT INTO presence_categories (aor, name, container, instance, version, "
        "publish_time, expire_type, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    for (const StoredCategory& cat : categories) {
      run_write(c, kInsert, "presence store", [&](SqliteStatement& st) {
        st.bind(1, key)
            .bind(2, cat.name)
            .bind(3, cat.container)
            .bind(4, cat.instance)
            .bind(5, cat.version)
            .bind(6, cat.publish_time)
            .bind(7, cat.expire_type)
            .bind(8, cat.payload_xml);
      });
    }
    tx.commit();
  });
}

void SqlitePresenceStore::save_containers(std::string_view aor,
                                          const std::vector<StoredContainer>& containers) {
  check(containers);
  const std::string key = aor_key(aor);
  db_->with([&](SqliteConnection& c) {
    SqliteTransaction tx(c);
    static const std::string kDeleteMembers =
        "DELETE FROM presence_container_members WHERE aor = ?1";
    static const std::string kDeleteContainers = "DELETE FROM presence_containers WHERE aor = ?1";
    run_write(c, kDeleteMembers, "presence store", [&](SqliteStatement& st) { st.bind(1, key); });
    run_write(c, kDeleteContainers, "presence store", [&](SqliteStatement& st) { st.bind(1, key); });
    static const std::string kMarkSet =
        "INSERT INTO presence_container_sets (aor) VALUES (?1) ON CONFLICT (aor) DO NOTHING";
    run_write(c, kMarkSet, "presence store", [&](SqliteStatement& st) { st.bind(1, key); });
    static const std::string kContainer =
        "INSERT INTO presence_containers (aor, id, version) VALUES (?1, ?2, ?3)";
    // Members are a set: an exact duplicate is dropped, not an error.
    static const std::string kMember =
        "INSERT INTO presence_container_members (aor, container_id, type, value) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
    for (const StoredContainer& ct : containers) {
      run_write(c, kContainer, "presence store",
          [&](SqliteStatement& st) { st.bind(1, key).bind(2, ct.id).bind(3, ct.version); });
      for (const StoredContainerMember& m : ct.members) {
        run_write(c, kMember, "presence store", [&](SqliteStatement& st) {
          st.bind(1, key).bind(2, ct.id).bind(3, m.type).bind(4, m.value);
        });
      }
    }
    tx.commit();
  });
}

}  // namespace parley::store
