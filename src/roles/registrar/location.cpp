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

LocationService::Stored::Stored(const BindingUpdate& u, std::string_view call_id,
                                std::uint32_t cseq, const sip::Peer& flow,
                                base::TimePoint expires_at)
    : cseq_(cseq), q_(u.q), lync_(u.lync), expires_at_(expires_at) {
  const sip::Peer& to = u.destination ? *u.destination : flow;
  port_ = to.port;
  transport_ = to.transport;
  flow_id_ = to.flow;
  assign({u.contact, u.instance, u.reg_id, call_id, to.ip});
}

void LocationService::Stored::assign(const std::array<std::string_view, kFields>& fields) {
  std::size_t total = 0;
  for (auto f : fields) total += f.size();
  auto text = std::make_unique_for_overwrite<char[]>(total);
  std::uint32_t at = 0;
  for (std::size_t i = 0; i < kFields; ++i) {
    std::copy(fields[i].begin(), fields[i].end(), text.get() + at);
    at += static_cast<std::uint32_t>(fields[i].size());
    end_[i] = at;
  }
  text_ = std::move(text);
}

void LocationService::Stored::set_flow(const sip::Peer& flow) {
  port_ = flow.port;
  transport_ = flow.transport;
  flow_id_ = flow.flow;
  assign({contact(), instance(), reg_id(), call_id(), flow.ip});
}

Binding LocationService::Stored::to_binding() const {
  Binding b;
  b.contact = contact();
  b.instance = instance();
  b.reg_id = reg_id();
  b.call_id = call_id();
  b.cseq = cseq_;
  b.q = q_;
  b.lync = lync_;
  b.expires_at = expires_at_;
  b.flow.transport = transport_;
  b.flow.ip = field(kIp);
  b.flow.port = port_;
  b.flow.flow = flow_id_;
  return b;
}

std::uint64_t LocationService::contact_hash(std::string_view contact) {
  return std::hash<std::string_view>{}(contact);
}

LocationService::Shard& LocationService::shard_for(std::string_view aor) {
  return shards_[std::hash<std::string_view>{}(aor) % kShards];
}

bool LocationService::matches(const Stored& b, const BindingUpdate& u) {
  if (!b.instance().empty() || !u.instance.empty())
    return b.instance() == u.instance && b.reg_id() == u.reg_id;
  return b.contact() == u.contact;
}

namespace {

template <class V>
void purge_expired(V& v, base::TimePoint now) {
  std::erase_if(v, [now](const auto& b) { return b.expires_at() <= now; });
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
      if (matches(b, u) && b.call_id() == call_id && cseq <= b.cseq())
        return Result::OutOfOrder;
    }
  }
  for (const auto& u : updates) {
    auto it = std::find_if(bindings.begin(), bindings.end(),
                           [&](const Stored& b) { return matches(b, u); });
    if (u.expires == 0) {
      if (it != bindings.end()) bindings.erase(it);
      continue;
    }
    Stored fresh(u, call_id, cseq, flow, now + std::chrono::seconds(u.expires));
    if (it == bindings.end())
      bindings.push_back(std::move(fresh));
    else
      *it = std::move(fresh);
  }
  if (bindings.empty()) sh.by_aor.erase(aor);
  for (const auto& u : updates) {
    if (u.expires == 0) continue;
    std::uint64_t h = contact_hash(u.contact);
    IndexShard& ix = index_[h % kShards];
    std::lock_guard ilock(ix.mu);
    auto [first, last] = ix.aor_of.equal_range(h);
    if (std::none_of(first, last, [&](const auto& e) { return e.second == aor; }))
      ix.aor_of.emplace(h, aor);
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
    if (b.call_id() == call_id && cseq <= b.cseq()) return Result::OutOfOrder;
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
  std::vector<Binding> out;
  out.reserve(it->second.size());
  for (const auto& b : it->second) out.push_back(b.to_binding());
  if (it->second.empty()) sh.by_aor.erase(it);
  std::stable_sort(out.begin(), out.end(),
                   [](const Binding& a, const Binding& b) { return a.q > b.q; });
  return out;
}

std::optional<Binding> LocationService::find_contact(std::string_view contact,
                                                     base::TimePoint now) {
  std::uint64_t h = contact_hash(contact);
  std::vector<std::string> aors;
  {
    IndexShard& ix = index_[h % kShards];
    std::lock_guard lock(ix.mu);
    auto [first, last] = ix.aor_of.equal_range(h);
    for (auto it = first; it != last; ++it) aors.push_back(it->second);
  }
  for (const auto& aor : aors) {
    Shard& sh = shard_for(aor);
    std::lock_guard lock(sh.mu);
    auto it = sh.by_aor.find(aor);
    if (it == sh.by_aor.end()) continue;
    for (const auto& b : it->second) {
      if (b.contact() == contact && b.expires_at() > now) return b.to_binding();
    }
  }
  return std::nullopt;
}

void LocationService::flow_closed(sip::FlowId flow) {
  if (flow == 0) return;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto it = sh.by_aor.begin(); it != sh.by_aor.end();) {
      std::erase_if(it->second, [flow](Stored& b) {
        if (!sip::is_reliable(b.transport()) || b.flow_id() != flow) return false;
        if (!b.reg_id().empty()) return true;
        auto uri = sip::parse_uri(b.contact());
        sip::Peer at;
        if (!uri || !sip::next_hop(*uri, at)) return true;
        b.set_flow(at);
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
    std::vector<std::pair<std::uint64_t, std::string>> entries;
    {
      std::lock_guard lock(ix.mu);
      entries.assign(ix.aor_of.begin(), ix.aor_of.end());
    }
    std::vector<std::pair<std::uint64_t, std::string>> stale;
    for (auto& [hash, aor] : entries) {
      Shard& sh = shard_for(aor);
      std::lock_guard slock(sh.mu);
      auto it = sh.by_aor.find(aor);
      bool live = it != sh.by_aor.end() &&
                  std::any_of(it->second.begin(), it->second.end(), [&](const Stored& b) {
                    return contact_hash(b.contact()) == hash;
                  });
      if (!live) stale.emplace_back(hash, aor);
    }
    std::lock_guard lock(ix.mu);
    for (auto& [hash, aor] : stale) {
      auto [first, last] = ix.aor_of.equal_range(hash);
      for (auto it = first; it != last; ++it) {
        if (it->second == aor) {
          ix.aor_of.erase(it);
          break;
        }
      }
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
