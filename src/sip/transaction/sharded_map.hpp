// A hash map split into shards, each with its own mutex (DESIGN.md "Threads":
// shared tables are sharded maps with a lock per shard).
//
// Values are small and copyable (shared_ptr / weak_ptr): lookups return a copy,
// so no shard lock is held once a call returns. Callers must never call out of
// the layer (TU, sender) while inside one of these calls; none of the methods
// take a callback that runs under the lock except erase_if's predicate, which
// must not block or lock anything else.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley::sip::detail {

template <class K, class V, class Hash = std::hash<K>>
class ShardedMap {
 public:
  // `shards` is rounded up to at least 1.
  explicit ShardedMap(std::size_t shards)
      : count_(shards == 0 ? 1 : shards), shards_(std::make_unique<Shard[]>(count_)) {}

  std::optional<V> find(const K& key) const {
    const Shard& s = shard(key);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    return it->second;
  }

  // Inserts `value` unless the key is present. Returns the value now stored and
  // whether it is the one passed in.
  std::pair<V, bool> try_insert(const K& key, V value) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mu);
    auto [it, inserted] = s.map.try_emplace(key, std::move(value));
    return {it->second, inserted};
  }

  // Erases the entry if `pred(value)` holds (e.g. "is still this transaction").
  template <class Pred>
  bool erase_if(const K& key, Pred pred) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end() || !pred(it->second)) return false;
    s.map.erase(it);
    return true;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      std::lock_guard lock(shards_[i].mu);
      n += shards_[i].map.size();
    }
    return n;
  }

  // Empties the map and returns what it held (for shutdown).
  std::vector<V> take_all() {
    std::vector<V> out;
    for (std::size_t i = 0; i < count_; ++i) {
      std::unordered_map<K, V, Hash> taken;
      {
        std::lock_guard lock(shards_[i].mu);
        taken.swap(shards_[i].map);
      }
      for (auto& [k, v] : taken) out.push_back(std::move(v));
    }
    return out;
  }

 private:
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<K, V, Hash> map;
  };
  Shard& shard(const K& key) { return shards_[Hash{}(key) % count_]; }
  const Shard& shard(const K& key) const { return shards_[Hash{}(key) % count_]; }

  std::size_t count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace parley::sip::detail
