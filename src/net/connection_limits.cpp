#include "net/connection_limits.hpp"

namespace parley::net {

bool ConnectionLimits::try_acquire(const std::string& ip) {
  std::size_t t = total_.load();
  do {
    if (t >= max_total_) return false;
  } while (!total_.compare_exchange_weak(t, t + 1));
  if (ip.empty()) return true;
  Shard& s = shard(ip);
  std::lock_guard lock(s.mu);
  std::size_t& n = s.counts[ip];
  if (n >= max_per_ip_) {
    if (n == 0) s.counts.erase(ip);
    total_.fetch_sub(1);
    return false;
  }
  ++n;
  return true;
}

void ConnectionLimits::release(const std::string& ip) {
  total_.fetch_sub(1);
  if (ip.empty()) return;
  Shard& s = shard(ip);
  std::lock_guard lock(s.mu);
  auto it = s.counts.find(ip);
  if (it == s.counts.end()) return;
  if (--it->second == 0) s.counts.erase(it);
}

std::size_t ConnectionLimits::count(const std::string& ip) const {
  const Shard& s = shard(ip);
  std::lock_guard lock(s.mu);
  auto it = s.counts.find(ip);
  return it == s.counts.end() ? 0 : it->second;
}

}  // namespace parley::net
