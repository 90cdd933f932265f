#include "store/sqlite/sqlite_conference_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace parley::store {
namespace {

constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

void too_long(std::string_view what, std::size_t size, std::size_t limit) {
  if (size > limit) {
    throw ConferenceInputError("conference store: " + std::string(what) + " of " +
                               std::to_string(size) + " bytes, over the limit of " +
                               std::to_string(limit));
  }
}

void not_empty(std::string_view what, std::string_view value) {
  if (value.empty()) throw ConferenceInputError("conference store: empty " + std::string(what));
}

// The columns of a conferences row, in the order kColumns names them.
constexpr std::string_view kColumns =
    "id, organizer, subject, created_at, expires_at, locked, admission_policy";

StoredConference conference_from(const SqliteStatement& st) {
  return {st.text(0),    st.text(1),         st.text(2), st.integer(3),
          st.integer(4), st.integer(5) != 0, st.text(6)};
}

}  // namespace

SqliteConferenceStore::SqliteConferenceStore(std::shared_ptr<SqliteDatabase> db,
                                             ConferenceLimits limits)
    : db_(std::move(db)), limits_(limits) {}

void SqliteConferenceStore::check(const StoredConference& c) const {
  not_empty("conference id", c.id);
  not_empty("organizer", c.organizer);
  too_long("conference id", c.id.size(), limits_.max_id_bytes);
  too_long("organizer", c.organizer.size(), limits_.max_aor_bytes);
  too_long("subject", c.subject.size(), limits_.max_subject_bytes);
  too_long("admission policy", c.admission_policy.size(), limits_.max_admission_policy_bytes);
}

void SqliteConferenceStore::check(const ConferenceRecordRow& r) const {
  not_empty("conference id", r.id);
  not_empty("organizer", r.organizer);
  too_long("conference id", r.id.size(), limits_.max_id_bytes);
  too_long("organizer", r.organizer.size(), limits_.max_aor_bytes);
  if (r.messages > kInt64Max) {
    throw ConferenceInputError("conference store: message count " + std::to_string(r.messages) +
                               " out of range");
  }
  if (r.participants.size() > limits_.max_participants) {
    throw ConferenceInputError("conference store: " + std::to_string(r.participants.size()) +
                               " participants, over the limit of " +
                               std::to_string(limits_.max_participants));
  }
  for (const ConferenceParticipantRecord& p : r.participants) {
    not_empty("participant", p.aor);
    too_long("participant", p.aor.size(), limits_.max_aor_bytes);
  }
}

void SqliteConferenceStore::save(const StoredConference& c) {
  check(c);
  const std::string organizer = aor_key(c.organizer);
  // Replaces a row only when it has the same organizer; otherwise changes
  // nothing, which changes() reports as 0 rows.
  static const std::string kUpsert =
      "INSERT INTO conferences (" + std::string(kColumns) +
      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, "
      "created_at = excluded.created_at, expires_at = excluded.expires_at, "
      "locked = excluded.locked, admission_policy = excluded.admission_policy "
      "WHERE conferences.organizer = excluded.organizer";
  const bool saved = db_->with([&](SqliteConnection& c2) {
    run_write(c2, kUpsert, "conference store", [&](SqliteStatement& st) {
      st.bind(1, c.id)
          .bind(2, organizer)
          .bind(3, c.subject)
          .bind(4, c.created)
          .bind(5, c.expires)
          .bind(6, static_cast<std::int64_t>(c.locked ? 1 : 0))
          .bind(7, c.admission_policy);
    });
    return c2.changes() == 1;
  });
  if (!saved) {
    throw ConferenceInputError("conference store: conference " + c.id +
                               " belongs to another organizer");
  }
}

std::optional<StoredConference> SqliteConferenceStore::find(std::string_view id) {
  return db_->read([&](SqliteConnection& c) -> std::optional<StoredConference> {
    static const std::string kFind =
        "SELECT " + std::string(kColumns) + " FROM conferences WHERE id = ?1";
    SqliteStatement& st = c.cached(kFind);
    ResetOnExit reset(st);
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return conference_from(st);
  });
}

std::vector<StoredConference> SqliteConferenceStore::of_organizer(std::string_view organizer) {
  const std::string key = aor_key(organizer);
  return db_->read([&](SqliteConnection& c) {
    static const std::string kOfOrganizer =
        "SELECT " + std::string(kColumns) + " FROM conferences WHERE organizer = ?1 ORDER BY id";
    SqliteStatement& st = c.cached(kOfOrganizer);
    ResetOnExit reset(st);
    st.bind(1, key);
    std::vector<StoredConference> out;
    while (st.step()) out.push_back(conference_from(st));
    return out;
  });
}

void SqliteConferenceStore::remove(std::string_view id) {
  db_->with([&](SqliteConnection& c) {
    static const std::string kRemove = "DELETE FROM conferences WHERE id = ?1";
    run_write(c, kRemove, "conference store", [&](SqliteStatement& st) { st.bind(1, id); });
  });
}

std::size_t SqliteConferenceStore::remove_expired(std::int64_t now_unix) {
  return db_->with([&](SqliteConnection& c) {
    // "expires_at > 0" is the condition of migration 6's partial index.
    static const std::string kRemoveExpired =
        "DELETE FROM conferences WHERE expires_at > 0 AND expires_at <= ?1";
    run_write(c, kRemoveExpired, "conference store", [&](SqliteStatement& st) { st.bind(1, now_unix); });
    return static_cast<std::size_t>(c.changes());
  });
}

void SqliteConferenceStore::record(const ConferenceRecordRow& r) {
  check(r);
  const std::string organizer = aor_key(r.organizer);
  db_->with([&](SqliteConnection& c) {
    SqliteTransaction tx(c);
    static const std::string kRecord =
        "INSERT INTO conference_records (id, organizer, started_at, ended_at, messages) "
        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING record_id";
    std::int64_t record_id = 0;
    {
      SqliteStatement& st = c.cached(kRecord);
      ResetOnExit reset(st);
      st.bind(1, r.id)
          .bind(2, organizer)
          .bind(3, r.started)
          .bind(4, r.ended)
          .bind(5, static_cast<std::int64_t>(r.messages));
      if (!st.step()) throw StoreError("conference store: the record was not written");
      record_id = st.integer(0);
    }
    static const std::string kParticipant =
        "INSERT INTO conference_record_participants (record_id, position, aor, joined_at, "
        "left_at) VALUES (?1, ?2, ?3, ?4, ?5)";
    std::int64_t position = 0;
    for (const ConferenceParticipantRecord& p : r.participants) {
      run_write(c, kParticipant, "conference store", [&](SqliteStatement& st) {
        st.bind(1, record_id)
            .bind(2, position++)
            .bind(3, aor_key(p.aor))
            .bind(4, p.joined)
            .bind(5, p.left);
      });
    }
    tx.commit();
  });
}

std::vector<ConferenceRecordRow> SqliteConferenceStore::records(std::size_t limit) {
  const auto bounded = static_cast<std::int64_t>(std::min<std::uint64_t>(limit, kInt64Max));
  return db_->read([&](SqliteConnection& c) {
    std::vector<ConferenceRecordRow> out;
    std::vector<std::int64_t> record_ids;
    SqliteTransaction snapshot(c, "BEGIN");
    {
      static const std::string kRecords =
          "SELECT record_id, id, organizer, started_at, ended_at, messages "
          "FROM conference_records ORDER BY ended_at DESC, record_id DESC LIMIT ?1";
      SqliteStatement& st = c.cached(kRecords);
      ResetOnExit reset(st);
      st.bind(1, bounded);
      while (st.step()) {
        record_ids.push_back(st.integer(0));
        ConferenceRecordRow r;
        r.id = st.text(1);
        r.organizer = st.text(2);
        r.started = st.integer(3);
        r.ended = st.integer(4);
        r.messages = static_cast<std::uint64_t>(std::max<std::int64_t>(st.integer(5), 0));
        out.push_back(std::move(r));
      }
    }
    static const std::string kParticipants =
        "SELECT aor, joined_at, left_at FROM conference_record_participants "
        "WHERE record_id = ?1 ORDER BY position";
    for (std::size_t i = 0; i < out.size(); ++i) {
      SqliteStatement& st = c.cached(kParticipants);
      ResetOnExit reset(st);
      st.bind(1, record_ids[i]);
      while (st.step()) out[i].participants.push_back({st.text(0), st.integer(1), st.integer(2)});
    }
    snapshot.commit();
    return out;
  });
}

}  // namespace parley::store
