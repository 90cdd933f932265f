#include "app/lync_self.hpp"

#include <variant>

#include "roles/lync/contact_service.hpp"
#include "roles/lync/lync_events.hpp"
#include "roles/lync/roaming_contacts.hpp"
#include "roles/lync/roaming_self.hpp"
#include "roles/registrar/registrar.hpp"
#include "sip/chars.hpp"
#include "sip/transaction/branch.hpp"
#include "sip/uri.hpp"

namespace parley::app {

using sip::HeaderId;
using sip::Message;

LyncSelfServices::LyncSelfServices(store::ContactStore& contacts,
                                   const proxy::LocalIdentity& identity,
                                   sip::TransactionLayer& transactions,
                                   const base::TimerService& clock, std::string server_header)
    : contacts_(contacts),
      identity_(identity),
      transactions_(transactions),
      clock_(clock),
      server_header_(std::move(server_header)) {}

std::size_t LyncSelfServices::subscription_count() const {
  std::lock_guard lock(mu_);
  return subscriptions_.size();
}

bool LyncSelfServices::handle(const sip::ServerTransactionPtr& tx,
                              const sip::auth::NtlmUser& user) {
  const Message& req = tx->request();
  if (req.method() != sip::Method::Subscribe && req.method() != sip::Method::Service) return false;
  std::string aor = user.username + "@" + user.domain;
  auto to = req.to();
  if (!to) return false;
  // A refresh goes to the Contact of our 200, not to the user's AOR.
  if (!to->tag().empty()) return req.method() == sip::Method::Subscribe && refresh(tx, aor);
  const sip::Uri& ruri = req.request_uri();
  if (!ruri.is_sip() || ruri.aor() != aor) return false;
  if (req.method() == sip::Method::Service) {
    if (!sip::iequals(req.content_type(), lync::kTypeSoap)) return false;
    service(tx, aor);
    return true;
  }
  const sip::Header* event = req.find(HeaderId::Event);
  if (!event) return false;
  std::string_view e = event->value.substr(0, event->value.find(';'));
  if (e != lync::kEventProvisioningV2 && e != lync::kEventRoamingSelf &&
      e != lync::kEventRoamingContacts)
    return false;
  subscribe(tx, aor, e);
  return true;
}

void LyncSelfServices::subscribe(const sip::ServerTransactionPtr& tx, const std::string& aor,
                                 std::string_view event) {
  const Message& req = tx->request();
  std::string body;
  std::string_view type;
  bool one_off = false;
  if (event == lync::kEventProvisioningV2) {
    auto what = lync::parse_provisioning_request(req.body());
    if (auto* err = std::get_if<lync::BodyError>(&what)) {
      tx->respond(Message::make_response(req, 400, err->reason, registrar::make_tag()));
      return;
    }
    lync::ProvisioningConfig cfg;
    // The focus factory only when the conferencing roles run: with one, the
    // client offers meetings that something must hold.
    if (conferencing_) cfg.focus_factory_uri = lync::focus_factory_uri_for(aor);
    cfg.server_fqdn = identity_.fqdn();
    body = lync::build_provision_group_list(cfg, std::get<lync::ProvisioningRequest>(what));
    type = lync::kTypeProvisioningV2;
    one_off = true;
  } else if (event == lync::kEventRoamingSelf) {
    auto scope = lync::parse_roaming_list(req.body());
    if (auto* err = std::get_if<lync::BodyError>(&scope)) {
      tx->respond(Message::make_response(req, 400, err->reason, registrar::make_tag()));
      return;
    }
    lync::RoamingSelf self;
    if (roaming_self_source_) {
      self = roaming_self_source_(aor);
    } else {
      self.uri = "sip:" + aor;
      self.containers = lync::default_containers();
    }
    body = lync::build_roaming_data(self, std::get<lync::RoamingScope>(scope));
    type = lync::kTypeRoamingSelf;
  } else {
    body = lync::build_contact_list(contacts_.list(aor));
    type = lync::kTypeRoamingContacts;
  }
  std::string our_tag = registrar::make_tag();
  Message r = Message::make_response(req, 200, {}, our_tag);
  r.push_back(HeaderId::Event, event);
  std::uint32_t expires = one_off ? 0 : req.expires().value_or(3600);
  if (expires > 0 && expires < 600) expires = 600;
  r.push_back(HeaderId::Expires, std::to_string(expires));
  if (one_off) r.push_back(HeaderId::SubscriptionState, "terminated;expires=0");
  sip::Local here = identity_.listener_for(tx->source().transport);
  r.push_back(HeaderId::Contact, identity_.record_route(here));
  if (expires > 0) {
    auto from = req.from();
    const sip::Header* contact = req.find(HeaderId::Contact);
    auto target = contact ? sip::parse_name_addr(contact->value) : std::nullopt;
    if (from && target) {
      Subscription sub{aor, std::string(event), std::string(from->tag()), our_tag,
                       std::string(target->uri.text), tx->source(), 0,
                       clock_.now() + std::chrono::seconds(expires)};
      std::lock_guard lock(mu_);
      subscriptions_[std::string(req.call_id())] = std::move(sub);
    }
  }
  if (auto cseq = req.cseq()) r.push_back("ms-piggyback-cseq", std::to_string(cseq->number));
  r.push_back(HeaderId::Server, server_header_);
  r.set_body(body, type);
  tx->respond(std::move(r));
}

bool LyncSelfServices::refresh(const sip::ServerTransactionPtr& tx, const std::string& aor) {
  const Message& req = tx->request();
  auto to = req.to();
  std::uint32_t expires = req.expires().value_or(3600);
  if (expires > 0 && expires < 600) expires = 600;
  std::string event;
  {
    std::lock_guard lock(mu_);
    auto it = subscriptions_.find(std::string(req.call_id()));
    if (it == subscriptions_.end() || it->second.our_tag != to->tag() || it->second.aor != aor)
      return false;
    event = it->second.event;
    if (expires == 0) {
      subscriptions_.erase(it);
    } else {
      it->second.expires = clock_.now() + std::chrono::seconds(expires);
      it->second.flow = tx->source();
    }
  }
  Message r = Message::make_response(req, 200);
  r.push_back(HeaderId::Event, event);
  r.push_back(HeaderId::Expires, std::to_string(expires));
  r.push_back(HeaderId::Server, server_header_);
  tx->respond(std::move(r));
  return true;
}

void LyncSelfServices::service(const sip::ServerTransactionPtr& tx, const std::string& aor) {
  const Message& req = tx->request();
  lync::ServiceReply reply = lync::handle_contact_service(contacts_, aor, req.body());
  Message r = Message::make_response(req, reply.status, reply.reason, registrar::make_tag());
  r.push_back(HeaderId::Server, server_header_);
  if (!reply.body.empty()) r.set_body(reply.body, reply.content_type);
  tx->respond(std::move(r));
  if (reply.delta)
    notify(aor, lync::kEventRoamingContacts, lync::kTypeRoamingContacts,
           lync::build_contact_delta(*reply.delta));
}

void LyncSelfServices::roaming_self_changed(const std::string& aor) {
  if (!roaming_self_source_) return;
  lync::RoamingScope scope;
  scope.categories = true;
  scope.containers = true;
  notify(aor, lync::kEventRoamingSelf, lync::kTypeRoamingSelf,
         lync::build_roaming_data(roaming_self_source_(aor), scope));
}

void LyncSelfServices::notify(const std::string& aor, std::string_view event,
                              std::string_view content_type, const std::string& body) {
  std::vector<std::pair<Message, sip::Peer>> out;
  {
    std::lock_guard lock(mu_);
    base::TimePoint now = clock_.now();
    for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
      Subscription& s = it->second;
      if (s.expires <= now) {
        it = subscriptions_.erase(it);
        continue;
      }
      if (s.aor == aor && s.event == event) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(s.expires - now).count();
        sip::Local leaving = identity_.listener_for(s.flow.transport);
        std::vector<std::string> h = {
            "Via: " + identity_.via(leaving, sip::make_branch()),
            "Max-Forwards: 70",
            "From: <sip:" + aor + ">;tag=" + s.our_tag,
            "To: <sip:" + aor + ">;tag=" + s.client_tag,
            "Call-ID: " + it->first,
            "CSeq: " + std::to_string(++s.cseq) + " NOTIFY",
            "Event: " + s.event,
            "Subscription-State: active;expires=" + std::to_string(left),
            "Contact: " + identity_.record_route(leaving),
            "Content-Type: " + std::string(content_type),
        };
        out.emplace_back(Message::make_request(sip::Method::Notify, s.target, h, body), s.flow);
      }
      ++it;
    }
  }
  for (auto& [m, to] : out) transactions_.send_request(std::move(m), to);
}

}  // namespace parley::app
