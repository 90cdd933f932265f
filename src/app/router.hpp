// The router: which role takes a request (DESIGN.md "router" layer).
//
// It is the transaction layer's TransactionUser and dispatches explicitly:
//   REGISTER for a local domain            -> registrar
//   OPTIONS for the server itself           -> answered here (200, capabilities)
//   CANCEL matching no INVITE transaction   -> 481 (RFC 3261 9.2)
//   everything else                         -> proxy
// Responses, ACKs for 2xx and transaction errors go to the proxy, the only role
// that sends requests so far.
#pragma once

#include "roles/proxy/local_identity.hpp"
#include "roles/proxy/proxy.hpp"
#include "roles/registrar/registrar.hpp"
#include "sip/transaction/transaction_user.hpp"

namespace parley::app {

class Router final : public sip::TransactionUser {
 public:
  Router(registrar::Registrar& registrar, proxy::Proxy& proxy,
         const proxy::LocalIdentity& identity, proxy::RequestLog& log, std::string server_header);

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

  registrar::Registrar& registrar_;
  proxy::Proxy& proxy_;
  const proxy::LocalIdentity& identity_;
  proxy::RequestLog& log_;
  std::string server_header_;
};

}  // namespace parley::app
