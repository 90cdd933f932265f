// Admission control for TCP/TLS connections (config::Limits::max_connections,
// max_connections_per_ip): a slow or hostile source address can hold at most
// its share of connections, and the server at most its total (DESIGN.md,
// "Errors and input"). Thread-safe; the per-address counts are sharded.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::net {

class ConnectionLimits {
 public:
  ConnectionLimits(std::size_t max_total, std::size_t max_per_ip)
      : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // Takes one slot of the total and one of `ip`'s (an empty ip counts only
  // against the total, as outbound connections do). False when either limit
  // is reached; nothing is taken then.
  bool try_acquire(const std::string& ip);
  // Gives back what try_acquire(ip) took.
  void release(const std::string& ip);

  std::size_t total() const { return total_.load(); }
  std::size_t count(const std::string& ip) const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::size_t> counts;
  };
  Shard& shard(const std::string& ip) { return shards_[std::hash<std::string>{}(ip) % kShards]; }
  const Shard& shard(const std::string& ip) const {
    return shards_[std::hash<std::string>{}(ip) % kShards];
  }

  const std::size_t max_total_;
  const std::size_t max_per_ip_;
  std::atomic<std::size_t> total_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace parley::net
