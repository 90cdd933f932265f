// The stateful proxy role (RFC 3261 section 16).
//
// For each request that is not for the server itself it validates (16.3:
// Max-Forwards, loops, Proxy-Require), pre-processes routing information (16.4:
// pops Route entries that name this server, including both halves of a double
// Record-Route, RFC 5658), authenticates requests from local users with Digest
// (RFC 3261 22.3: 407 and Proxy-Authenticate), determines targets (16.5: the
// location service for local AORs, 480 for users with no binding, GRUUs of
// RFC 5627, 403 for domains not served here while there is no federation; an
// unknown user is 404 to an authenticated caller and 480, like a user with no
// binding, to everyone else: see "Unknown users" below), and forwards to every
// target in parallel (16.6), adding Via and, for dialog-creating requests,
// Record-Route. Responses are collected per request (16.7): provisionals and
// every 2xx are forwarded at once, a 2xx cancels the other branches (16.7 step
// 10), and when all branches have ended the best final response is sent (16.7
// step 6, 503 becomes 500).
//
// A request to a registered contact goes over the flow the contact registered
// on (RFC 5626 spirit: clients behind NAT and Lync-protocol clients never
// listen, so the connection they opened is the only way back).
//
// Which requests need what (the proxy's policy, see dialog_token.hpp):
//   in-dialog requests routed by a Record-Route this proxy issued (its token
//     matches the Call-ID and a tag): forwarded along the route set, no
//     authentication;
//   everything else: from a local user, Digest (407) first; from another
//     domain, no challenge (it cannot prove an identity here). Either way only
//     local users are targets: no relaying, and no pre-loaded Route beyond us.
//
// Unknown users (user enumeration): a caller who has not proved a local
// identity (From another domain, or an in-dialog request) gets the same answer
// for an AOR that does not exist as for an existing one without a binding:
// 480 Temporarily Unavailable with the same reason phrase and headers, after
// the same store and location lookups. Otherwise a scan (sipvicious svwar)
// lists the accounts from 404 vs 480. A local user who authenticated gets 404
// (RFC 3261 16.5, 21.4.4): the directory is open to them anyway. The reasons
// for 480 rather than 404 are in Proxy::on_request (16.5).
//
// Thread-safe: called from the transaction layer on any worker; the state of
// one proxied request (its response context) has its own mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/timer.hpp"
#include "roles/proxy/dialog_token.hpp"
#include "roles/proxy/im_gateway.hpp"
#include "roles/proxy/im_sessions.hpp"
#include "roles/proxy/local_identity.hpp"
#include "roles/registrar/location.hpp"
#include "sip/auth/digest_authenticator.hpp"
#include "sip/auth/security_associations.hpp"
#include "sip/transaction/sender.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "store/user_store.hpp"

namespace parley::proxy {

struct ProxyOptions {
  std::vector<std::string> domains;                                         // local domains
  base::Millis timer_c{std::chrono::minutes(3) + std::chrono::seconds(1)};  // RFC 3261 16.6 step 11
  std::string server_header = "Parley";
  // Key of the Record-Route dialog tokens (dialog_token.hpp); empty: random
  // per process. Set it to share dialogs between proxies, or in tests.
  std::string dialog_secret;
};

// One line per request for the log: what came in and what was done with it.
struct RequestLog {
  virtual ~RequestLog() = default;
  virtual void accepted(const sip::Message& request, const sip::Peer& from,
                        std::string_view what) = 0;
  virtual void rejected(const sip::Message& request, const sip::Peer& from, int status,
                        std::string_view why) = 0;
};

// A role that answers some requests for local users itself instead of having
// them forwarded (the presence server: SUBSCRIBE, PUBLISH, SERVICE). The proxy
// validates and authenticates them as usual and then hands them over.
class LocalService {
 public:
  virtual ~LocalService() = default;
  // Whether this role takes `request` (cheap; any thread).
  virtual bool wants(const sip::Message& request) const = 0;
  // Option tags of Proxy-Require this role understands for requests it takes
  // (e.g. "ms-benotify", [MS-SIP] best-effort NOTIFY).
  virtual bool understands(std::string_view option_tag) const = 0;
  // `caller` is the AOR the request proved ("alice@example.com"), empty when
  // it proved none (another domain). The role answers `tx`.
  virtual void handle(const sip::ServerTransactionPtr& tx, const std::string& caller) = 0;
};

class Proxy {
 public:
  Proxy(ProxyOptions options, const LocalIdentity& identity, registrar::LocationService& location,
        store::UserStore& users, sip::auth::DigestAuthenticator& authenticator,
        sip::TransactionLayer& transactions, sip::Sender& stateless,
        const base::TimerService& clock, RequestLog& log);

  // The TransactionUser events that concern proxied requests (the router
  // passes them on; see sip/transaction/transaction_user.hpp for the rules).
  void on_request(const sip::ServerTransactionPtr& tx);
  void on_cancel(const sip::ServerTransactionPtr& invite, const sip::ServerTransactionPtr& cancel);
  void on_ack(const sip::Message& ack, const sip::Peer& from);
  void on_response(const sip::ClientTransactionPtr& tx, const sip::Message& response);
  void on_stray_response(const sip::Message& response, const sip::Peer& from);
  void on_client_error(const sip::ClientTransactionPtr& tx, sip::TransactionError error);

  // The 407 for a request that on_request() would certainly challenge, built
  // without a transaction (RFC 3261 8.2.7 lets a UAS answer statelessly, and
  // the challenge is the only thing such a request gets): a non-INVITE request
  // (no ACK to absorb) outside a dialog, straight from a UA (one Via, no Route),
  // with a sip Request-URI, Max-Forwards above 0, no Proxy-Require, From a
  // local domain and no Proxy-Authorization at all. Anything else is nullopt
  // and goes through on_request(). Keeping no transaction for the first half of
  // every Digest exchange halves the Timer J state a relayed MESSAGE costs.
  // Thread-safe; the caller sends the response (to response_destination()).
  std::optional<sip::Message> stateless_challenge(const sip::Message& request,
                                                  const sip::Peer& source);

  bool is_local_domain(std::string_view host) const;

  // Where 1:1 IM sessions relayed here are recorded (im_sessions.hpp); none
  // by default. Set before the first request; the tracker must outlive this.
  void set_im_sessions(ImSessionTracker* tracker) { im_sessions_ = tracker; }
  // A request over a connection with an established [MS-SIPAE] NTLM security
  // association was signed by that SA's user (Ingress drops any that is not):
  // it is authenticated as that user, with no Digest challenge.
  void set_security_associations(const sip::auth::SecurityAssociations* sas) { sas_ = sas; }
  // IM INVITEs from Lync-protocol clients (over an NTLM SA) to users with only
  // standard SIP clients are answered by this gateway and relayed as
  // pager-mode MESSAGEs (im_gateway.hpp).
  void set_im_gateway(ImGateway* gateway) { gateway_ = gateway; }
  // Requests the presence and conferencing roles answer themselves
  // (LocalService above), asked in the order added; set before the first
  // request. set_local_service replaces them all with one (or none).
  void add_local_service(LocalService* service) { locals_.push_back(service); }
  void set_local_service(LocalService* service) {
    locals_.clear();
    if (service) locals_.push_back(service);
  }

 private:
  struct Target {
    std::string request_uri;  // empty: keep the Request-URI (loose routing)
    sip::Peer destination;
  };
  struct Context;

  void reject(const sip::ServerTransactionPtr& tx, int status, std::string_view why,
              std::string_view reason = {});
  // 16.4: removes the Route entries naming this server from `m`; returns
  // whether one of them carried a valid dialog token for `m`.
  bool pop_own_routes(sip::Message& m) const;
  // What authenticate() found out about the caller.
  enum class Caller {
    Answered,       // it answered the request (400, 403, 407): nothing more to do
    Authenticated,  // a local user proved its identity with Digest
    Unverified,     // From another domain: no identity can be proved here
  };
  // 22.3: authenticates a request from a local user (and removes the
  // credentials meant for us from `m`).
  Caller authenticate(const sip::ServerTransactionPtr& tx, sip::Message& m);
  // The ";dt=..." Record-Route parameter for the dialog `m` starts.
  std::string record_route_params(const sip::Message& m) const;
  // The next hop for a request whose Request-URI is a remote target (in-dialog,
  // or after our Route was popped): a registered contact's flow, or the URI.
  std::optional<sip::Peer> route_to(const sip::Message& m) const;
  // Whether `m` comes from a Lync-protocol client: over an NTLM SA, or over the
  // flow of a binding a Lync client registered.
  bool from_lync_client(const sip::Message& m, const sip::Peer& source) const;
  std::string loop_key(const sip::Message& m) const;
  bool looped(const sip::Message& m, const std::string& key) const;
  void forward(const sip::ServerTransactionPtr& tx, sip::Message request,
               const std::vector<Target>& targets, const std::string& key, bool record_route);
  void branch_done(const std::shared_ptr<Context>& ctx, const sip::ClientTransactionPtr& tx,
                   std::optional<sip::Message> response, int synthesized_status);
  void send_upstream(const std::shared_ptr<Context>& ctx, const sip::Message& response,
                     bool pop_via = true);

  ProxyOptions options_;
  const LocalIdentity& identity_;
  registrar::LocationService& location_;
  store::UserStore& users_;
  sip::auth::DigestAuthenticator& authenticator_;
  sip::TransactionLayer& transactions_;
  sip::Sender& stateless_;
  const base::TimerService& clock_;
  RequestLog& log_;
  DialogToken token_;
  ImSessionTracker* im_sessions_ = nullptr;
  const sip::auth::SecurityAssociations* sas_ = nullptr;
  ImGateway* gateway_ = nullptr;
  std::vector<LocalService*> locals_;
  // The local service that takes `m`, or null.
  LocalService* local_for(const sip::Message& m) const;
};

}  // namespace parley::proxy
