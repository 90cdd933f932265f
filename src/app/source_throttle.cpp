#include "app/source_throttle.hpp"

#include <functional>

namespace parley::app {

SourceThrottle::Shard& SourceThrottle::shard_for(std::string_view ip) {
  return shards_[std::hash<std::string_view>{}(ip) % kShards];
}

std::uint32_t SourceThrottle::blocked_for(std::string_view ip, base::TimePoint now) {
  if (!enabled()) return 0;
  Shard& sh = shard_for(ip);
  std::lock_guard lock(sh.mu);
  auto it = sh.by_ip.find(std::string(ip));
  if (it == sh.by_ip.end() || it->second.blocked_until <= now) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.blocked_until - now);
  return static_cast<std::uint32_t>(left.count()) + 1;
}

bool SourceThrottle::record_failure(std::string_view ip, base::TimePoint now) {
  if (!enabled()) return false;
  Shard& sh = shard_for(ip);
  std::lock_guard lock(sh.mu);
  if (sh.by_ip.size() >= options_.max_sources) prune(sh, now);
  Entry& e = sh.by_ip[std::string(ip)];
  if (now - e.window_start >= options_.window) {
    e.window_start = now;
    e.failures = 0;
  }
  if (++e.failures > options_.limit && e.blocked_until <= now) {
    e.blocked_until = now + options_.block;
    // The source starts afresh once the block ends.
    e.window_start = e.blocked_until;
    e.failures = 0;
    return true;
  }
  return false;
}

void SourceThrottle::prune(Shard& sh, base::TimePoint now) {
  // Drop entries that are neither blocked nor in a current window.
  std::erase_if(sh.by_ip, [&](const auto& kv) {
    return kv.second.blocked_until <= now && now - kv.second.window_start >= options_.window;
  });
  // Still full (a flood of distinct addresses): start over rather than grow.
  if (sh.by_ip.size() >= options_.max_sources) sh.by_ip.clear();
}

}  // namespace parley::app
