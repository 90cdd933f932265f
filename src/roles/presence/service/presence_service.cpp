#include "roles/presence/service/presence_service.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <variant>

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include "roles/lync/lync_events.hpp"
#include "roles/lync/xml_util.hpp"
#include "roles/presence/aggregation.hpp"
#include "roles/presence/availability.hpp"
#include "roles/presence/batch_subscribe.hpp"
#include "roles/presence/categories_document.hpp"
#include "roles/presence/category_publish.hpp"
#include "roles/presence/container_members.hpp"
#include "roles/presence/pidf.hpp"
#include "roles/presence/watcherinfo.hpp"
#include "sip/chars.hpp"
#include "sip/header_tokens.hpp"
#include "sip/random.hpp"
#include "sip/transaction/branch.hpp"
#include "sip/uri.hpp"

namespace parley::presence {

using sip::HeaderId;
using sip::Message;

namespace {

constexpr std::string_view kNsNote = "http://schemas.microsoft.com/2006/09/sip/note";
// Containers the server publishes the aggregate state into ([MS-PRES] 3.7.5:
// 2 and 3 hold what endpoints publish for aggregation; watchers see 100-400).
constexpr std::int64_t kMachineContainer = 2;
constexpr std::int64_t kUserContainer = 3;

std::string state_payload(std::uint32_t availability, std::string_view type) {
  return "<state xmlns=\"" + std::string(kNsState) +
         "\" manual=\"false\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:type=\"" + std::string(type) + "\"><availability>" + std::to_string(availability) +
         "</availability></state>";
}

std::string note_payload(std::string_view text) {
  pugi::xml_document doc;
  pugi::xml_node note = doc.append_child("note");
  lync::xml::set_attr(note, "xmlns", kNsNote);
  pugi::xml_node body = lync::xml::add_text(note, "body", text);  // escaped and cleaned
  lync::xml::set_attr(body, "type", "personal");
  lync::xml::set_attr(body, "uri", "");
  return lync::xml::serialize(doc);
}

std::int64_t instance_of(std::string_view key) {
  return static_cast<std::int64_t>(std::hash<std::string_view>{}(key) & 0x7fffffff);
}

}  // namespace

PresenceService::PresenceService(PresenceOptions options, const proxy::LocalIdentity& identity,
                                 registrar::LocationService& location,
                                 sip::TransactionLayer& transactions,
                                 const base::TimerService& clock)
    : options_(std::move(options)),
      identity_(identity),
      location_(location),
      transactions_(transactions),
      clock_(clock),
      users_(std::make_unique<PresentityShard[]>(kShards)),
      dialogs_(std::make_unique<SubscriptionShard[]>(kShards)),
      watchers_(std::make_unique<WatcherShard[]>(kShards)),
      flows_(std::make_unique<FlowShard[]>(kShards)) {}

bool PresenceService::admit(const std::string& watcher) {
  WatcherShard& s = watchers_[std::hash<std::string_view>{}(watcher) % kShards];
  std::lock_guard lock(s.mu);
  std::size_t& n = s.dialogs[watcher];
  if (n >= options_.max_subscriptions_per_watcher) return false;
  ++n;
  return true;
}

void PresenceService::release(const std::string& watcher) {
  WatcherShard& s = watchers_[std::hash<std::string_view>{}(watcher) % kShards];
  std::lock_guard lock(s.mu);
  auto it = s.dialogs.find(watcher);
  if (it == s.dialogs.end()) return;
  if (--it->second == 0) s.dialogs.erase(it);
}

bool PresenceService::is_local(std::string_view aor) const {
  if (options_.domains.empty()) return true;
  auto at = aor.find('@');
  std::string_view d = at == std::string_view::npos ? std::string_view() : aor.substr(at + 1);
  return std::find(options_.domains.begin(), options_.domains.end(), d) != options_.domains.end();
}

PresenceService::PresentityShard& PresenceService::shard_of_user(std::string_view aor) const {
  return users_[std::hash<std::string_view>{}(aor) % kShards];
}

PresenceService::SubscriptionShard& PresenceService::shard_of_dialog(
    std::string_view call_id) const {
  return dialogs_[std::hash<std::string_view>{}(call_id) % kShards];
}

std::string PresenceService::now_text() const {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool PresenceService::understands(std::string_view option_tag) const {
  return sip::iequals(sip::trim(option_tag), "ms-benotify");
}

bool PresenceService::wants(const Message& m) const {
  switch (m.method()) {
    case sip::Method::Publish:
      return sip::event_package(m) == kEventPresence;
    case sip::Method::Service: {
      std::string_view ct = m.content_type();
      return sip::iequals(ct, kTypeCategoryPublish) || sip::iequals(ct, kTypeSetContainerMembers);
    }
    case sip::Method::Subscribe: {
      auto to = m.to();
      if (to && !to->tag().empty()) {
        const SubscriptionShard& s = shard_of_dialog(m.call_id());
        std::lock_guard lock(s.mu);
        return s.map.count(std::string(m.call_id())) > 0;
      }
      return sip::event_package(m) == kEventPresence || sip::event_package(m) == kEventWinfo;
    }
    default:
      return false;
  }
}

void PresenceService::respond(const sip::ServerTransactionPtr& tx, int status,
                              std::string_view reason) {
  Message r = Message::make_response(tx->request(), status, reason, sip::random_hex(8));
  r.push_back(HeaderId::Server, options_.server_header);
  tx->respond(std::move(r));
}

void PresenceService::handle(const sip::ServerTransactionPtr& tx, const std::string& watcher) {
  const Message& req = tx->request();
  if (watcher.empty()) return respond(tx, 403, "Presence Is For Local Users");
  auto to = req.to();
  if (!to) return respond(tx, 400, "Bad To");
  if (req.method() == sip::Method::Subscribe && !to->tag().empty()) return refresh(tx, watcher);
  const sip::Uri& ruri = req.request_uri();
  if (!ruri.is_sip() || ruri.user.empty()) return respond(tx, 404, "No Such Presentity");
  std::string target = ruri.aor();
  switch (req.method()) {
    case sip::Method::Service:
      if (target != watcher) return respond(tx, 403, "Publish Only Your Own Presence");
      if (sip::iequals(req.content_type(), kTypeCategoryPublish))
        return category_publish(tx, watcher);
      return set_container_members(tx, watcher);
    case sip::Method::Publish:
      if (target != watcher) return respond(tx, 403, "Publish Only Your Own Presence");
      return publish(tx, watcher);
    case sip::Method::Subscribe:
      return subscribe(tx, watcher);
    default:
      return respond(tx, 501);
  }
}

// ---------------------------------------------------------------- publishing

void PresenceService::category_publish(const sip::ServerTransactionPtr& tx,
                                       const std::string& aor) {
  const Message& req = tx->request();
  auto parsed = parse_category_publish(req.body());
  if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
  const CategoryPublish& pub = std::get<CategoryPublish>(parsed);
  std::string stamp = now_text();
  sip::FlowId flow = tx->source().flow;
  std::string endpoint = "flow:" + std::to_string(flow);
  base::TimePoint now = clock_.now();
  bool changed_aggregate = false;
  bool endpoint_published = false;
  std::vector<std::pair<std::size_t, std::int64_t>> faults;
  {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    Presentity& p = entry(shard, aor);
    auto find = [&p](const lync::Category& c) {
      return std::find_if(p.publications.begin(), p.publications.end(), [&c](const Publication& x) {
        return x.category.name == c.name && x.category.instance == c.instance &&
               x.category.container == c.container;
      });
    };
    // [MS-PRES] 3.7.5.1: all or nothing; every stale version is reported.
    for (const PublicationOp& op : pub.publications) {
      auto it = find(op.category);
      if (it != p.publications.end() && it->category.version != op.category.version)
        faults.emplace_back(op.index, it->category.version);
    }
    if (faults.empty()) {
      std::size_t added = 0;
      for (const PublicationOp& op : pub.publications) {
        if (find(op.category) == p.publications.end() && !(op.expires && *op.expires == 0))
          ++added;
      }
      if (p.publications.size() + added > options_.max_publications_per_user)
        return respond(tx, 403, "Too Many Publications");
      for (const PublicationOp& op : pub.publications) {
        auto it = find(op.category);
        if (op.expires && *op.expires == 0) {
          if (it != p.publications.end()) p.publications.erase(it);
          continue;
        }
        Publication fresh;
        fresh.category = op.category;
        fresh.category.version = (it != p.publications.end() ? it->category.version
                                                              : op.category.version) + 1;
        fresh.category.publish_time = stamp;
        if (op.category.expire_type == "endpoint") {
          fresh.endpoint = endpoint;
          fresh.flow = flow;
          endpoint_published = true;
        }
        if (op.category.expire_type == "time" && op.expires)
          fresh.expires = now + std::chrono::seconds(*op.expires);
        if (it != p.publications.end()) {
          *it = std::move(fresh);
        } else {
          p.publications.push_back(std::move(fresh));
        }
      }
      changed_aggregate = reaggregate(aor, p);
      bool durable = std::any_of(pub.publications.begin(), pub.publications.end(),
                                 [](const PublicationOp& op) {
                                   return op.category.expire_type == "static" ||
                                          op.category.expire_type == "user";
                                 });
      if (durable) persist_categories(aor, p);
    }
  }
  if (endpoint_published && flow != 0) {
    FlowShard& fs = flows_[flow % kShards];
    std::lock_guard lock(fs.mu);
    std::vector<std::string>& aors = fs.aors[flow];
    if (std::find(aors.begin(), aors.end(), aor) == aors.end()) aors.push_back(aor);
  }
  if (!faults.empty()) {
    Message r = Message::make_response(req, 409, "Conflict", sip::random_hex(8));
    r.push_back(HeaderId::Server, options_.server_header);
    r.set_body(wrong_delta_fault(faults), lync::kTypeMsrtcFault);
    tx->respond(std::move(r));
    return;
  }
  // The new versions go back at once (pidgin-sipe reads a roaming-self body
  // in the 200 of its publish), and to the user's other endpoints.
  Message r = Message::make_response(req, 200, {}, sip::random_hex(8));
  r.push_back(HeaderId::Server, options_.server_header);
  lync::RoamingScope scope;
  scope.categories = true;
  r.set_body(lync::build_roaming_data(roaming_self(aor), scope), lync::kTypeRoamingSelf);
  tx->respond(std::move(r));
  (void)changed_aggregate;
  if (roaming_listener_) roaming_listener_(aor);
  notify_watchers(aor);
}

void PresenceService::set_container_members(const sip::ServerTransactionPtr& tx,
                                            const std::string& aor) {
  auto parsed = parse_set_container_members(tx->request().body());
  if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
  bool ok;
  {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    Presentity& p = entry(shard, aor);
    ok = apply_container_changes(p.containers,
                                 std::get<std::vector<ContainerMemberChange>>(parsed));
    p.containers_set = p.containers_set || ok;
    if (ok) persist_containers(aor, p);
  }
  if (!ok) {
    respond(tx, 409, "Container Version Mismatch");
    if (roaming_listener_) roaming_listener_(aor);  // the client learns the versions
    return;
  }
  respond(tx, 200);
  if (roaming_listener_) roaming_listener_(aor);
  notify_watchers(aor);
}

std::optional<std::uint32_t> PresenceService::granted_expires(const sip::ServerTransactionPtr& tx) {
  const Message& req = tx->request();
  std::uint32_t expires = req.expires().value_or(options_.default_expires);
  if (expires > 0 && expires < options_.min_expires) {
    Message r = Message::make_response(req, 423, {}, sip::random_hex(8));
    r.push_back(HeaderId::MinExpires, std::to_string(options_.min_expires));
    r.push_back(HeaderId::Server, options_.server_header);
    tx->respond(std::move(r));
    return std::nullopt;
  }
  return std::min(expires, options_.max_expires);
}

void PresenceService::publish(const sip::ServerTransactionPtr& tx, const std::string& aor) {
  // RFC 3903 6: entity tags, Expires, body or none (refresh).
  const Message& req = tx->request();
  std::optional<std::uint32_t> granted = granted_expires(tx);
  if (!granted) return;
  std::uint32_t expires = *granted;
  const sip::Header* if_match = req.find(HeaderId::SipIfMatch);
  std::string old_tag = if_match ? std::string(sip::trim(if_match->value)) : std::string();
  bool has_body = !req.body().empty();
  std::optional<PidfPresence> pidf;
  if (has_body) {
    if (!sip::iequals(req.content_type(), kTypePidf)) {
      Message r = Message::make_response(req, 415, {}, sip::random_hex(8));
      r.push_back(HeaderId::Accept, kTypePidf);
      r.push_back(HeaderId::Server, options_.server_header);
      tx->respond(std::move(r));
      return;
    }
    auto parsed = parse_pidf(req.body());
    if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
    pidf = std::get<PidfPresence>(std::move(parsed));
  } else if (old_tag.empty()) {
    return respond(tx, 400, "PUBLISH Without Body Or SIP-If-Match");
  }
  std::string new_tag = expires == 0 ? std::string() : sip::random_hex(8);
  base::TimePoint until = clock_.now() + std::chrono::seconds(expires);
  std::string stamp = now_text();
  {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    Presentity& p = entry(shard, aor);
    std::string old_key = "etag:" + old_tag;
    if (!old_tag.empty() &&
        std::none_of(p.publications.begin(), p.publications.end(),
                     [&old_key](const Publication& x) { return x.endpoint == old_key; })) {
      // RFC 3903 6 step 3: no such entity tag (expired or never issued).
      Message r = Message::make_response(req, 412, "Conditional Request Failed",
                                         sip::random_hex(8));
      r.push_back(HeaderId::Server, options_.server_header);
      tx->respond(std::move(r));
      return;
    }
    std::vector<Publication> kept;
    std::vector<Publication> previous;
    for (Publication& x : p.publications) {
      if (!old_tag.empty() && x.endpoint == old_key) {
        previous.push_back(std::move(x));
      } else {
        kept.push_back(std::move(x));
      }
    }
    p.publications = std::move(kept);
    if (expires > 0) {
      std::string key = "etag:" + new_tag;
      if (pidf) {
        std::int64_t instance = instance_of(key);
        std::uint32_t avail = availability_from_pidf(*pidf);
        Publication state;
        state.category = lync::Category{"state", kMachineContainer, instance, 1, stamp, "time",
                                        state_payload(avail, "machineState")};
        state.endpoint = key;
        state.expires = until;
        p.publications.push_back(std::move(state));
        if (!pidf->note.empty()) {
          for (std::int64_t c : {200, 300, 400}) {
            Publication note;
            note.category = lync::Category{"note", c, instance, 1, stamp, "time",
                                           note_payload(pidf->note)};
            note.endpoint = key;
            note.expires = until;
            p.publications.push_back(std::move(note));
          }
        }
      } else {
        // A refresh keeps the state under the new tag.
        for (Publication& x : previous) {
          x.endpoint = key;
          x.expires = until;
          p.publications.push_back(std::move(x));
        }
      }
    }
    reaggregate(aor, p);
  }
  Message r = Message::make_response(req, 200, {}, sip::random_hex(8));
  if (!new_tag.empty()) r.push_back(HeaderId::SipETag, new_tag);
  r.push_back(HeaderId::Expires, std::to_string(expires));
  r.push_back(HeaderId::Server, options_.server_header);
  tx->respond(std::move(r));
  if (pidf || expires == 0) notify_watchers(aor);
}

bool PresenceService::reaggregate(const std::string& aor, Presentity& p) {
  (void)aor;
  std::vector<StateInstance> states;
  std::unordered_set<std::int64_t> seen;
  bool any_endpoint = false;
  base::TimePoint now = clock_.now();
  for (const Publication& x : p.publications) {
    if (x.expires && *x.expires <= now) continue;
    if (!x.endpoint.empty()) any_endpoint = true;
    if (x.category.name != "state") continue;
    if (x.category.container != kMachineContainer && x.category.container != kUserContainer)
      continue;
    if (!seen.insert(x.category.instance).second) continue;
    if (auto s = parse_state(x.category.payload_xml)) {
      s->endpoint = x.endpoint;
      states.push_back(std::move(*s));
    }
  }
  std::uint32_t a = aggregate_availability(states, any_endpoint);
  if (a == p.aggregate && !p.aggregate_time.empty()) return false;
  p.aggregate = a;
  ++p.aggregate_version;
  p.aggregate_time = now_text();
  return true;
}

}  // namespace parley::presence
