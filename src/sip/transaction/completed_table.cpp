#include "sip/transaction/completed_table.hpp"

#include <algorithm>
#include <functional>

namespace parley::sip::detail {

CompletedTable::CompletedTable(std::size_t shards, base::TimerService& timers)
    : count_(shards == 0 ? 1 : shards),
      shards_(std::make_unique<Shard[]>(count_)),
      timers_(timers) {}

CompletedTable::~CompletedTable() { clear(); }

CompletedTable::Shard& CompletedTable::shard(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % count_];
}

void CompletedTable::insert(const std::string& key, Record record, base::Millis lifetime) {
  const base::TimePoint now = timers_.now();
  const base::TimePoint at = now + lifetime;
  Shard& s = shard(key);
  {
    std::lock_guard lock(s.mu);
    auto [it, inserted] = s.records.try_emplace(key, std::move(record));
    if (!inserted) return;
    s.order.push_back(Due{at, &it->first});
  }
  std::lock_guard lock(sweep_mu_);
  if (sweep_timer_ == 0) arm_sweep(at);
}

std::optional<CompletedTable::Record> CompletedTable::find(const std::string& key) const {
  const Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  auto it = s.records.find(key);
  if (it == s.records.end()) return std::nullopt;
  return it->second;
}

std::size_t CompletedTable::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].records.size();
  }
  return n;
}

void CompletedTable::clear() {
  {
    std::lock_guard lock(sweep_mu_);
    if (sweep_timer_ != 0) timers_.cancel(sweep_timer_);
    sweep_timer_ = 0;
  }
  for (std::size_t i = 0; i < count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    shards_[i].order.clear();
    shards_[i].records.clear();
  }
}

std::optional<base::TimePoint> CompletedTable::expire(Shard& s, base::TimePoint now) {
  std::lock_guard lock(s.mu);
  while (!s.order.empty() && s.order.front().at <= now) {
    auto it = s.records.find(*s.order.front().key);
    s.order.pop_front();
    if (it != s.records.end()) s.records.erase(it);
  }
  if (s.order.empty()) return std::nullopt;
  return s.order.front().at;
}

void CompletedTable::sweep() {
  std::lock_guard lock(sweep_mu_);
  sweep_timer_ = 0;
  const base::TimePoint now = timers_.now();
  std::optional<base::TimePoint> next;
  for (std::size_t i = 0; i < count_; ++i) {
    if (auto at = expire(shards_[i], now)) next = next ? std::min(*next, *at) : *at;
  }
  // An insert that raced with this sweep either is seen here or finds no timer
  // armed once this returns, and arms one itself.
  if (next) arm_sweep(*next);
}

void CompletedTable::arm_sweep(base::TimePoint at) {
  auto delay = std::chrono::ceil<base::Millis>(at - timers_.now());
  if (delay < base::Millis(0)) delay = base::Millis(0);
  std::weak_ptr<CompletedTable> weak = weak_from_this();
  sweep_timer_ = timers_.schedule(delay, [weak] {
    if (auto self = weak.lock()) self->sweep();
  });
}

}  // namespace parley::sip::detail
