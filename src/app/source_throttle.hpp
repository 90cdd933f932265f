// Per-source throttling of unauthenticated requests (the job Kamailio's pike
// module does): a source address whose requests keep ending unauthenticated
// (challenged, forbidden, unknown user, malformed) is answered 503 with
// Retry-After for a while, before any other work, while other sources keep
// full service.
//
// Counting is per IP address in fixed windows of `window`: more than `limit`
// failures in one window blocks the address for `block`. A normal Digest
// exchange costs one failure (the 401/407), so `limit` must leave room for the
// clients behind one address (NAT, a load generator). limit 0 disables it.
// Thread-safe: sharded by address, one mutex per shard. Memory is bounded:
// each shard keeps at most `max_sources` entries, dropping stale ones first.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/timer.hpp"

namespace parley::app {

struct ThrottleOptions {
  std::uint32_t limit = 0;  // failures per window per address; 0 = off
  std::chrono::seconds window{10};
  std::chrono::seconds block{30};   // how long a source stays blocked
  std::size_t max_sources = 16384;  // entries per shard before pruning
};

class SourceThrottle {
 public:
  explicit SourceThrottle(ThrottleOptions options) : options_(options) {}

  bool enabled() const { return options_.limit > 0; }
  // Seconds until `ip` may send again (0 = not blocked).
  std::uint32_t blocked_for(std::string_view ip, base::TimePoint now);
  // A request from `ip` ended without authentication. True when this failure
  // blocked the address (so the caller logs it once).
  bool record_failure(std::string_view ip, base::TimePoint now);

 private:
  struct Entry {
    base::TimePoint window_start{};
    std::uint32_t failures = 0;
    base::TimePoint blocked_until{};
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> by_ip;
  };
  static constexpr std::size_t kShards = 32;
  Shard& shard_for(std::string_view ip);
  void prune(Shard& shard, base::TimePoint now);

  ThrottleOptions options_;
  std::array<Shard, kShards> shards_;
};

}  // namespace parley::app
