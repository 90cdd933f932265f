// The router: which role takes a request (DESIGN.md "router" layer).
//
// It is the transaction layer's TransactionUser and dispatches explicitly:
//   REGISTER for a local domain            -> registrar
//   OPTIONS for the server itself           -> answered here (200, capabilities)
//   CANCEL matching no INVITE transaction   -> 481 (RFC 3261 9.2)
//   everything else                         -> proxy
// Responses, ACKs for 2xx and transaction errors go to the proxy, the only role
// that sends requests so far. Ingress asks stateless_response() first.
#pragma once

#include <atomic>
#include <optional>

#include "app/lync_self.hpp"
#include "roles/presence/service/presence_service.hpp"
#include "roles/proxy/local_identity.hpp"
#include "roles/proxy/proxy.hpp"
#include "roles/registrar/registrar.hpp"
#include "sip/transaction/transaction_user.hpp"

namespace parley::app {

class Router final : public sip::TransactionUser {
 public:
  // The transaction layer needs its TU before the roles (which need the layer)
  // exist, and the roles need the listeners' bound ports: construct the router
  // first and attach() the roles once the listeners are open. Until then a
  // request gets 503 with Retry-After and everything else is dropped.
  Router(proxy::RequestLog& log, std::string server_header);
  // Requests a signed-in Lync-protocol client makes of itself (lync_self.hpp),
  // answered before the proxy sees them. Call before attach().
  void attach_lync(LyncSelfServices& lync, const sip::auth::SecurityAssociations& sas) {
    lync_ = &lync;
    sas_ = &sas;
  }
  // The presence role hears how its NOTIFYs ended (481 ends a subscription).
  void attach_presence(presence::PresenceService& presence) { presence_ = &presence; }
  void attach(registrar::Registrar& registrar, proxy::Proxy& proxy,
              const proxy::LocalIdentity& identity);

  // Before the transaction layer: the response to a request that is answered
  // statelessly (RFC 3261 8.2.7), or nullopt for a request that needs a
  // transaction. Today that is
  //   - a REGISTER for a local domain without any Authorization header: the
  //     registrar can only challenge (401) or refuse it (400/403), nothing
  //     changes, so no transaction state is kept for it and a retransmission
  //     simply gets a fresh challenge;
  //   - a request for the proxy that it would challenge with 407 at once
  //     (Proxy::stateless_challenge: non-INVITE, out of dialog, from a local
  //     domain, no Proxy-Authorization).
  // These are the first half of every Digest exchange; keeping no state for
  // them halves the transactions a registration or a MESSAGE costs and lets an
  // unauthenticated flood cost no memory at all.
  // Thread-safe; the caller sends the response (to response_destination()).
  std::optional<sip::Message> stateless_response(const sip::Message& request,
                                                 const sip::Peer& source);

  void on_request(const sip::ServerTransactionPtr& tx) override;
  void on_cancel(const sip::ServerTransactionPtr& invite,
                 const sip::ServerTransactionPtr& cancel) override;
  void on_ack(const sip::Message& ack, const sip::Peer& from) override;
  void on_response(const sip::ClientTransactionPtr& tx, const sip::Message& response) override;
  void on_stray_response(const sip::Message& response, const sip::Peer& from) override;
  void on_client_error(const sip::ClientTransactionPtr& tx, sip::TransactionError error) override;
  void on_server_error(const sip::ServerTransactionPtr& tx, sip::TransactionError error) override;

 private:
  bool for_this_server(const sip::Message& request) const;

  registrar::Registrar* registrar_ = nullptr;
  proxy::Proxy* proxy_ = nullptr;
  const proxy::LocalIdentity* identity_ = nullptr;
  LyncSelfServices* lync_ = nullptr;
  presence::PresenceService* presence_ = nullptr;
  const sip::auth::SecurityAssociations* sas_ = nullptr;
  std::atomic<bool> attached_{false};  // release in attach(), acquire before use
  proxy::RequestLog& log_;
  std::string server_header_;
};

}  // namespace parley::app
