// Ingress: from framed bytes to the transaction layer.
//
// Parses each message (sip/message.hpp). A request that does not parse gets a
// 400 whose reason phrase says why, when its Via, From, To, Call-ID and CSeq
// lines can still be found to address a response (RFC 3261 8.2, 16.3);
// otherwise, and for malformed responses, it is dropped (RFC 3261 18.1.2,
// 18.2.1). Either way it is logged once and costs nothing else. Valid requests
// get received= and rport= on their top Via (RFC 3261 18.2.1, RFC 3581 4) so
// responses and stateless forwards find their way back through NAT.
#pragma once

#include <string>

#include "app/request_log.hpp"
#include "app/source_throttle.hpp"
#include "sip/auth/security_associations.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/sender.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace parley::app {

class Router;

class Ingress {
 public:
  // `router` answers some requests before any transaction exists
  // (Router::stateless_response); may be null (everything goes to `transactions`).
  Ingress(sip::TransactionLayer& transactions, sip::Sender& sender, SpdlogRequestLog& log,
          std::size_t max_headers, SourceThrottle& throttle, const base::TimerService& clock,
          Router* router = nullptr);
  void on_message(std::string bytes, const sip::Peer& source, const sip::Local& local);

  // [MS-SIPAE] 3.3.5.2: every message over a connection with an established
  // NTLM security association must carry a valid signature. Unsigned requests
  // get 401 (the client re-signs), requests with a bad signature 403 "Invalid
  // Message Signature", unsigned or badly signed responses are dropped; a
  // REGISTER goes on to the registrar, which runs the handshake. Once
  // verified, the client's NTLM Authorization is removed: it is for this hop.
  void set_security_associations(const sip::auth::SecurityAssociations* sas) { sas_ = sas; }

 private:
  // False when the message was answered or dropped for its signature.
  bool signature_ok(sip::Message& m, const sip::Peer& source);

  sip::TransactionLayer& transactions_;
  sip::Sender& sender_;
  SpdlogRequestLog& log_;
  std::size_t max_headers_;
  SourceThrottle& throttle_;
  const base::TimerService& clock_;
  Router* router_;
  const sip::auth::SecurityAssociations* sas_ = nullptr;
};

// The top Via value with received/rport set for a request from `source`.
std::string via_with_received(const sip::Via& via, const sip::Peer& source);
// A 400 (or `status`) response for an unparseable request, built from its raw
// header lines; empty when the lines needed to address it are missing.
std::string raw_error_response(std::string_view raw, int status, std::string_view reason);

}  // namespace parley::app
