#include "roles/conferencing/service/conference_service.hpp"

#include <algorithm>
#include <variant>

#include <spdlog/spdlog.h>

#include "roles/conferencing/c3p.hpp"
#include "roles/conferencing/conference_info.hpp"
#include "roles/conferencing/conference_uri.hpp"
#include "sip/chars.hpp"
#include "sip/header_tokens.hpp"
#include "sip/random.hpp"
#include "sip/transaction/branch.hpp"
#include "sip/uri.hpp"

namespace parley::conf {

using sip::HeaderId;
using sip::Message;

namespace {

constexpr std::string_view kEventConference = "conference";

// "sip:bob@x" or "bob@x" -> "bob@x", the user part unescaped, host lower-case.
std::string aor_of(std::string_view uri) {
  std::string text(uri);
  if (text.find(':') == std::string::npos) text = "sip:" + text;
  auto u = sip::parse_uri(text);
  return u && u->is_sip() ? u->aor() : std::string();
}

// The response to `c`, success until said otherwise: its request id and
// operation echoed, from and to swapped ([MS-CONFBAS] 2.2.1).
C3PResponse reply_to(const C3PRequest& c) {
  C3PResponse r;
  r.request_id = c.request_id;
  r.from = c.to;
  r.to = c.from;
  r.op_name = c.op_name;
  return r;
}

bool is_presenter(const std::vector<std::string>& roles) {
  return std::find(roles.begin(), roles.end(), "presenter") != roles.end();
}

}  // namespace

ConferenceService::ConferenceService(ConferenceOptions options,
                                     const proxy::LocalIdentity& identity,
                                     sip::TransactionLayer& transactions,
                                     const base::TimerService& clock)
    : options_(std::move(options)),
      identity_(identity),
      transactions_(transactions),
      clock_(clock),
      shards_(std::make_unique<Shard[]>(kShards)),
      flows_(std::make_unique<FlowShard[]>(kShards)) {}

void ConferenceService::remember_flow(sip::FlowId flow, const std::string& id) {
  if (flow == 0) return;
  FlowShard& s = flows_[flow % kShards];
  std::lock_guard lock(s.mu);
  std::vector<std::string>& ids = s.ids[flow];
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

void ConferenceService::flow_closed(sip::FlowId flow) {
  std::vector<std::string> ids;
  {
    FlowShard& s = flows_[flow % kShards];
    std::lock_guard lock(s.mu);
    auto it = s.ids.find(flow);
    if (it == s.ids.end()) return;
    ids = std::move(it->second);
    s.ids.erase(it);
  }
  for (const std::string& id : ids) {
    ConferencePtr conf = find(id);
    if (!conf) continue;
    std::vector<Outgoing> out;
    std::optional<ConferenceRecord> record;
    {
      std::lock_guard lock(conf->mu);
      std::vector<std::string> gone;
      for (const Participant& p : conf->users) {
        if ((p.focus && p.focus->flow.flow == flow) || (p.chat && p.chat->flow.flow == flow))
          gone.push_back(p.aor);
      }
      if (gone.empty()) continue;
      for (const std::string& aor : gone) remove_user(*conf, aor, /*ejected=*/false, out);
      record = end_if_empty(*conf);
    }
    send(out);
    finish(std::move(record), id);
  }
}

ConferenceService::ConferencePtr ConferenceService::conference_named(
    const std::string& conf_entity, const std::string& conference_id,
    const std::string& organizer) const {
  std::string id = conference_id;
  if (!conf_entity.empty()) {
    auto u = sip::parse_uri(conf_entity);
    auto opaque = u ? u->param("opaque") : std::nullopt;
    auto t = opaque ? classify(*opaque, u->aor()) : std::nullopt;
    if (!t || t->kind != ConfTarget::focus) return nullptr;
    id = t->id;
  }
  ConferencePtr conf = id.empty() ? nullptr : find(id);
  return conf && conf->organizer == organizer ? conf : nullptr;
}

ConferenceService::Shard& ConferenceService::shard_of(std::string_view id) const {
  return shards_[std::hash<std::string_view>{}(id) % kShards];
}

namespace {
constexpr std::int64_t kAdHocLifetime = 24 * 3600;  // seconds

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

ConferenceService::ConferencePtr ConferenceService::find(std::string_view id) const {
  Shard& s = shard_of(id);
  {
    std::lock_guard lock(s.mu);
    auto it = s.map.find(std::string(id));
    if (it != s.map.end()) return it->second;
  }
  if (!store_) return nullptr;
  // Not in memory: a conference from before a restart, joined by its URI.
  std::optional<store::StoredConference> kept;
  try {
    kept = store_->find(id);
  } catch (const store::StoreError& e) {
    spdlog::warn("conference {} not read from the store: {}", id, e.what());
  }
  if (!kept || (kept->expires != 0 && kept->expires <= unix_now())) return nullptr;
  auto conf = std::make_shared<Conference>();
  conf->id = kept->id;
  conf->organizer = kept->organizer;
  conf->focus_uri = focus_uri(kept->organizer, kept->id);
  conf->mcu_uri = mcu_uri(kept->organizer, kept->id);
  conf->subject = kept->subject;
  conf->locked = kept->locked;
  conf->created = kept->created;
  conf->expires = kept->expires;
  conf->record.id = conf->id;
  conf->record.organizer = conf->organizer;
  conf->record.started = std::chrono::system_clock::now();
  std::lock_guard lock(s.mu);
  return s.map.emplace(conf->id, conf).first->second;  // another thread may have won
}

void ConferenceService::persist(const Conference& conf) const {
  if (!store_) return;
  try {
    store_->save(store::StoredConference{conf.id, conf.organizer, conf.subject, conf.created,
                                         conf.expires, conf.locked, "openAuthenticated"});
  } catch (const store::StoreError& e) {
    spdlog::warn("conference {} not saved: {}", conf.id, e.what());
  }
}

std::size_t ConferenceService::expire() {
  if (!store_) return 0;
  try {
    return store_->remove_expired(unix_now());
  } catch (const store::StoreError& e) {
    spdlog::warn("expired conferences not removed: {}", e.what());
    return 0;
  }
}

std::size_t ConferenceService::conference_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].map.size();
  }
  return n;
}

bool ConferenceService::understands(std::string_view option_tag) const {
  return sip::iequals(sip::trim(option_tag), "ms-benotify");
}

bool ConferenceService::wants(const Message& m) const {
  const sip::Uri& u = m.request_uri();
  if (!u.is_sip() || u.user.empty()) return false;
  auto opaque = u.param("opaque");
  if (!opaque || !opaque->starts_with("app:conf:")) return false;
  if (!options_.domains.empty() &&
      std::find(options_.domains.begin(), options_.domains.end(), u.host_lower()) ==
          options_.domains.end())
    return false;
  return classify(*opaque, u.aor()).has_value();
}

void ConferenceService::respond(const sip::ServerTransactionPtr& tx, int status,
                                std::string_view reason) {
  Message r = Message::make_response(tx->request(), status, reason, sip::random_hex(8));
  r.push_back(HeaderId::Server, options_.server_header);
  tx->respond(std::move(r));
}

void ConferenceService::respond_c3p(const sip::ServerTransactionPtr& tx, int status,
                                    const std::string& body, std::string_view contact,
                                    std::string_view to_tag) {
  Message r = Message::make_response(tx->request(), status, {},
                                     to_tag.empty() ? sip::random_hex(8) : to_tag);
  if (!contact.empty()) r.push_back(HeaderId::Contact, contact);
  r.push_back(HeaderId::Server, options_.server_header);
  r.set_body(body, kTypeCccp);
  tx->respond(std::move(r));
}

void ConferenceService::handle(const sip::ServerTransactionPtr& tx, const std::string& caller) {
  const Message& req = tx->request();
  // Conferencing is for local users until federation exists (the Edge's).
  if (caller.empty()) return respond(tx, 403, "Conferencing Is For Local Users");
  const sip::Uri& u = req.request_uri();
  auto target = classify(*u.param("opaque"), u.aor());
  if (!target) return respond(tx, 404);
  switch (target->kind) {
    case ConfTarget::focus_factory:
      if (req.method() != sip::Method::Service) return respond(tx, 405);
      if (target->organizer != caller) return respond(tx, 403, "Not Your Focus Factory");
      return focus_factory(tx, caller, target->organizer);
    case ConfTarget::focus:
    case ConfTarget::chat_mcu: {
      ConferencePtr conf = find(target->id);
      if (!conf || conf->organizer != target->organizer) {
        // A leaving client's last BYE may arrive after the conference ended.
        if (req.method() == sip::Method::Bye) return respond(tx, 481);
        return respond(tx, 404, "No Such Conference");
      }
      if (target->kind == ConfTarget::focus) return focus(tx, caller, conf);
      return mcu(tx, caller, conf);
    }
  }
}

// ---------------------------------------------------------------- focus factory

void ConferenceService::focus_factory(const sip::ServerTransactionPtr& tx,
                                      const std::string& caller, const std::string& organizer) {
  const Message& req = tx->request();
  auto parsed = parse_c3p_request(req.body());
  if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
  const C3PRequest& c = std::get<C3PRequest>(parsed);
  C3PResponse r = reply_to(c);
  if (c.op == C3POp::getConferencingCapabilities) {
    // Chat only: an MCU type listed here is one the client may ask for.
    r.inner_xml = capabilities_inner({"chat"});
    return respond_c3p(tx, 200, build_c3p_response(r));
  }
  if (c.op == C3POp::getConference || c.op == C3POp::deleteConference) {
    ConferencePtr conf = conference_named(c.conf_entity, c.conference_id, organizer);
    if (!conf) {
      r.success = false;
      r.reason = "conferenceDoesNotExist";
      return respond_c3p(tx, 200, build_c3p_response(r));
    }
    std::vector<Outgoing> out;
    std::optional<ConferenceRecord> record;
    {
      std::lock_guard lock(conf->mu);
      if (c.op == C3POp::getConference) {
        // [MS-CONFPRO] 4.5: the conference's state in the response.
        std::string doc = roster_document(*conf, {});
        if (doc.starts_with("<?xml")) doc.erase(0, doc.find('>') + 1);
        r.inner_xml = sip::trim(doc);
      } else {
        // [MS-CONFBAS] 2.2.3.14: everyone is disconnected and the conference ends.
        std::vector<std::string> all;
        for (const Participant& p : conf->users) all.push_back(p.aor);
        for (const std::string& aor : all) remove_user(*conf, aor, /*ejected=*/true, out);
        record = end_if_empty(*conf);
        r.inner_xml = delete_conference_inner(conf->focus_uri);
      }
    }
    respond_c3p(tx, 200, build_c3p_response(r));
    send(out);
    finish(std::move(record), conf->id);
    return;
  }
  if (c.op != C3POp::addConference) {
    r.success = false;
    r.reason = "notSupported";
    return respond_c3p(tx, 200, build_c3p_response(r));
  }
  std::size_t mine = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    for (const auto& [id, conf] : shards_[i].map) mine += conf->organizer == organizer;
  }
  if (mine >= options_.max_conferences_per_organizer) {
    r.success = false;
    r.reason = "conferenceLimitReached";
    return respond_c3p(tx, 200, build_c3p_response(r));
  }
  auto conf = std::make_shared<Conference>();
  conf->id = new_conference_id();
  conf->organizer = organizer;
  conf->focus_uri = focus_uri(organizer, conf->id);
  conf->mcu_uri = mcu_uri(organizer, conf->id);
  conf->subject = c.subject;
  conf->record.id = conf->id;
  conf->record.organizer = organizer;
  conf->record.started = std::chrono::system_clock::now();
  conf->created = unix_now();
  conf->expires = conf->created + kAdHocLifetime;
  persist(*conf);
  {
    Shard& s = shard_of(conf->id);
    std::lock_guard lock(s.mu);
    s.map.emplace(conf->id, conf);
  }
  spdlog::info("conference {} created by {}", conf->id, caller);
  r.inner_xml = add_conference_inner(conf->focus_uri);
  respond_c3p(tx, 200, build_c3p_response(r));
}

// ---------------------------------------------------------------- focus

void ConferenceService::focus(const sip::ServerTransactionPtr& tx, const std::string& caller,
                              const ConferencePtr& conf) {
  const Message& req = tx->request();
  switch (req.method()) {
    case sip::Method::Invite:
      return focus_invite(tx, caller, conf);
    case sip::Method::Subscribe:
      return focus_subscribe(tx, caller, conf);
    case sip::Method::Info:
      return focus_info(tx, caller, conf);
    case sip::Method::Bye: {
      std::vector<Outgoing> out;
      std::optional<ConferenceRecord> record;
      {
        std::lock_guard lock(conf->mu);
        // Only a participant's BYE changes anything: a stray one must not end
        // a conference nobody has joined yet (or rejoined after a restart).
        if (!remove_user(*conf, caller, /*ejected=*/false, out)) return respond(tx, 481);
        record = end_if_empty(*conf);
      }
      respond(tx, 200);
      send(out);
      finish(std::move(record), conf->id);
      return;
    }
    default:
      return respond(tx, 405);
  }
}

void ConferenceService::focus_invite(const sip::ServerTransactionPtr& tx,
                                     const std::string& caller, const ConferencePtr& conf) {
  const Message& req = tx->request();
  auto from = req.from();
  const sip::Header* contact = req.find(HeaderId::Contact);
  auto target = contact ? sip::parse_name_addr(contact->value) : std::nullopt;
  if (!from || !target) return respond(tx, 400, "Missing From or Contact");
  auto parsed = parse_c3p_request(req.body());
  if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
  const C3PRequest& c = std::get<C3PRequest>(parsed);
  if (c.op != C3POp::addUser) return respond(tx, 488, "Expected C3P addUser");

  C3PResponse r = reply_to(c);
  std::vector<Outgoing> out;
  std::string our_tag = sip::random_hex(8);
  std::vector<std::string> roles;
  {
    std::lock_guard lock(conf->mu);
    if (conf->ended) return respond(tx, 404, "No Such Conference");
    auto it = std::find_if(conf->users.begin(), conf->users.end(),
                           [&caller](const Participant& p) { return p.aor == caller; });
    if (it == conf->users.end()) {
      // [MS-CONFBAS]: a locked conference admits nobody new.
      if (conf->locked) {
        r.success = false;
        r.reason = "conferenceLocked";
        Message m = Message::make_response(req, 403, "Conference Locked", our_tag);
        m.push_back("ms-diagnostics", "3020;reason=\"Conference is locked\"");
        m.push_back(HeaderId::Server, options_.server_header);
        m.set_body(build_c3p_response(r), kTypeCccp);
        tx->respond(std::move(m));
        return;
      }
      if (conf->users.size() >= options_.max_participants) return respond(tx, 486, "Conference Full");
      Participant p;
      p.aor = caller;
      p.joined = std::chrono::system_clock::now();
      conf->users.push_back(std::move(p));
      it = conf->users.end() - 1;
    }
    Participant& p = *it;
    p.endpoint = c.endpoint_entity;
    // The organizer leads; everyone else attends until a presenter promotes them.
    if (p.roles.empty()) p.roles = {caller == conf->organizer ? "presenter" : "attendee"};
    roles = p.roles;
    p.focus = Dialog{std::string(req.call_id()), std::string(from->tag()), our_tag,
                     std::string(from->uri.text), std::string(target->uri.text), tx->source(), 0};
    remember_flow(tx->source().flow, conf->id);
    roster_to_all(*conf, out, {});
  }
  r.inner_xml = add_user_inner(conf->focus_uri, "sip:" + caller, roles, c.endpoint_entity);
  respond_c3p(tx, 200, build_c3p_response(r), "<" + conf->focus_uri + ">;isfocus", our_tag);
  send(out);
  spdlog::info("{} joined conference {}", caller, conf->id);
}

void ConferenceService::focus_subscribe(const sip::ServerTransactionPtr& tx,
                                        const std::string& caller, const ConferencePtr& conf) {
  const Message& req = tx->request();
  if (sip::event_package(req) != kEventConference) return respond(tx, 489, "Bad Event");
  auto from = req.from();
  auto to = req.to();
  const sip::Header* contact = req.find(HeaderId::Contact);
  auto target = contact ? sip::parse_name_addr(contact->value) : std::nullopt;
  if (!from || !to || !target) return respond(tx, 400, "Missing From, To or Contact");
  std::uint32_t expires = req.expires().value_or(3600);
  std::string our_tag = to->tag().empty() ? sip::random_hex(8) : std::string(to->tag());
  std::vector<Outgoing> out;
  {
    std::lock_guard lock(conf->mu);
    auto it = std::find_if(conf->users.begin(), conf->users.end(),
                           [&caller](const Participant& p) { return p.aor == caller; });
    if (expires == 0) {
      // Leaving: pidgin-sipe unsubscribes on a fresh Call-ID, so every
      // subscription of the caller ends.
      if (it != conf->users.end()) it->subscriptions.clear();
    } else {
      if (it == conf->users.end()) return respond(tx, 403, "Join The Conference First");
      Dialog d{std::string(req.call_id()), std::string(from->tag()), our_tag,
               std::string(from->uri.text), std::string(target->uri.text), tx->source(), 0};
      auto same = std::find_if(it->subscriptions.begin(), it->subscriptions.end(),
                               [&d](const Dialog& x) { return x.call_id == d.call_id; });
      if (same != it->subscriptions.end()) {
        same->flow = d.flow;  // a refresh
      } else {
        it->subscriptions.push_back(d);
      }
    }
  }
  Message r = Message::make_response(req, 200, {}, our_tag);
  r.push_back(HeaderId::Event, kEventConference);
  r.push_back(HeaderId::Expires, std::to_string(expires));
  r.push_back(HeaderId::Contact, "<" + conf->focus_uri + ">");
  r.push_back(HeaderId::Server, options_.server_header);
  tx->respond(std::move(r));
  if (expires == 0) return;
  // RFC 6665 4.2.1: the current state at once, to this subscriber.
  {
    std::lock_guard lock(conf->mu);
    auto it = std::find_if(conf->users.begin(), conf->users.end(),
                           [&caller](const Participant& p) { return p.aor == caller; });
    if (it == conf->users.end()) return;
    auto sub = std::find_if(it->subscriptions.begin(), it->subscriptions.end(),
                            [&req](const Dialog& x) { return x.call_id == req.call_id(); });
    if (sub == it->subscriptions.end()) return;
    out.push_back(in_dialog(sip::Method::Notify, *sub, conf->focus_uri,
                            {"Event: conference", "Subscription-State: active;expires=3600",
                             "Content-Type: " + std::string(kTypeConferenceInfo)},
                            roster_document(*conf, {})));
  }
  send(out);
}

void ConferenceService::focus_info(const sip::ServerTransactionPtr& tx, const std::string& caller,
                                   const ConferencePtr& conf) {
  const Message& req = tx->request();
  if (!sip::iequals(req.content_type(), kTypeCccp)) return respond(tx, 415);
  auto parsed = parse_c3p_request(req.body());
  if (auto* err = std::get_if<lync::BodyError>(&parsed)) return respond(tx, 400, err->reason);
  const C3PRequest& c = std::get<C3PRequest>(parsed);
  C3PResponse r = reply_to(c);
  std::vector<Outgoing> out;
  std::optional<ConferenceRecord> record;
  {
    std::lock_guard lock(conf->mu);
    auto me = std::find_if(conf->users.begin(), conf->users.end(),
                           [&caller](const Participant& p) { return p.aor == caller; });
    if (me == conf->users.end() || !is_presenter(me->roles)) {
      r.success = false;
      r.reason = "unauthorized";
    } else if (c.op == C3POp::modifyConferenceLock && c.locked) {
      conf->locked = *c.locked;
      persist(*conf);
      roster_to_all(*conf, out, {});
    } else if (c.op == C3POp::deleteUser) {
      std::string who = aor_of(c.user_entity);
      if (who.empty() ||
          std::none_of(conf->users.begin(), conf->users.end(),
                       [&who](const Participant& p) { return p.aor == who; })) {
        r.success = false;
        r.reason = "userNotFound";
      } else {
        remove_user(*conf, who, /*ejected=*/true, out);
        record = end_if_empty(*conf);
      }
    } else if (c.op == C3POp::modifyUserRoles && !c.roles.empty()) {
      std::string who = aor_of(c.user_entity);
      auto it = std::find_if(conf->users.begin(), conf->users.end(),
                             [&who](const Participant& p) { return p.aor == who; });
      if (it == conf->users.end()) {
        r.success = false;
        r.reason = "userNotFound";
      } else {
        it->roles = c.roles;
        roster_to_all(*conf, out, {});
      }
    } else {
      r.success = false;
      r.reason = "notSupported";
    }
  }
  respond_c3p(tx, 200, build_c3p_response(r));
  send(out);
  finish(std::move(record), conf->id);
}

// ---------------------------------------------------------------- IM MCU

void ConferenceService::mcu(const sip::ServerTransactionPtr& tx, const std::string& caller,
                            const ConferencePtr& conf) {
  const Message& req = tx->request();
  std::vector<Outgoing> out;
  std::optional<ConferenceRecord> record;
  switch (req.method()) {
    case sip::Method::Invite: {
      auto from = req.from();
      const sip::Header* contact = req.find(HeaderId::Contact);
      auto target = contact ? sip::parse_name_addr(contact->value) : std::nullopt;
      if (!from || !target) return respond(tx, 400, "Missing From or Contact");
      std::string our_tag = sip::random_hex(8);
      {
        std::lock_guard lock(conf->mu);
        auto it = std::find_if(conf->users.begin(), conf->users.end(),
                               [&caller](const Participant& p) { return p.aor == caller; });
        if (it == conf->users.end()) return respond(tx, 403, "Join The Conference First");
        it->chat = Dialog{std::string(req.call_id()), std::string(from->tag()), our_tag,
                          std::string(from->uri.text), std::string(target->uri.text),
                          tx->source(), 0};
        remember_flow(tx->source().flow, conf->id);
        roster_to_all(*conf, out, {});
      }
      // [MS-CONFIM]: an SDP answer for the message session. No
      // Supported: ms-text-format (pidgin-sipe would drop a queued message).
      sip::Local here = identity_.listener_for(tx->source().transport);
      std::string family = here.ip.find(':') == std::string::npos ? "IP4" : "IP6";
      std::string sdp = "v=0\r\no=- 0 0 IN " + family + " " + here.ip + "\r\ns=session\r\nc=IN " +
                        family + " " + here.ip + "\r\nt=0 0\r\nm=message " +
                        std::to_string(here.port) + " sip " + conf->mcu_uri + "\r\n";
      Message ok = Message::make_response(req, 200, {}, our_tag);
      ok.push_back(HeaderId::Contact, "<" + conf->mcu_uri + ">");
      ok.push_back(HeaderId::Server, options_.server_header);
      ok.set_body(sdp, "application/sdp");
      tx->respond(std::move(ok));
      send(out);
      return;
    }
    case sip::Method::Message: {
      std::string type(req.content_type());
      if (type.empty()) type = "text/plain";
      {
        std::lock_guard lock(conf->mu);
        auto me = std::find_if(conf->users.begin(), conf->users.end(), [&](const Participant& p) {
          return p.aor == caller && p.chat && p.chat->call_id == req.call_id();
        });
        if (me == conf->users.end()) return respond(tx, 481);
        ++conf->record.messages;
        for (Participant& p : conf->users) {
          if (p.aor == caller || !p.chat) continue;  // not echoed to its author
          out.push_back(in_dialog(sip::Method::Message, *p.chat, conf->mcu_uri,
                                  {"Ms-Sender: <sip:" + caller + ">", "Content-Type: " + type},
                                  req.body()));
        }
      }
      respond(tx, 200);
      send(out);
      return;
    }
    case sip::Method::Info: {
      // Typing notices ([MS-CONFIM]): to the others, like a message.
      std::string type(req.content_type());
      {
        std::lock_guard lock(conf->mu);
        auto me = std::find_if(conf->users.begin(), conf->users.end(), [&](const Participant& p) {
          return p.aor == caller && p.chat && p.chat->call_id == req.call_id();
        });
        if (me == conf->users.end()) return respond(tx, 481);
        for (Participant& p : conf->users) {
          if (p.aor == caller || !p.chat) continue;
          std::vector<std::string> extra = {"Ms-Sender: <sip:" + caller + ">"};
          if (!type.empty()) extra.push_back("Content-Type: " + type);
          out.push_back(in_dialog(sip::Method::Info, *p.chat, conf->mcu_uri, std::move(extra),
                                  req.body()));
        }
      }
      respond(tx, 200);
      send(out);
      return;
    }
    case sip::Method::Bye: {
      {
        std::lock_guard lock(conf->mu);
        auto me = std::find_if(conf->users.begin(), conf->users.end(), [&](const Participant& p) {
          return p.aor == caller && p.chat && p.chat->call_id == req.call_id();
        });
        if (me != conf->users.end()) {
          me->chat.reset();
          roster_to_all(*conf, out, {});
        }
      }
      respond(tx, 200);
      send(out);
      return;
    }
    default:
      return respond(tx, 405);
  }
}

// ---------------------------------------------------------------- shared

ConferenceService::Outgoing ConferenceService::in_dialog(sip::Method method, Dialog& d,
                                                         std::string_view from_uri,
                                                         std::vector<std::string> extra,
                                                         std::string_view body) {
  sip::Local leaving = identity_.listener_for(d.flow.transport);
  std::vector<std::string> h = {
      "Via: " + identity_.via(leaving, sip::make_branch()),
      "Max-Forwards: 70",
      "From: <" + std::string(from_uri) + ">;tag=" + d.our_tag,
      "To: <" + d.their_uri + ">;tag=" + d.their_tag,
      "Call-ID: " + d.call_id,
      "CSeq: " + std::to_string(++d.cseq) + " " + std::string(sip::method_name(method)),
  };
  for (std::string& e : extra) h.push_back(std::move(e));
  return Outgoing{Message::make_request(method, d.target, h, body), d.flow};
}

void ConferenceService::roster_to_all(Conference& conf, std::vector<Outgoing>& out,
                                      const std::vector<std::string>& deleted) {
  std::string body = roster_document(conf, deleted);
  for (Participant& p : conf.users) {
    for (Dialog& d : p.subscriptions) {
      out.push_back(in_dialog(sip::Method::Notify, d, conf.focus_uri,
                              {"Event: conference", "Subscription-State: active;expires=3600",
                               "Content-Type: " + std::string(kTypeConferenceInfo)},
                              body));
    }
  }
}

std::string ConferenceService::roster_document(Conference& conf,
                                               const std::vector<std::string>& deleted) {
  ConferenceState state;
  state.focus_uri = conf.focus_uri;
  state.mcu_uri = conf.mcu_uri;
  state.subject = conf.subject;
  state.locked = conf.locked;
  state.version = ++conf.version;
  state.full = true;
  for (const Participant& p : conf.users) {
    User u{"sip:" + p.aor, {}, p.roles, {}, false};
    // Every endpoint of the user, each time: pidgin-sipe drops a user whose
    // element lists only the focus endpoint from its chat.
    u.endpoints.push_back(Endpoint{p.endpoint.empty() ? "sip:" + p.aor : p.endpoint, "focus",
                                   "connected", false});
    if (p.chat) u.endpoints.push_back(Endpoint{"sip:" + p.aor, "chat", "connected", true});
    state.users.push_back(std::move(u));
  }
  // A user who left is named as deleted: one merely missing stays in the chat.
  for (const std::string& aor : deleted) state.users.push_back(User{"sip:" + aor, {}, {}, {}, true});
  return build_conference_info(state);
}

bool ConferenceService::remove_user(Conference& conf, const std::string& aor, bool ejected,
                                    std::vector<Outgoing>& out) {
  auto it = std::find_if(conf.users.begin(), conf.users.end(),
                         [&aor](const Participant& p) { return p.aor == aor; });
  if (it == conf.users.end()) return false;
  if (ejected) {
    // The MCU's BYE (From the MCU URI) is what makes the client close the chat.
    if (it->chat) out.push_back(in_dialog(sip::Method::Bye, *it->chat, conf.mcu_uri, {}));
    if (it->focus) out.push_back(in_dialog(sip::Method::Bye, *it->focus, conf.focus_uri, {}));
    for (Dialog& d : it->subscriptions) {
      out.push_back(in_dialog(sip::Method::Notify, d, conf.focus_uri,
                              {"Event: conference",
                               "Subscription-State: terminated;reason=deactivated"}));
    }
  }
  conf.record.participants.push_back(
      ConferenceRecord::Participant{aor, it->joined, std::chrono::system_clock::now()});
  conf.users.erase(it);
  roster_to_all(conf, out, {aor});
  spdlog::info("{} {} conference {}", aor, ejected ? "was removed from" : "left", conf.id);
  return true;
}

std::optional<ConferenceRecord> ConferenceService::end_if_empty(Conference& conf) {
  if (!conf.users.empty() || conf.ended) return std::nullopt;
  conf.ended = true;
  conf.record.ended = std::chrono::system_clock::now();
  return conf.record;
}

void ConferenceService::send(std::vector<Outgoing>& out) {
  for (Outgoing& o : out) transactions_.send_request(std::move(o.message), o.to);
  out.clear();
}

void ConferenceService::finish(std::optional<ConferenceRecord> record, const std::string& id,
                               bool forget) {
  if (!record) return;
  {
    Shard& s = shard_of(id);
    std::lock_guard lock(s.mu);
    s.map.erase(id);
  }
  spdlog::info("conference {} of {} ended: {} participant(s), {} message(s)", record->id,
               record->organizer, record->participants.size(), record->messages);
  if (store_) {
    store::ConferenceRecordRow row{record->id, record->organizer, unix_ms(record->started),
                                   unix_ms(record->ended), record->messages, {}};
    for (const auto& p : record->participants)
      row.participants.push_back({p.aor, unix_ms(p.joined), unix_ms(p.left)});
    try {
      if (forget) store_->remove(id);
      store_->record(row);
    } catch (const store::StoreError& e) {
      spdlog::warn("record of conference {} not saved: {}", id, e.what());
    }
  }
  if (sink_) sink_(*record);
}

std::size_t ConferenceService::close_all() {
  std::vector<ConferencePtr> all;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    for (auto& [id, c] : shards_[i].map) all.push_back(c);
  }
  std::size_t n = 0;
  for (const ConferencePtr& c : all) {
    std::optional<ConferenceRecord> record;
    {
      std::lock_guard lock(c->mu);
      auto now = std::chrono::system_clock::now();
      for (const Participant& p : c->users)
        c->record.participants.push_back(ConferenceRecord::Participant{p.aor, p.joined, now});
      c->users.clear();
      record = end_if_empty(*c);
    }
    if (record) ++n;
    finish(std::move(record), c->id, /*forget=*/false);
  }
  return n;
}

}  // namespace parley::conf
