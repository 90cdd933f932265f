#include "roles/presence/service/presence_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <variant>

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include "roles/lync/lync_events.hpp"
#include "roles/presence/aggregation.hpp"
#include "roles/presence/availability.hpp"
#include "roles/presence/batch_subscribe.hpp"
#include "roles/presence/categories_document.hpp"
#include "roles/presence/category_publish.hpp"
#include "roles/presence/container_members.hpp"
#include "roles/presence/pidf.hpp"
#include "roles/presence/watcherinfo.hpp"
#include "sip/chars.hpp"
#include "sip/random.hpp"
#include "sip/transaction/branch.hpp"
#include "sip/uri.hpp"

namespace parley::presence {

using sip::HeaderId;
using sip::Message;

namespace {

constexpr std::string_view kEventPresence = "presence";
constexpr std::string_view kNsStateDoc = "http://schemas.microsoft.com/2006/09/sip/state";
constexpr std::string_view kNsNote = "http://schemas.microsoft.com/2006/09/sip/note";
// Containers the server publishes the aggregate state into ([MS-PRES] 3.7.5:
// 2 and 3 hold what endpoints publish for aggregation; watchers see 100-400).
constexpr std::int64_t kMachineContainer = 2;
constexpr std::int64_t kUserContainer = 3;

std::string_view event_of(const Message& m) {
  const sip::Header* e = m.find(HeaderId::Event);
  if (!e) return {};
  std::string_view v = e->value;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

std::string domain_of(std::string_view aor) {
  auto at = aor.find('@');
  return at == std::string_view::npos ? std::string() : std::string(aor.substr(at + 1));
}

// The note text of a note category payload ([MS-PRES] 2.2.2.2 note/body).
std::string note_text(std::string_view payload) {
  pugi::xml_document doc;
  if (!doc.load_buffer(payload.data(), payload.size())) return {};
  pugi::xml_node body = doc.first_child().child("body");
  if (!body) {
    for (pugi::xml_node c : doc.first_child().children()) {
      std::string_view n = c.name();
      if (n.size() >= 4 && n.substr(n.size() - 4) == "body") body = c;
    }
  }
  return body ? std::string(body.text().get()) : std::string();
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string state_payload(std::uint32_t availability, std::string_view type) {
  return "<state xmlns=\"" + std::string(kNsStateDoc) +
         "\" manual=\"false\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:type=\"" + std::string(type) + "\"><availability>" + std::to_string(availability) +
         "</availability></state>";
}

std::string note_payload(std::string_view text) {
  return "<note xmlns=\"" + std::string(kNsNote) + "\"><body type=\"personal\" uri=\"\">" +
         xml_escape(text) + "</body></note>";
}

std::int64_t instance_of(std::string_view key) {
  return static_cast<std::int64_t>(std::hash<std::string_view>{}(key) & 0x7fffffff);
}

bool supports(const Message& m, std::string_view tag) {
  for (const sip::Header* h : m.find_all(HeaderId::Supported)) {
    if (sip::iequals(sip::trim(h->value), tag)) return true;
  }
  return false;
}

bool accepts(const Message& m, std::string_view type) {
  auto accepts = m.find_all(HeaderId::Accept);
  if (accepts.empty()) return false;
  for (const sip::Header* h : accepts) {
    if (sip::iequals(sip::trim(h->value.substr(0, h->value.find(';'))), type)) return true;
  }
  return false;
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
  std::string d = domain_of(aor);
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
      return event_of(m) == kEventPresence;
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
      return event_of(m) == kEventPresence || event_of(m) == kEventWinfo;
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

void PresenceService::publish(const sip::ServerTransactionPtr& tx, const std::string& aor) {
  // RFC 3903 6: entity tags, Expires, body or none (refresh).
  const Message& req = tx->request();
  std::uint32_t expires = req.expires().value_or(options_.default_expires);
  if (expires > 0 && expires < options_.min_expires) {
    Message r = Message::make_response(req, 423, {}, sip::random_hex(8));
    r.push_back(HeaderId::MinExpires, std::to_string(options_.min_expires));
    r.push_back(HeaderId::Server, options_.server_header);
    tx->respond(std::move(r));
    return;
  }
  expires = std::min(expires, options_.max_expires);
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

// ---------------------------------------------------------------- watching

PresenceService::View PresenceService::view_of(const std::string& aor, const Presentity& p,
                                               std::string_view watcher,
                                               const std::vector<std::string>& asked) const {
  View v;
  std::int64_t container = container_for_watcher(p.containers, watcher, domain_of(aor));
  if (watcher == aor) container = 400;
  bool blocked = container == 0 || container == kBlockedContainer;
  auto wanted = [&asked](std::string_view name) {
    if (asked.empty()) return name == "state" || name == "note";
    return std::find(asked.begin(), asked.end(), name) != asked.end();
  };
  v.availability = blocked ? kOffline : p.aggregate;
  std::string stamp = p.aggregate_time.empty() ? now_text() : p.aggregate_time;
  v.categories.push_back(lync::Category{"state", blocked ? kBlockedContainer : container, 0,
                                        p.aggregate_version, stamp, "",
                                        aggregate_state_payload(v.availability)});
  bool note_seen = false;
  if (!blocked) {
    base::TimePoint now = clock_.now();
    for (const Publication& x : p.publications) {
      if (x.category.container != container || x.category.name == "state") continue;
      if (x.expires && *x.expires <= now) continue;
      if (!wanted(x.category.name)) continue;
      if (x.category.name == "note") {
        if (note_seen) continue;
        note_seen = true;
        v.note = note_text(x.category.payload_xml);
      }
      v.categories.push_back(x.category);
    }
  }
  // An empty note clears the watcher's copy of a note that was removed.
  if (!note_seen && wanted("note"))
    v.categories.push_back(lync::Category{"note", blocked ? kBlockedContainer : container, 0, 1,
                                          now_text(), "", ""});
  return v;
}

PresenceService::View PresenceService::view_now(const std::string& aor, std::string_view watcher,
                                                const std::vector<std::string>& asked) const {
  PresentityShard& shard = shard_of_user(aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(aor);
  if (it == shard.map.end()) {
    // Not kept for a mere look (a fetch, or a user nobody watches): read only.
    Presentity p;
    if (store_) p = entry_from_store(aor);
    return view_of(aor, p, watcher, asked);
  }
  return view_of(aor, it->second, watcher, asked);
}

std::pair<std::string, std::string> PresenceService::body_for(Format format,
                                                              const std::string& aor,
                                                              const View& view) {
  if (format == Format::pidf) {
    return {build_pidf(pidf_from_availability("sip:" + aor, view.availability, view.note)),
            std::string(kTypePidf)};
  }
  return {build_categories("sip:" + aor, view.categories), std::string(kTypeEventCategories)};
}

void PresenceService::add_watcher(const std::string& aor, const std::string& call_id) {
  bool told;
  {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    Presentity& p = entry(shard, aor);
    p.watchers.insert(call_id);
    told = !p.winfo.empty();
  }
  if (told) notify_winfo(aor);
}

void PresenceService::subscribe(const sip::ServerTransactionPtr& tx, const std::string& watcher) {
  const Message& req = tx->request();
  std::string_view event = event_of(req);
  if (event != kEventPresence && event != kEventWinfo) return respond(tx, 489, "Bad Event");
  std::uint32_t expires = req.expires().value_or(options_.default_expires);
  if (expires > 0 && expires < options_.min_expires) {
    Message r = Message::make_response(req, 423, {}, sip::random_hex(8));
    r.push_back(HeaderId::MinExpires, std::to_string(options_.min_expires));
    r.push_back(HeaderId::Server, options_.server_header);
    tx->respond(std::move(r));
    return;
  }
  expires = std::min(expires, options_.max_expires);
  auto from = req.from();
  auto to = req.to();
  const sip::Header* contact = req.find(HeaderId::Contact);
  auto target = contact ? sip::parse_name_addr(contact->value) : std::nullopt;
  if (!from || !to || !target) return respond(tx, 400, "Missing From, To or Contact");
  std::string presentity = req.request_uri().aor();
  if (!is_local(presentity)) return respond(tx, 404, "Not A Local Presentity");

  Subscription s;
  s.watcher = watcher;
  std::string_view ct = req.content_type();
  if (event == kEventWinfo) {
    // RFC 3857 5.1: watcher information is the user's own business.
    if (presentity != watcher) return respond(tx, 403, "Only Your Own Watchers");
    s.resources.push_back(presentity);
    s.format = Format::winfo;
  } else if (req.body().empty() && presentity == watcher && contact_list_ &&
             supports(req, "eventlist")) {
    // RFC 4662: a SIMPLE client's list subscription to itself names the
    // contacts of its server-stored list.
    for (const std::string& c : contact_list_(watcher)) {
      if (is_local(c) && c != watcher) s.resources.push_back(c);
    }
    s.format = Format::pidf_list;
  } else if (!req.body().empty() && sip::iequals(ct, kTypeAdrlCategoryList)) {
    // [MS-PRES] batched subscription: the resources are in the body; the
    // request goes to the subscriber itself.
    auto parsed = parse_batch_subscribe(req.body());
    if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
    BatchSubscribe& b = std::get<BatchSubscribe>(parsed);
    for (const std::string& r : b.resources) {
      auto u = sip::parse_uri(r);
      if (u && u->is_sip() && !u->user.empty() && is_local(u->aor()))
        s.resources.push_back(u->aor());
    }
    s.categories = std::move(b.categories);
    s.format = Format::batched;
  } else {
    s.resources.push_back(presentity);
    // A Lync client asks for categories; a SIMPLE client for PIDF (the
    // default of the presence event package, RFC 3856 6.7).
    s.format = accepts(req, kTypeEventCategories) ? Format::categories : Format::pidf;
  }
  s.local_uri = std::string(to->uri.text);
  s.remote_uri = std::string(from->uri.text);
  s.client_tag = std::string(from->tag());
  s.our_tag = sip::random_hex(8);
  s.target = std::string(target->uri.text);
  s.flow = tx->source();
  s.expires = clock_.now() + std::chrono::seconds(expires);
  std::string call_id(req.call_id());
  // A new SUBSCRIBE with the Call-ID of a subscription held here (no To tag:
  // the client lost the dialog) replaces it.
  remove_subscription(call_id);
  // One watcher cannot hold the memory of many (DESIGN.md: an attacker cannot
  // slow other users). Counted for every subscription that is stored, which
  // is all but a batched fetch; a SIMPLE fetch is stored until its NOTIFY.
  bool stored = expires > 0 || s.format != Format::batched;
  if (stored && !admit(watcher)) return respond(tx, 403, "Too Many Subscriptions");

  Message r = Message::make_response(req, 200, {}, s.our_tag);
  r.push_back(HeaderId::Event, event);
  if (s.format == Format::pidf_list) r.push_back(HeaderId::Require, "eventlist");
  r.push_back(HeaderId::Expires, std::to_string(expires));
  sip::Local here = identity_.listener_for(tx->source().transport);
  r.push_back(HeaderId::Contact, identity_.contact(here));
  r.push_back(HeaderId::Server, options_.server_header);

  if (s.format == Format::batched) {
    // The first state rides on the 200 (ms-piggyback-first-notify).
    std::vector<std::pair<std::string, std::string>> parts;
    for (const std::string& aor : s.resources) {
      View v = view_now(aor, watcher, s.categories);
      parts.emplace_back("sip:" + aor, build_categories("sip:" + aor, v.categories));
    }
    if (auto cseq = req.cseq()) r.push_back("ms-piggyback-cseq", std::to_string(cseq->number));
    r.push_back(HeaderId::SubscriptionState,
                expires ? "active;expires=" + std::to_string(expires) : "terminated");
    if (parts.size() == 1) {
      r.set_body(parts.front().second, kTypeEventCategories);
    } else if (!parts.empty()) {
      MultipartBody mp = build_rlmi_multipart("sip:" + watcher, 0, true, parts);
      r.push_back(HeaderId::Require, "eventlist");
      r.set_body(mp.body, mp.content_type);
    }
    tx->respond(std::move(r));
    if (expires == 0) return;
    for (const std::string& aor : s.resources) add_watcher(aor, call_id);
    SubscriptionShard& shard = shard_of_dialog(call_id);
    std::lock_guard lock(shard.mu);
    shard.map[call_id] = std::move(s);
    return;
  }

  // RFC 6665 4.2.1: 200, then a NOTIFY with the current state at once.
  tx->respond(std::move(r));
  Format format = s.format;
  std::vector<std::string> resources = s.resources;
  {
    SubscriptionShard& shard = shard_of_dialog(call_id);
    std::lock_guard lock(shard.mu);
    shard.map[call_id] = std::move(s);
  }
  if (format == Format::winfo) {
    if (expires > 0) {
      PresentityShard& ps = shard_of_user(presentity);
      std::lock_guard lock(ps.mu);
      entry(ps, presentity).winfo.insert(call_id);
    }
    notify_one(call_id, presentity, expires == 0);
  } else if (format == Format::pidf_list) {
    if (expires > 0) {
      for (const std::string& aor : resources) add_watcher(aor, call_id);
    }
    notify_list(call_id, expires == 0);
  } else {
    if (expires > 0) add_watcher(presentity, call_id);
    notify_one(call_id, presentity, expires == 0);
  }
  if (expires == 0) remove_subscription(call_id);  // a fetch (RFC 6665 4.4.3)
}

void PresenceService::refresh(const sip::ServerTransactionPtr& tx, const std::string& watcher) {
  const Message& req = tx->request();
  std::string call_id(req.call_id());
  auto to = req.to();
  std::uint32_t expires = req.expires().value_or(options_.default_expires);
  if (expires > 0 && expires < options_.min_expires) expires = options_.min_expires;
  expires = std::min(expires, options_.max_expires);
  std::vector<std::string> resources;
  Format format = Format::pidf;
  std::vector<std::string> added;
  {
    SubscriptionShard& shard = shard_of_dialog(call_id);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(call_id);
    if (it == shard.map.end() || it->second.our_tag != to->tag() || it->second.watcher != watcher)
      return respond(tx, 481);
    Subscription& s = it->second;
    s.expires = clock_.now() + std::chrono::seconds(expires);
    s.flow = tx->source();
    format = s.format;
    // A batched refresh may carry a new resource list.
    if (s.format == Format::batched && !req.body().empty() &&
        sip::iequals(req.content_type(), kTypeAdrlCategoryList)) {
      auto parsed = parse_batch_subscribe(req.body());
      if (auto* b = std::get_if<BatchSubscribe>(&parsed)) {
        for (const std::string& r : b->resources) {
          auto u = sip::parse_uri(r);
          if (!u || !u->is_sip() || u->user.empty()) continue;
          std::string aor = u->aor();
          if (!is_local(aor)) continue;
          if (std::find(s.resources.begin(), s.resources.end(), aor) == s.resources.end()) {
            s.resources.push_back(aor);
            added.push_back(aor);
          }
        }
      }
    }
    resources = s.resources;
  }
  Message r = Message::make_response(req, 200);
  r.push_back(HeaderId::Event, format == Format::winfo ? kEventWinfo : kEventPresence);
  r.push_back(HeaderId::Expires, std::to_string(expires));
  r.push_back(HeaderId::Server, options_.server_header);
  tx->respond(std::move(r));
  if (expires == 0) {
    if (format == Format::pidf_list) {
      notify_list(call_id, true);
    } else {
      for (const std::string& aor : resources) notify_one(call_id, aor, true);
    }
    remove_subscription(call_id);
    return;
  }
  for (const std::string& aor : added) add_watcher(aor, call_id);
  if (format == Format::pidf_list) {
    notify_list(call_id, false);
  } else if (format != Format::batched) {
    for (const std::string& aor : resources) notify_one(call_id, aor, false);
  } else {
    for (const std::string& aor : added) notify_one(call_id, aor, false);
  }
}

std::vector<std::string> PresenceService::calls_of(
    const std::string& aor, std::unordered_set<std::string> Presentity::*which) const {
  PresentityShard& shard = shard_of_user(aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(aor);
  if (it == shard.map.end()) return {};
  const auto& set = it->second.*which;
  return {set.begin(), set.end()};
}

void PresenceService::notify_watchers(const std::string& aor) {
  for (const std::string& c : calls_of(aor, &Presentity::watchers)) notify_one(c, aor, false);
}

void PresenceService::notify_one(const std::string& call_id, const std::string& aor,
                                 bool terminated) {
  // The view is taken under the dialog's lock, so NOTIFYs leave in CSeq order
  // with the state at their time (lock order: dialog shard, then user shard;
  // nothing takes them the other way round).
  SubscriptionShard& shard = shard_of_dialog(call_id);
  bool winfo;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(call_id);
    if (it == shard.map.end()) return;
    winfo = it->second.format == Format::winfo;
  }
  // The watcher list reads other dialogs: gathered with no lock held.
  std::vector<WatcherEntry> watchers;
  if (winfo) watchers = watchers_of(aor);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(call_id);
  if (it == shard.map.end()) return;
  Subscription& s = it->second;
  if (s.expires <= clock_.now() && !terminated) return;  // sweep() ends it
  if (s.format == Format::winfo) {
    send_notify(call_id, s, kTypeWatcherinfo,
                build_watcherinfo("sip:" + aor, s.version++, watchers), terminated);
    return;
  }
  View v = view_now(aor, s.watcher, s.categories);
  if (s.format == Format::pidf_list) {
    // RFC 4662 5.2: a partial-state NOTIFY with the one resource that changed.
    auto [doc, type] = body_for(Format::pidf, aor, v);
    MultipartBody mp = build_rlmi_multipart(s.local_uri, s.version++, false,
                                            {{"sip:" + aor, doc}}, kTypePidf);
    send_notify(call_id, s, mp.content_type, mp.body, terminated);
    return;
  }
  auto [body, type] = body_for(s.format, aor, v);
  send_notify(call_id, s, type, body, terminated);
}

void PresenceService::send_notify(const std::string& call_id, Subscription& s,
                                  std::string_view content_type, const std::string& body,
                                  bool terminated) {
  base::TimePoint now = clock_.now();
  auto left = s.expires > now
                  ? std::chrono::duration_cast<std::chrono::seconds>(s.expires - now).count()
                  : 0;
  sip::Local leaving = identity_.listener_for(s.flow.transport);
  std::vector<std::string> h = {
      "Via: " + identity_.via(leaving, sip::make_branch()),
      "Max-Forwards: 70",
      "From: <" + s.local_uri + ">;tag=" + s.our_tag,
      "To: <" + s.remote_uri + ">;tag=" + s.client_tag,
      "Call-ID: " + call_id,
      "CSeq: " + std::to_string(++s.cseq) + " NOTIFY",
      s.format == Format::winfo ? "Event: presence.winfo" : "Event: presence",
      terminated ? std::string("Subscription-State: terminated;reason=timeout")
                 : "Subscription-State: active;expires=" + std::to_string(left),
      "Contact: " + identity_.contact(leaving),
      "Content-Type: " + std::string(content_type),
  };
  if (s.format == Format::pidf_list) h.emplace_back("Require: eventlist");  // RFC 4662 4.4
  Message m = Message::make_request(sip::Method::Notify, s.target, h, body);
  sip::Peer to = s.flow;
  // Sent with the shard unlocked would be better for throughput; the layer
  // never calls back into this role synchronously, so holding it is safe.
  transactions_.send_request(std::move(m), to);
}

void PresenceService::notify_list(const std::string& call_id, bool terminated) {
  SubscriptionShard& shard = shard_of_dialog(call_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(call_id);
  if (it == shard.map.end()) return;
  Subscription& s = it->second;
  std::vector<std::pair<std::string, std::string>> parts;
  for (const std::string& aor : s.resources) {
    View v = view_now(aor, s.watcher, s.categories);
    parts.emplace_back("sip:" + aor, body_for(Format::pidf, aor, v).first);
  }
  MultipartBody mp = build_rlmi_multipart(s.local_uri, s.version++, true, parts, kTypePidf);
  send_notify(call_id, s, mp.content_type, mp.body, terminated);
}

std::vector<WatcherEntry> PresenceService::watchers_of(const std::string& aor) const {
  std::vector<std::string> calls = calls_of(aor, &Presentity::watchers);
  std::sort(calls.begin(), calls.end());
  std::vector<WatcherEntry> out;
  for (const std::string& c : calls) {
    const SubscriptionShard& shard = shard_of_dialog(c);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(c);
    if (it == shard.map.end()) continue;
    // The id names the subscription without giving its Call-ID away.
    char id[17];
    std::snprintf(id, sizeof id, "%016zx", std::hash<std::string>{}(c));
    out.push_back(WatcherEntry{id, "sip:" + it->second.watcher, "active", "subscribe"});
  }
  return out;
}

void PresenceService::notify_winfo(const std::string& aor) {
  for (const std::string& c : calls_of(aor, &Presentity::winfo)) notify_one(c, aor, false);
}

void PresenceService::remove_subscription(const std::string& call_id) {
  std::vector<std::string> resources;
  std::string watcher;
  {
    SubscriptionShard& shard = shard_of_dialog(call_id);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(call_id);
    if (it == shard.map.end()) return;
    resources = std::move(it->second.resources);
    watcher = std::move(it->second.watcher);
    shard.map.erase(it);
  }
  release(watcher);
  std::vector<std::string> told;
  for (const std::string& aor : resources) {
    PresentityShard& shard = shard_of_user(aor);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(aor);
    if (it == shard.map.end()) continue;
    Presentity& p = it->second;
    if (p.watchers.erase(call_id) && !p.winfo.empty()) told.push_back(aor);
    p.winfo.erase(call_id);
    if (p.watchers.empty() && p.winfo.empty() && p.publications.empty() && !p.containers_set)
      shard.map.erase(it);
  }
  for (const std::string& aor : told) notify_winfo(aor);
}

void PresenceService::on_notify_result(std::string_view call_id, int status) {
  // RFC 6665 4.1.3 / 3265 3.2.2: these end the subscription.
  if (status == 481 || status == 404 || status == 408 || status == 410 || status == 480 ||
      status == 489 || (status >= 500 && status != 503))
    remove_subscription(std::string(call_id));
}

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
