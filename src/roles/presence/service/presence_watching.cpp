// The watching half of the presence role (presence_service.hpp): SUBSCRIBE
// for presence, lists and watcher information, the views watchers are shown,
// and the NOTIFYs that carry them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <variant>

#include <pugixml.hpp>

#include "roles/presence/availability.hpp"
#include "roles/presence/batch_subscribe.hpp"
#include "roles/presence/categories_document.hpp"
#include "roles/presence/container_members.hpp"
#include "roles/presence/pidf.hpp"
#include "roles/presence/service/presence_service.hpp"
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

}  // namespace

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
  std::string_view event = sip::event_package(req);
  if (event != kEventPresence && event != kEventWinfo) return respond(tx, 489, "Bad Event");
  std::optional<std::uint32_t> granted = granted_expires(tx);
  if (!granted) return;
  std::uint32_t expires = *granted;
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
             sip::supports_option(req, "eventlist")) {
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
    s.format = sip::accepts_type(req, kTypeEventCategories) ? Format::categories : Format::pidf;
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

}  // namespace parley::presence
