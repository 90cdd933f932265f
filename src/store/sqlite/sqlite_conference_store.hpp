// ConferenceStore on the server's SQLite database (tables conferences,
// conference_records, conference_record_participants; migration 6).
//
// Input is checked against the limits before any transaction opens, so a
// refused call costs no lock. save() is one upsert that replaces only a row of
// the same organizer; record() writes the record and its participants in one
// IMMEDIATE transaction. Lookups read on a pooled read-only connection
// (SqliteDatabase::read); records() reads records and participants inside one
// read transaction, so they come from one snapshot. Back-end failures throw
// StoreError, bad input ConferenceInputError.
#pragma once

#include <memory>

#include "store/conference_store.hpp"
#include "store/sqlite/database.hpp"

namespace parley::store {

class SqliteConferenceStore final : public ConferenceStore {
 public:
  explicit SqliteConferenceStore(std::shared_ptr<SqliteDatabase> db, ConferenceLimits limits = {});

  void save(const StoredConference& c) override;
  std::optional<StoredConference> find(std::string_view id) override;
  std::vector<StoredConference> of_organizer(std::string_view organizer) override;
  void remove(std::string_view id) override;
  std::size_t remove_expired(std::int64_t now_unix) override;
  void record(const ConferenceRecordRow& r) override;
  std::vector<ConferenceRecordRow> records(std::size_t limit = 100) override;

 private:
  // Throw ConferenceInputError when the input breaks a limit or leaves a key empty.
  void check(const StoredConference& c) const;
  void check(const ConferenceRecordRow& r) const;

  std::shared_ptr<SqliteDatabase> db_;
  ConferenceLimits limits_;
};

}  // namespace parley::store
