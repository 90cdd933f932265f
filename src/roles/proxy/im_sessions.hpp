// Call detail records for 1:1 IM sessions that pass through the proxy.
//
// A Lync-protocol client opens a 1:1 conversation with an INVITE whose SDP
// offers only `m=message <port> sip null` ([MS-SIP] 3.3.5.2; the first message
// may ride in the INVITE's Ms-Text-Format header), then sends MESSAGE requests
// inside the dialog and ends it with BYE. The proxy record-routes the dialog,
// so it sees all of it; the seed's Front End writes one record per session for
// its call detail records. This tracker keeps the open sessions in memory and
// hands each finished one to a sink (the store) once: at BYE, or, for a dialog
// that never sees one, when it has been idle for the tracker's idle limit.
//
// Thread-safe: workers call it concurrently; sessions are sharded by Call-ID.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sip/message.hpp"

namespace parley::proxy {

// One finished IM session.
struct ImSession {
  std::string call_id;
  std::string caller;           // From AOR of the INVITE, e.g. "alice@parley.test"
  std::string callee;           // To AOR of the INVITE
  std::int64_t started_at = 0;  // Unix time, seconds: when the INVITE was answered
  std::int64_t ended_at = 0;    // Unix time, seconds: BYE, or the last activity
  std::uint32_t messages = 0;   // instant messages: MESSAGE requests, plus the INVITE's own
  bool ended_by_bye = false;    // false: closed for being idle
};

class ImSessionSink {
 public:
  virtual ~ImSessionSink() = default;
  // Called once per session, from a worker; must not call back into the tracker.
  virtual void record(const ImSession& session) = 0;
};

class ImSessionTracker {
 public:
  using Clock = std::chrono::system_clock;
  explicit ImSessionTracker(ImSessionSink& sink,
                            std::chrono::seconds idle_limit = std::chrono::hours(1));

  // True for an INVITE whose SDP offers instant messaging only (every m= line
  // is `message`): the 1:1 IM session of [MS-SIP], not a call.
  static bool is_im_invite(const sip::Message& invite);

  // The INVITE `invite` was answered 2xx: the session starts (once per Call-ID;
  // forked 2xx answers do not start a second one).
  void answered(const sip::Message& invite, Clock::time_point now = Clock::now());
  // An in-dialog request the proxy relays: MESSAGE counts one message, BYE ends
  // the session and records it. Anything else only marks activity.
  void in_dialog(const sip::Message& request, Clock::time_point now = Clock::now());
  // Records and forgets the sessions idle since before `now - idle_limit`.
  std::size_t expire(Clock::time_point now = Clock::now());
  // Records every open session (the server is stopping); returns how many.
  std::size_t close_all() { return expire(Clock::time_point::max()); }
  std::size_t open_count() const;

 private:
  struct Open {
    ImSession session;
    Clock::time_point last_activity;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Open> by_call_id;
  };
  static constexpr std::size_t kShards = 16;
  Shard& shard_for(std::string_view call_id);

  ImSessionSink& sink_;
  std::chrono::seconds idle_limit_;
  std::array<Shard, kShards> shards_;
};

}  // namespace parley::proxy
