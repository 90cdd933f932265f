#include "roles/registrar/location.hpp"

#include "sip/next_hop.hpp"

#include <algorithm>
#include <functional>

namespace parley::registrar {

std::uint32_t Binding::seconds_left(base::TimePoint now) const {
  if (expires_at <= now) return 0;
  auto s = std::chrono::duration_cast<std::chrono::seconds>(expires_at - now).count();
  return static_cast<std::uint32_t>(s);
}

LocationService::Shard& LocationService::shard_for(std::string_view aor) {
  return shards_[std::hash<std::string_view>{}(aor) % kShards];
}

LocationService::IndexShard& LocationService::index_for(std::string_view contact) {
  return index_[std::hash<std::string_view>{}(contact) % kShards];
}

namespace {

bool matches(const Binding& b, const BindingUpdate& u) {
  if (!b.instance.empty() || !u.instance.empty())
    return b.instance == u.instance && b.reg_id == u.reg_id;
  return b.contact == u.contact;
}

void purge_expired(std::vector<Binding>& v, base::TimePoint now) {
  std::erase_if(v, [now](const Binding& b) { return b.expires_at <= now; });
}

}  // namespace

LocationService::Result LocationService::update(const std::string& aor,
                                                const std::vector<BindingUpdate>& updates,
                                                std::string_view call_id, std::uint32_t cseq,
                                                const sip::Peer& flow, base::TimePoint now) {
  Shard& sh = shard_for(aor);
  std::lock_guard lock(sh.mu);
  auto& bindings = sh.by_aor[aor];
  purge_expired(bindings, now);
  for (const auto& u : updates) {
    for (const auto& b : bindings) {
      if (matches(b, u) && b.call_id == call_id && cseq <= b.cseq) return Result::OutOfOrder;
    }
  }
  for (const auto& u : updates) {
    auto it = std::find_if(bindings.begin(), bindings.end(),
                           [&](const Binding& b) { return matches(b, u); });
    if (u.expires == 0) {
      if (it != bindings.end()) bindings.erase(it);
      continue;
    }
    if (it == bindings.end()) it = bindings.insert(bindings.end(), Binding{});
    it->contact = u.contact;
    it->instance = u.instance;
    it->reg_id = u.reg_id;
    it->call_id = std::string(call_id);
    it->cseq = cseq;
    it->q = u.q;
    it->expires_at = now + std::chrono::seconds(u.expires);
    it->flow = u.destination.value_or(flow);
  }
  if (bindings.empty()) sh.by_aor.erase(aor);
  for (const auto& u : updates) {
    if (u.expires == 0) continue;
    IndexShard& ix = index_for(u.contact);
    std::lock_guard ilock(ix.mu);
    ix.aor_of[u.contact] = aor;
  }
  return Result::Ok;
}

LocationService::Result LocationService::remove_all(const std::string& aor,
                                                    std::string_view call_id,
                                                    std::uint32_t cseq) {
  Shard& sh = shard_for(aor);
  std::lock_guard lock(sh.mu);
  auto it = sh.by_aor.find(aor);
  if (it == sh.by_aor.end()) return Result::Ok;
  for (const auto& b : it->second) {
    if (b.call_id == call_id && cseq <= b.cseq) return Result::OutOfOrder;
  }
  sh.by_aor.erase(it);
  return Result::Ok;
}

std::vector<Binding> LocationService::lookup(const std::string& aor, base::TimePoint now) {
  Shard& sh = shard_for(aor);
  std::lock_guard lock(sh.mu);
  auto it = sh.by_aor.find(aor);
  if (it == sh.by_aor.end()) return {};
  purge_expired(it->second, now);
  std::vector<Binding> out = it->second;
  if (it->second.empty()) sh.by_aor.erase(it);
  std::stable_sort(out.begin(), out.end(),
                   [](const Binding& a, const Binding& b) { return a.q > b.q; });
  return out;
}

std::optional<Binding> LocationService::find_contact(std::string_view contact,
                                                     base::TimePoint now) {
  std::string aor;
  {
    IndexShard& ix = index_for(contact);
    std::lock_guard lock(ix.mu);
    auto it = ix.aor_of.find(std::string(contact));
    if (it == ix.aor_of.end()) return std::nullopt;
    aor = it->second;
  }
  for (auto& b : lookup(aor, now)) {
    if (b.contact == contact) return b;
  }
  return std::nullopt;
}

void LocationService::flow_closed(sip::FlowId flow) {
  if (flow == 0) return;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto it = sh.by_aor.begin(); it != sh.by_aor.end();) {
      std::erase_if(it->second, [flow](Binding& b) {
        if (!sip::is_reliable(b.flow.transport) || b.flow.flow != flow) return false;
        if (!b.reg_id.empty()) return true;
        auto uri = sip::parse_uri(b.contact);
        sip::Peer at;
        if (!uri || !sip::next_hop(*uri, at)) return true;
        b.flow = at;
        return false;
      });
      it = it->second.empty() ? sh.by_aor.erase(it) : std::next(it);
    }
  }
}

std::size_t LocationService::purge(base::TimePoint now) {
  std::size_t removed = 0;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto it = sh.by_aor.begin(); it != sh.by_aor.end();) {
      std::size_t before = it->second.size();
      purge_expired(it->second, now);
      removed += before - it->second.size();
      it = it->second.empty() ? sh.by_aor.erase(it) : std::next(it);
    }
  }
  // Lock order is shard before index (update() takes them so): copy each
  // index shard, check against the bindings without holding it, then erase.
  for (auto& ix : index_) {
    std::vector<std::pair<std::string, std::string>> entries;
    {
      std::lock_guard lock(ix.mu);
      entries.assign(ix.aor_of.begin(), ix.aor_of.end());
    }
    std::vector<std::pair<std::string, std::string>> stale;
    for (auto& [contact, aor] : entries) {
      Shard& sh = shard_for(aor);
      std::lock_guard slock(sh.mu);
      auto it = sh.by_aor.find(aor);
      bool live = it != sh.by_aor.end() &&
                  std::any_of(it->second.begin(), it->second.end(),
                              [&](const Binding& b) { return b.contact == contact; });
      if (!live) stale.emplace_back(contact, aor);
    }
    std::lock_guard lock(ix.mu);
    for (auto& [contact, aor] : stale) {
      auto it = ix.aor_of.find(contact);
      if (it != ix.aor_of.end() && it->second == aor) ix.aor_of.erase(it);
    }
  }
  return removed;
}

std::size_t LocationService::size() const {
  std::size_t n = 0;
  for (const auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (const auto& [aor, v] : sh.by_aor) n += v.size();
  }
  return n;
}

}  // namespace parley::registrar
