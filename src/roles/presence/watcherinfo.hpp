// Watcher information (RFC 3857 event package presence.winfo, RFC 3858 format):
// a user subscribes to its own watcher list and learns who watches its
// presence. Parley sends full state in every NOTIFY (RFC 3858 4.4 allows it),
// with the version counting up per subscription.
//
//   <watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">
//     <watcher-list resource="sip:alice@example.com" package="presence">
//       <watcher id="..." event="subscribe" status="active">sip:bob@example.com</watcher>
//     </watcher-list>
//   </watcherinfo>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::presence {

inline constexpr std::string_view kEventWinfo = "presence.winfo";
inline constexpr std::string_view kTypeWatcherinfo = "application/watcherinfo+xml";
inline constexpr std::string_view kNsWatcherinfo = "urn:ietf:params:xml:ns:watcherinfo";

struct WatcherEntry {
  std::string id;       // unique per subscription in the list (RFC 3858 5.3)
  std::string uri;      // the watcher, "sip:bob@example.com"
  std::string status = "active";    // active, pending, waiting, terminated
  std::string event = "subscribe";  // what changed: subscribe, approved, timeout, ...
};

// The full-state document for `resource` ("sip:alice@example.com"). Values are
// escaped and cleaned of characters XML 1.0 cannot carry.
std::string build_watcherinfo(std::string_view resource, std::uint32_t version,
                              const std::vector<WatcherEntry>& watchers);

}  // namespace parley::presence
