// The lifetime half of the presence role (presence_service.hpp): endpoint
// publications that end with a registration or a connection, expiry, and what
// the store keeps across a restart.
#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "roles/presence/availability.hpp"
#include "roles/presence/service/presence_service.hpp"

namespace parley::presence {

// ---------------------------------------------------------------- lifetime

void PresenceService::bindings_changed(const std::string& aor) {
  std::vector<registrar::Binding> live = location_.lookup(aor, clock_.now());
  drop_publications(aor, [&live](const Publication& x) {
    if (x.flow == 0) return false;
    return std::none_of(live.begin(), live.end(),
                        [&x](const registrar::Binding& b) { return b.flow.flow == x.flow; });
  });
}

void PresenceService::drop_publications(const std::string& aor,
                                        const std::function<bool(const Publication&)>& gone) {
  {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(aor);
    if (it == shard.map.end()) return;
    Presentity& p = it->second;
    if (std::erase_if(p.publications, gone) == 0) return;
    reaggregate(aor, p);
  }
  if (roaming_listener_) roaming_listener_(aor);
  notify_watchers(aor);
}

void PresenceService::flow_closed(sip::FlowId flow) {
  std::vector<std::string> aors;
  {
    FlowShard& fs = flows_[flow % kShards];
    std::lock_guard lock(fs.mu);
    auto it = fs.aors.find(flow);
    if (it == fs.aors.end()) return;
    aors = std::move(it->second);
    fs.aors.erase(it);
  }
  for (const std::string& aor : aors)
    drop_publications(aor, [flow](const Publication& x) { return x.flow == flow; });
}

void PresenceService::sweep() {
  base::TimePoint now = clock_.now();
  std::vector<std::string> expired_calls;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(dialogs_[i].mu);
    for (const auto& [id, s] : dialogs_[i].map) {
      if (s.expires <= now) expired_calls.push_back(id);
    }
  }
  for (const std::string& c : expired_calls) remove_subscription(c);
  std::vector<std::string> with_endpoints;
  std::vector<std::string> changed;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(users_[i].mu);
    for (auto& [aor, p] : users_[i].map) {
      std::size_t before = p.publications.size();
      std::erase_if(p.publications,
                    [now](const Publication& x) { return x.expires && *x.expires <= now; });
      if (p.publications.size() != before) {
        reaggregate(aor, p);
        changed.push_back(aor);  // a note or card may have gone even if the state did not
      }
      if (std::any_of(p.publications.begin(), p.publications.end(),
                      [](const Publication& x) { return x.flow != 0; }))
        with_endpoints.push_back(aor);
    }
  }
  for (const std::string& aor : changed) notify_watchers(aor);
  for (const std::string& aor : with_endpoints) bindings_changed(aor);
}

lync::RoamingSelf PresenceService::roaming_self(const std::string& aor) const {
  lync::RoamingSelf self;
  self.uri = "sip:" + aor;
  PresentityShard& shard = shard_of_user(aor);
  std::lock_guard lock(shard.mu);
  const Presentity& p = entry(shard, aor);
  for (const Publication& x : p.publications) self.categories.push_back(x.category);
  self.containers = p.containers;
  return self;
}

PresenceService::Presentity PresenceService::entry_from_store(const std::string& aor) const {
  Presentity p;
  try {
    store::StoredPresence kept = store_->load(aor);
    for (store::StoredCategory& c : kept.categories) {
      Publication x;
      x.category = lync::Category{std::move(c.name), c.container, c.instance, c.version,
                                  std::move(c.publish_time), std::move(c.expire_type),
                                  std::move(c.payload_xml)};
      p.publications.push_back(std::move(x));
    }
    if (kept.containers_set) {
      p.containers.clear();
      for (store::StoredContainer& k : kept.containers) {
        lync::Container box{k.id, k.version, {}};
        for (store::StoredContainerMember& m : k.members)
          box.members.push_back(lync::ContainerMember{std::move(m.type), std::move(m.value)});
        p.containers.push_back(std::move(box));
      }
      p.containers_set = true;
    }
  } catch (const store::StoreError& e) {
    spdlog::warn("presence of {} not read from the store: {}", aor, e.what());
  }
  p.aggregate_time = now_text();
  return p;
}

PresenceService::Presentity& PresenceService::entry(PresentityShard& shard,
                                                    const std::string& aor) const {
  auto it = shard.map.find(aor);
  if (it != shard.map.end()) return it->second;
  Presentity p;
  if (store_) p = entry_from_store(aor);
  return shard.map.emplace(aor, std::move(p)).first->second;
}

void PresenceService::persist_categories(const std::string& aor, const Presentity& p) const {
  if (!store_) return;
  std::vector<store::StoredCategory> keep;
  for (const Publication& x : p.publications) {
    const lync::Category& c = x.category;
    if (c.expire_type != "static" && c.expire_type != "user") continue;
    keep.push_back(store::StoredCategory{c.name, c.container, c.instance, c.version,
                                         c.publish_time, c.expire_type, c.payload_xml});
  }
  try {
    store_->save_categories(aor, keep);
  } catch (const store::StoreError& e) {
    spdlog::warn("presence of {} not saved: {}", aor, e.what());
  }
}

void PresenceService::persist_containers(const std::string& aor, const Presentity& p) const {
  if (!store_) return;
  std::vector<store::StoredContainer> keep;
  for (const lync::Container& box : p.containers) {
    store::StoredContainer k{box.id, box.version, {}};
    for (const lync::ContainerMember& m : box.members)
      k.members.push_back(store::StoredContainerMember{m.type, m.value});
    keep.push_back(std::move(k));
  }
  try {
    store_->save_containers(aor, keep);
  } catch (const store::StoreError& e) {
    spdlog::warn("access levels of {} not saved: {}", aor, e.what());
  }
}

std::uint32_t PresenceService::availability(const std::string& aor) const {
  PresentityShard& shard = shard_of_user(aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(aor);
  return it == shard.map.end() ? kOffline : it->second.aggregate;
}

std::size_t PresenceService::subscription_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(dialogs_[i].mu);
    n += dialogs_[i].map.size();
  }
  return n;
}

}  // namespace parley::presence
