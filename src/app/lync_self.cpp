#include "app/lync_self.hpp"

#include <variant>

#include "roles/lync/contact_service.hpp"
#include "roles/lync/lync_events.hpp"
#include "roles/lync/roaming_contacts.hpp"
#include "roles/lync/roaming_self.hpp"
#include "roles/registrar/registrar.hpp"
#include "sip/chars.hpp"

namespace parley::app {

using sip::HeaderId;
using sip::Message;

LyncSelfServices::LyncSelfServices(store::ContactStore& contacts, std::string server_fqdn,
                                   std::string server_header)
    : contacts_(contacts),
      server_fqdn_(std::move(server_fqdn)),
      server_header_(std::move(server_header)) {}

bool LyncSelfServices::handle(const sip::ServerTransactionPtr& tx,
                              const sip::auth::NtlmUser& user) {
  const Message& req = tx->request();
  if (req.method() != sip::Method::Subscribe && req.method() != sip::Method::Service) return false;
  std::string aor = user.username + "@" + user.domain;
  const sip::Uri& ruri = req.request_uri();
  if (!ruri.is_sip() || ruri.aor() != aor) return false;
  auto to = req.to();
  if (!to || !to->tag().empty()) return false;  // refreshes in a dialog: not kept yet
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
    // No focusFactoryUri until the Focus exists (conferencing): with one, the
    // client offers meetings that nothing here could hold.
    cfg.server_fqdn = server_fqdn_;
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
    self.uri = "sip:" + aor;
    self.containers = lync::default_containers();
    body = lync::build_roaming_data(self, std::get<lync::RoamingScope>(scope));
    type = lync::kTypeRoamingSelf;
  } else {
    body = lync::build_contact_list(contacts_.list(aor));
    type = lync::kTypeRoamingContacts;
  }
  Message r = Message::make_response(req, 200, {}, registrar::make_tag());
  r.push_back(HeaderId::Event, event);
  std::uint32_t expires = one_off ? 0 : req.expires().value_or(3600);
  if (expires > 0 && expires < 600) expires = 600;
  r.push_back(HeaderId::Expires, std::to_string(expires));
  if (one_off) r.push_back(HeaderId::SubscriptionState, "terminated;expires=0");
  r.push_back(HeaderId::Contact, "<sip:" + server_fqdn_ + ";transport=tls>");
  if (auto cseq = req.cseq()) r.push_back("ms-piggyback-cseq", std::to_string(cseq->number));
  r.push_back(HeaderId::Server, server_header_);
  r.set_body(body, type);
  tx->respond(std::move(r));
}

void LyncSelfServices::service(const sip::ServerTransactionPtr& tx, const std::string& aor) {
  const Message& req = tx->request();
  lync::ServiceReply reply = lync::handle_contact_service(contacts_, aor, req.body());
  Message r = Message::make_response(req, reply.status, reply.reason, registrar::make_tag());
  r.push_back(HeaderId::Server, server_header_);
  if (!reply.body.empty()) r.set_body(reply.body, reply.content_type);
  tx->respond(std::move(r));
}

}  // namespace parley::app
