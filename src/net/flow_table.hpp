// The table of live flows (RFC 5626 "flow": one TCP/TLS connection), shared by
// all workers.
//
// FlowId -> weak_ptr<Conn>, sharded with one mutex per shard, plus an index by
// remote address (flow_key()) so a message to an address with no flow id can
// reuse a connection already open to it (RFC 3261 18.1.1, 18.2.2). The table
// never owns a connection: a connection's pending I/O owns it, and it erases
// itself when it closes. Thread-safe; no lock is held while calling out.
//
// Conn must have `sip::FlowId id() const` and `bool usable() const` (false
// once it is closing).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sip/peer.hpp"

namespace parley::net {

template <class Conn>
class FlowTable {
 public:
  static constexpr std::size_t kShards = 16;

  void insert(const std::shared_ptr<Conn>& c) {
    auto& s = flows_[c->id() % kShards];
    std::lock_guard lock(s.mu);
    s.map[c->id()] = c;
  }

  // The live connection with this id, or nullptr.
  std::shared_ptr<Conn> find(sip::FlowId id) const {
    const auto& s = flows_[id % kShards];
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    return it == s.map.end() ? nullptr : it->second.lock();
  }

  // Removes the flow and, if the index still points to it, its address entry.
  void erase(sip::FlowId id, const std::string& key) {
    {
      auto& s = flows_[id % kShards];
      std::lock_guard lock(s.mu);
      s.map.erase(id);
    }
    if (key.empty()) return;
    auto& s = index_[shard_of(key)];
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end() && it->second == id) s.map.erase(it);
  }

  // Points the address index at this flow (the newest flow to an address wins).
  void index(const std::string& key, sip::FlowId id) {
    auto& s = index_[shard_of(key)];
    std::lock_guard lock(s.mu);
    s.map[key] = id;
  }

  // A usable connection to `key`, or nullptr.
  std::shared_ptr<Conn> find_by_address(const std::string& key) const {
    sip::FlowId id = 0;
    {
      const auto& s = index_[shard_of(key)];
      std::lock_guard lock(s.mu);
      auto it = s.map.find(key);
      if (it == s.map.end()) return nullptr;
      id = it->second;
    }
    auto c = find(id);
    return c && c->usable() ? c : nullptr;
  }

  // Returns a usable connection to `key`, or one made by `make()` (which may
  // return nullptr to refuse) and entered in both maps. The second member is
  // true when `make` was called and succeeded. The index shard stays locked
  // across the check and `make`, so two senders to one address never open two
  // connections; `make` must therefore not call back into this table.
  std::pair<std::shared_ptr<Conn>, bool> find_or_add(
      const std::string& key, const std::function<std::shared_ptr<Conn>()>& make) {
    auto& s = index_[shard_of(key)];
    std::lock_guard lock(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) {
      auto c = find(it->second);
      if (c && c->usable()) return {c, false};
    }
    auto c = make();
    if (!c) return {nullptr, false};
    insert(c);
    s.map[key] = c->id();
    return {c, true};
  }

  // Every live connection (for shutdown).
  std::vector<std::shared_ptr<Conn>> all() const {
    std::vector<std::shared_ptr<Conn>> out;
    for (const auto& s : flows_) {
      std::lock_guard lock(s.mu);
      for (const auto& [id, w] : s.map) {
        if (auto c = w.lock()) out.push_back(std::move(c));
      }
    }
    return out;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& s : flows_) {
      std::lock_guard lock(s.mu);
      n += s.map.size();
    }
    return n;
  }

 private:
  static std::size_t shard_of(const std::string& key) { return std::hash<std::string>{}(key) % kShards; }

  struct FlowShard {
    mutable std::mutex mu;
    std::unordered_map<sip::FlowId, std::weak_ptr<Conn>> map;
  };
  struct IndexShard {
    mutable std::mutex mu;
    std::unordered_map<std::string, sip::FlowId> map;
  };
  std::array<FlowShard, kShards> flows_;
  std::array<IndexShard, kShards> index_;
};

}  // namespace parley::net
