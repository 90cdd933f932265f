// The registrar role (RFC 3261 10.3): authenticates REGISTER requests with
// Digest, keeps bindings in the location service and answers with the current
// contact list, GRUUs (RFC 5627) and Min-Expires (423) as the RFCs ask.
//
// The registrar never touches a socket or a transaction: handle() turns one
// REGISTER into one response, which the caller sends through the server
// transaction. Thread-safe: handle() may run on several workers at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/timer.hpp"
#include "roles/registrar/location.hpp"
#include "sip/auth/digest_authenticator.hpp"
#include "sip/auth/security_associations.hpp"
#include "sip/message.hpp"
#include "store/user_store.hpp"

namespace parley::registrar {

struct RegistrarOptions {
  std::vector<std::string> domains;     // local domains; the Digest realm is the AOR's domain
  std::uint32_t min_expires = 60;       // s; below it (and not 0): 423 (RFC 3261 10.3 step 7)
  std::uint32_t max_expires = 7200;     // s; longer requests are shortened to it
  std::uint32_t default_expires = 3600; // s; when neither Contact nor Expires says
  std::string server_header = "Parley";
};

// One REGISTER's outcome, for the request log.
struct Outcome {
  sip::Message response;
  std::string log;  // "registered alice@parley.test: 1 binding" / "rejected: ..."
};

class Registrar {
 public:
  Registrar(RegistrarOptions options, store::UserStore& users,
            sip::auth::DigestAuthenticator& authenticator, LocationService& location,
            const base::TimerService& clock);

  // `request` is a REGISTER whose Request-URI names a local domain; `from` is
  // where it arrived (the flow the bindings are reached over afterwards).
  Outcome handle(const sip::Message& request, const sip::Peer& from);

  bool is_local_domain(std::string_view host) const;

  // [MS-SIPAE] NTLM for Lync-protocol clients over TLS (security_associations.hpp):
  // a REGISTER over TLS without credentials is offered NTLM beside Digest, and
  // one with NTLM credentials runs the handshake. `lookup` maps the
  // AUTHENTICATE's user and domain to a store user with an NT hash. Set before
  // the first request; both must outlive the registrar.
  void enable_ntlm(sip::auth::SecurityAssociations& sas, sip::auth::NtlmUserLookup lookup) {
    sas_ = &sas;
    ntlm_lookup_ = std::move(lookup);
  }

  // Told the AOR after every REGISTER that changed its bindings (the presence
  // role drops the publications of endpoints that signed out). Called on the
  // worker handling the REGISTER, after the location service was updated and
  // before the response is sent. Set before the first request.
  void set_bindings_listener(std::function<void(const std::string& aor)> fn) {
    bindings_listener_ = std::move(fn);
  }

 private:
  Outcome reply(const sip::Message& request, int status, std::string log);
  Outcome challenge(const sip::Message& request, std::string_view realm, bool stale,
                    std::string log, const sip::Peer& from);
  // Step 3 for NTLM credentials: the authenticated username (as *user), or the
  // response to send.
  std::optional<Outcome> ntlm_step(const sip::Message& request,
                                   const sip::auth::sipae::Credentials& credentials,
                                   std::string_view realm, const sip::Peer& from,
                                   std::string& user);

  RegistrarOptions options_;
  store::UserStore& users_;
  sip::auth::DigestAuthenticator& authenticator_;
  LocationService& location_;
  const base::TimerService& clock_;
  sip::auth::SecurityAssociations* sas_ = nullptr;
  sip::auth::NtlmUserLookup ntlm_lookup_;
  std::function<void(const std::string&)> bindings_listener_;
};

// Where requests for a newly registered contact go (see registrar.cpp):
// the REGISTER's flow for TCP/TLS and RFC 5626 outbound, the Contact address
// for plain UDP unless the client appears to be behind NAT.
sip::Peer binding_destination(const sip::Uri& contact, std::string_view reg_id,
                              const sip::Peer& from);

// Makes a To tag for responses the server itself generates.
std::string make_tag();

}  // namespace parley::registrar
