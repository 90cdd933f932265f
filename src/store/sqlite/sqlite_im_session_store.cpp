#include "store/sqlite/sqlite_im_session_store.hpp"

namespace parley::store {

void SqliteImSessionStore::add(const ImSessionRecord& r) {
  db_->with([&](SqliteConnection& c) {
    auto& st = c.cached(
        "INSERT INTO im_sessions (call_id, caller, callee, started_at, ended_at, messages, "
        "ended_by_bye) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    ResetOnExit reset(st);
    st.bind(1, r.call_id)
        .bind(2, r.caller)
        .bind(3, r.callee)
        .bind(4, r.started_at)
        .bind(5, r.ended_at)
        .bind(6, static_cast<std::int64_t>(r.messages))
        .bind(7, static_cast<std::int64_t>(r.ended_by_bye ? 1 : 0));
    st.step();
  });
}

std::vector<ImSessionRecord> SqliteImSessionStore::recent(std::size_t limit) {
  return db_->with([&](SqliteConnection& c) {
    auto st = c.prepare(
        "SELECT call_id, caller, callee, started_at, ended_at, messages, ended_by_bye "
        "FROM im_sessions ORDER BY id DESC LIMIT ?1");
    st.bind(1, static_cast<std::int64_t>(limit));
    std::vector<ImSessionRecord> out;
    while (st.step()) {
      ImSessionRecord r;
      r.call_id = st.text(0);
      r.caller = st.text(1);
      r.callee = st.text(2);
      r.started_at = st.integer(3);
      r.ended_at = st.integer(4);
      r.messages = static_cast<std::uint32_t>(st.integer(5));
      r.ended_by_bye = st.integer(6) != 0;
      out.push_back(std::move(r));
    }
    return out;
  });
}

}  // namespace parley::store
