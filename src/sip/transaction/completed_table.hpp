// The Completed state of non-INVITE server transactions over unreliable
// transports (RFC 3261 17.2.2), kept as compact records. Internal.
//
// For Timer J (64*T1, 32 s with the default T1) after its final response, a
// non-INVITE server transaction over UDP only has to answer a retransmission of
// its request with that response again. Keeping the whole transaction for it
// (the parsed request, its TU context, its lock and timers) made a REGISTER
// cost about 2.5 KB for 32 s; a record here holds only what 17.2.2 needs: the
// transaction key, where the response went and its bytes. The transaction
// object itself terminates as soon as the record is stored.
//
// Records expire in insertion order (every one lives the same 64*T1), so each
// shard keeps a FIFO beside its hash map, and one timer on the layer's
// TimerService sweeps the shards when the oldest record is due.
//
// Thread-safe: one mutex per shard, and one for the sweep timer's bookkeeping
// (taken after a shard's, never while holding one).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/timer.hpp"
#include "sip/peer.hpp"

namespace parley::sip::detail {

class CompletedTable : public std::enable_shared_from_this<CompletedTable> {
 public:
  struct Record {
    Peer to;               // where the final response went (response_destination)
    std::string response;  // its bytes, re-sent as they are
  };

  // `timers` must outlive the table; the sweep timer holds only a weak_ptr.
  CompletedTable(std::size_t shards, base::TimerService& timers);
  ~CompletedTable();
  CompletedTable(const CompletedTable&) = delete;
  CompletedTable& operator=(const CompletedTable&) = delete;

  // Keeps `record` under `key` for `lifetime` (Timer J). A key already present
  // keeps its first record.
  void insert(const std::string& key, Record record, base::Millis lifetime);
  // A copy of the record (retransmissions are rare; no lock outlives the call).
  std::optional<Record> find(const std::string& key) const;
  std::size_t size() const;
  // Drops every record and the sweep timer (layer shutdown).
  void clear();

 private:
  struct Due {
    base::TimePoint at;
    const std::string* key;  // the map node's key: stable until that node is erased
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Record> records;
    std::deque<Due> order;  // nondecreasing `at`, give or take threads racing
  };
  Shard& shard(const std::string& key) const;
  // Drops the records of `s` due at or before `now`; returns when the next one
  // there is due, if any. Takes s.mu.
  std::optional<base::TimePoint> expire(Shard& s, base::TimePoint now);
  void sweep();
  void arm_sweep(base::TimePoint at);  // sweep_mu_ held

  const std::size_t count_;
  std::unique_ptr<Shard[]> shards_;
  base::TimerService& timers_;
  std::mutex sweep_mu_;
  base::TimerId sweep_timer_ = 0;  // 0: none pending
};

}  // namespace parley::sip::detail
