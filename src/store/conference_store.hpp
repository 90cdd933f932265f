// What conferencing keeps ([MS-CONFBAS]): the conferences that exist, so that
// a client joining by a conference's URI after a restart finds it, and a
// record of each finished conference (organizer, participants with their join
// and leave times, message count).
//
// A conference is created by addConference ([MS-CONFBAS] 3.2.5.1.1, C3P in
// roles/conferencing/c3p.hpp) and lives until deleteConference, its end, or
// its expiry-time. The store keeps what it is given: it does not check IDs,
// admission policies or times (the Focus does). Types mirror the conferencing
// role's without depending on it.
//
// Keys: the conference ID ([MS-CONFPRO] 2.2.1.2 conference-id) is unique
// across organizers. AORs are "user@domain"; the domain is compared
// case-insensitively, the user part is not, and they come back with the
// domain lower-cased.
//
// Errors: input over a ConferenceLimits limit, an empty key, or a save() whose
// ID belongs to another organizer throws ConferenceInputError and changes
// nothing; back-end failures throw StoreError (ConferenceInputError is one, so
// catching StoreError catches both). Implementations are thread-safe; calls
// block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/error.hpp"

namespace parley::store {

// A conference that exists (until it ends or expires): enough to answer a
// client that joins by its URI after a restart.
struct StoredConference {
  std::string id;                // [MS-CONFPRO] 2.2.1.2 conference-id; not empty
  std::string organizer;         // "alice@example.com"; not empty
  std::string subject;           // may be empty
  std::int64_t created = 0;      // Unix time, seconds
  std::int64_t expires = 0;      // Unix time, seconds; 0 = never
  bool locked = false;           // [MS-CONFBAS] modifyConferenceLock
  std::string admission_policy;  // msci:admission-policy: "openAuthenticated", ...
  bool operator==(const StoredConference&) const = default;
};

// One stay of one participant in a finished conference (someone who left and
// came back has two).
struct ConferenceParticipantRecord {
  std::string aor;          // "bob@example.com"; not empty
  std::int64_t joined = 0;  // Unix time, milliseconds
  std::int64_t left = 0;    // Unix time, milliseconds
  bool operator==(const ConferenceParticipantRecord&) const = default;
};

// What a finished conference leaves.
struct ConferenceRecordRow {
  std::string id;              // the conference ID; not empty; not unique among records
  std::string organizer;       // "alice@example.com"; not empty
  std::int64_t started = 0;    // Unix time, milliseconds
  std::int64_t ended = 0;      // Unix time, milliseconds
  std::uint64_t messages = 0;  // at most INT64_MAX
  // In the order given; records() returns them in that order.
  std::vector<ConferenceParticipantRecord> participants;
  bool operator==(const ConferenceRecordRow&) const = default;
};

// Limits a store enforces (ConferenceInputError).
struct ConferenceLimits {
  std::size_t max_id_bytes = 32;    // [MS-CONFPRO] 2.2.1.2: 8 to 32 characters
  std::size_t max_aor_bytes = 454;  // [MS-SIP] 10 sipURI; organizer and participants
  std::size_t max_subject_bytes = 1024;
  std::size_t max_admission_policy_bytes = 64;
  std::size_t max_participants = 10000;  // per record
};

// The input broke a ConferenceLimits limit, left a key empty, or took another
// organizer's conference ID; nothing changed.
struct ConferenceInputError : StoreError {
  using StoreError::StoreError;
};

class ConferenceStore {
 public:
  virtual ~ConferenceStore() = default;

  // Inserts `c`, or replaces the conference with its ID when that has the
  // same organizer (compared as AORs). ConferenceInputError when the ID is
  // another organizer's: one user cannot take over another's conference.
  virtual void save(const StoredConference& c) = 0;
  // The conference with ID `id` (compared exactly), or nullopt. Expired ones
  // are returned until remove_expired() removes them: the caller compares
  // `expires` with its clock.
  virtual std::optional<StoredConference> find(std::string_view id) = 0;
  // The conferences `organizer` ("alice@example.com") organizes, sorted by ID.
  virtual std::vector<StoredConference> of_organizer(std::string_view organizer) = 0;
  // Removes the conference with ID `id`; nothing happens when there is none.
  virtual void remove(std::string_view id) = 0;
  // Removes every conference with 0 < expires <= now_unix (Unix seconds);
  // returns how many.
  virtual std::size_t remove_expired(std::int64_t now_unix) = 0;

  // Appends a finished conference's record and its participants in one
  // transaction. Records are never replaced: a conference ID used again
  // (a recurring meeting) leaves one record per use.
  virtual void record(const ConferenceRecordRow& r) = 0;
  // The newest `limit` records (greatest `ended` first; of equal ones, the
  // last written first), each with its participants, read from one snapshot.
  virtual std::vector<ConferenceRecordRow> records(std::size_t limit = 100) = 0;
};

}  // namespace parley::store
