// The highest nonce-count seen per nonce, for replay protection (RFC 7616 3.4,
// 5.4; RFC 3261 22.4 via RFC 2617 3.2.2: "the server can detect request
// replays by maintaining its own copy of this count").
//
// Bounded: at most `capacity` nonces are remembered. Entries are dropped when
// their nonce expires, and when the table is full the oldest nonce (by issue
// time) is evicted. An evicted nonce must not become replayable, so each shard
// keeps a watermark: the newest nonce it ever evicted for lack of room. A
// nonce at or below the watermark that is not in the table is reported as
// Forgotten (the caller answers with stale=true and the client gets a fresh
// nonce) instead of being accepted as new.
//
// Only record authenticated requests here (after the digest matched), so an
// attacker without the password can neither fill the table nor burn counts.
//
// Thread-safe: nonces are spread over shards, each with its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "sip/auth/nonce.hpp"

namespace parley::sip::auth {

class NonceCountTable {
 public:
  enum class Outcome : unsigned char {
    Accepted,   // nc is above every count seen for this nonce; it is now the highest
    Replay,     // nc <= the highest count seen: a replayed (or reordered) request
    Forgotten,  // the nonce was evicted for lack of room; its history is unknown
  };

  // `capacity` entries in total (at least 1), spread over `shards` shards (at
  // least 1, at most `capacity`; each holds up to ceil(capacity / shards)).
  explicit NonceCountTable(std::size_t capacity = 100000, std::size_t shards = 16);

  // Records `nc` for `nonce` if it is above the highest seen. First drops, in
  // the nonce's shard, every entry issued before `expired_before_ms` (those
  // nonces are expired and rejected by time before reaching this table).
  Outcome record(const NonceFields& nonce, std::uint32_t nc, std::int64_t expired_before_ms);

  // Entries currently remembered.
  std::size_t size() const;

 private:
  struct Shard {
    mutable std::mutex mu;
    std::map<NonceFields, std::uint32_t> highest;  // ordered by issue time
    bool evicted_any = false;
    NonceFields watermark;  // newest entry evicted for room (when evicted_any)
  };
  Shard& shard_for(const NonceFields& nonce);

  std::size_t per_shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace parley::sip::auth
