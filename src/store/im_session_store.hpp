// Call detail records of 1:1 IM sessions (roles/proxy/im_sessions.hpp writes
// them): who talked to whom, when, and how many messages. The seed's Front End
// keeps such records because 1:1 IM passes through the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::store {

struct ImSessionRecord {
  std::string call_id;
  std::string caller;           // AOR, e.g. "alice@parley.test"
  std::string callee;           // AOR
  std::int64_t started_at = 0;  // Unix time, seconds
  std::int64_t ended_at = 0;    // Unix time, seconds
  std::uint32_t messages = 0;
  bool ended_by_bye = false;    // false: closed after being idle
};

class ImSessionStore {
 public:
  virtual ~ImSessionStore() = default;
  // Thread-safe; throws StoreError on a back-end failure.
  virtual void add(const ImSessionRecord& record) = 0;
  // The newest `limit` records, newest first.
  virtual std::vector<ImSessionRecord> recent(std::size_t limit) = 0;
};

}  // namespace parley::store
