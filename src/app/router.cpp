#include "app/router.hpp"

#include <spdlog/spdlog.h>

namespace parley::app {

using sip::HeaderId;
using sip::Message;

namespace {
constexpr std::string_view kAllow =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, UPDATE, PRACK, REGISTER, SUBSCRIBE, "
    "NOTIFY, REFER, PUBLISH";
}

Router::Router(proxy::RequestLog& log, std::string server_header)
    : log_(log), server_header_(std::move(server_header)) {}

void Router::attach(registrar::Registrar& registrar, proxy::Proxy& proxy,
                    const proxy::LocalIdentity& identity) {
  registrar_ = &registrar;
  proxy_ = &proxy;
  identity_ = &identity;
  attached_.store(true, std::memory_order_release);
}

bool Router::for_this_server(const Message& request) const {
  const sip::Uri& u = request.request_uri();
  if (!u.is_sip() || !u.user.empty()) return false;
  return identity_->is_ours(u) || registrar_->is_local_domain(u.host_lower());
}

std::optional<Message> Router::stateless_response(const Message& req, const sip::Peer& source) {
  if (!attached_.load(std::memory_order_acquire)) return std::nullopt;
  if (req.method() != sip::Method::Register) {
    // What on_request() would hand to the proxy, which may challenge it at once.
    if (req.method() == sip::Method::Options && for_this_server(req)) return std::nullopt;
    return proxy_->stateless_challenge(req, source);
  }
  if (req.find(HeaderId::Authorization)) return std::nullopt;
  if (!registrar_->is_local_domain(req.request_uri().host_lower())) return std::nullopt;
  registrar::Outcome o = registrar_->handle(req, source);
  // Without credentials the registrar answers 401, 400 or 403 and changes nothing
  // (registrar.hpp, step 3 comes before any binding is touched).
  log_.rejected(req, source, o.response.status(), o.log + " (stateless)");
  return std::move(o.response);
}

void Router::on_request(const sip::ServerTransactionPtr& tx) {
  const Message& req = tx->request();
  if (!attached_.load(std::memory_order_acquire)) {
    Message r = Message::make_response(req, 503, "Starting Up", registrar::make_tag());
    r.push_back(HeaderId::RetryAfter, "1");
    tx->respond(std::move(r));
    return;
  }
  if (lync_ && sas_) {
    if (auto who = sas_->identity(tx->source().flow)) {
      if (lync_->handle(tx, *who)) {
        log_.accepted(req, tx->source(), "answered for the Lync client of " + who->username + "@" +
                                             who->domain);
        return;
      }
    }
  }
  switch (req.method()) {
    case sip::Method::Register:
      if (registrar_->is_local_domain(req.request_uri().host_lower())) {
        registrar::Outcome o = registrar_->handle(req, tx->source());
        if (o.response.status() < 300) {
          log_.accepted(req, tx->source(), o.log);
        } else {
          log_.rejected(req, tx->source(), o.response.status(), o.log);
        }
        tx->respond(std::move(o.response));
        return;
      }
      break;  // a REGISTER for another domain is proxied (and refused there)
    case sip::Method::Options:
      if (for_this_server(req)) {
        Message r = Message::make_response(req, 200, {}, registrar::make_tag());
        r.push_back(HeaderId::Allow, kAllow);
        r.push_back(HeaderId::Accept, "application/sdp, text/plain, application/pidf+xml");
        r.push_back(HeaderId::Supported, "path, gruu, outbound, eventlist");
        r.push_back(HeaderId::AllowEvents, "presence, presence.winfo");
        r.push_back(HeaderId::Server, server_header_);
        log_.accepted(req, tx->source(), "answered OPTIONS for this server");
        tx->respond(std::move(r));
        return;
      }
      break;
    case sip::Method::Cancel: {
      log_.rejected(req, tx->source(), 481, "CANCEL matches no transaction");
      tx->respond(Message::make_response(req, 481, {}, registrar::make_tag()));
      return;
    }
    default:
      break;
  }
  proxy_->on_request(tx);
}

void Router::on_cancel(const sip::ServerTransactionPtr& invite,
                       const sip::ServerTransactionPtr& cancel) {
  if (!attached_.load(std::memory_order_acquire)) return;
  proxy_->on_cancel(invite, cancel);
}

void Router::on_ack(const Message& ack, const sip::Peer& from) {
  if (!attached_.load(std::memory_order_acquire)) return;
  proxy_->on_ack(ack, from);
}

void Router::on_response(const sip::ClientTransactionPtr& tx, const Message& response) {
  if (!attached_.load(std::memory_order_acquire)) return;
  if (presence_ && tx->method() == sip::Method::Notify && !tx->context() &&
      response.status() >= 200)
    presence_->on_notify_result(response.call_id(), response.status());
  proxy_->on_response(tx, response);
}

void Router::on_stray_response(const Message& response, const sip::Peer& from) {
  if (!attached_.load(std::memory_order_acquire)) return;
  proxy_->on_stray_response(response, from);
}

void Router::on_client_error(const sip::ClientTransactionPtr& tx, sip::TransactionError error) {
  if (!attached_.load(std::memory_order_acquire)) return;
  spdlog::debug("client transaction {} {} failed: {}", sip::method_name(tx->method()),
                tx->request().call_id(), sip::to_string(error));
  if (presence_ && tx->method() == sip::Method::Notify && !tx->context())
    presence_->on_notify_result(tx->request().call_id(), 408);
  proxy_->on_client_error(tx, error);
}

void Router::on_server_error(const sip::ServerTransactionPtr& tx, sip::TransactionError error) {
  spdlog::debug("server transaction {} {} from {} failed: {}", sip::method_name(tx->method()),
                tx->request().call_id(), tx->source().to_string(), sip::to_string(error));
}

}  // namespace parley::app
