#include "sip/auth/nonce_count_table.hpp"

#include <algorithm>

namespace parley::sip::auth {

NonceCountTable::NonceCountTable(std::size_t capacity, std::size_t shards) {
  capacity = std::max<std::size_t>(capacity, 1);
  shards = std::clamp<std::size_t>(shards, 1, capacity);
  per_shard_capacity_ = (capacity + shards - 1) / shards;
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

NonceCountTable::Shard& NonceCountTable::shard_for(const NonceFields& nonce) {
  // The random half is uniformly distributed; use it to pick the shard.
  return *shards_[nonce.random % shards_.size()];
}

NonceCountTable::Outcome NonceCountTable::record(const NonceFields& nonce, std::uint32_t nc,
                                                 std::int64_t expired_before_ms) {
  Shard& s = shard_for(nonce);
  std::lock_guard lock(s.mu);
  while (!s.highest.empty() && s.highest.begin()->first.issued_ms < expired_before_ms) {
    s.highest.erase(s.highest.begin());
  }
  auto it = s.highest.find(nonce);
  if (it != s.highest.end()) {
    if (nc <= it->second) return Outcome::Replay;
    it->second = nc;
    return Outcome::Accepted;
  }
  if (s.evicted_any && nonce <= s.watermark) return Outcome::Forgotten;
  if (nc == 0) return Outcome::Replay;  // counts start at 1 (RFC 7616 3.4)
  if (s.highest.size() >= per_shard_capacity_) {
    // Evict the oldest; if the new nonce is itself the oldest, it is the one
    // that cannot be remembered.
    auto oldest = s.highest.begin();
    if (nonce < oldest->first) {
      s.watermark = s.evicted_any ? std::max(s.watermark, nonce) : nonce;
      s.evicted_any = true;
      return Outcome::Forgotten;
    }
    s.watermark = s.evicted_any ? std::max(s.watermark, oldest->first) : oldest->first;
    s.evicted_any = true;
    s.highest.erase(oldest);
  }
  s.highest.emplace(nonce, nc);
  return Outcome::Accepted;
}

std::size_t NonceCountTable::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->highest.size();
  }
  return n;
}

}  // namespace parley::sip::auth
