// The server's [MS-SIPAE] NTLM security associations (SAs): the handshake a
// Lync-protocol client runs with its REGISTER, then the signature on every
// message either way while the SA lives.
//
// Handshake ([MS-SIPAE] 3.3.5.1, the flow drawn in sipae.hpp):
//   REGISTER without NTLM credentials   -> offer(): the first WWW-Authenticate
//   Authorization: NTLM gssapi-data=""  -> handshake() gives Challenge: a 401
//                                          with a new SA id (opaque) and the
//                                          NTLM CHALLENGE_MESSAGE
//   Authorization: NTLM opaque, gssapi-data=<AUTHENTICATE>, crand, cnum,
//                  response             -> handshake() verifies the NTLMv2
//                                          response against the user's NT hash,
//                                          derives the keys, then checks the
//                                          message's own signature: Established
// The established SA is bound to the connection (flow) it was set up over:
// everything Parley sends over that flow is signed (sign()), and everything
// the client sends over it must carry a valid signature (verify()).
//
// Lifetimes: a pending SA (challenge sent, no AUTHENTICATE yet) lasts
// `handshake_lifetime`; an established one until its flow closes
// (flow_closed()) or `lifetime` passes ([MS-SIPAE] 3.2.2: clients
// re-authenticate before 8 hours), whichever is first.
//
// Thread-safe: every call may come from any worker. The lookup runs without
// any lock held (it may block on the user store).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/timer.hpp"
#include "sip/auth/ntlm.hpp"
#include "sip/auth/sipae.hpp"
#include "sip/message.hpp"
#include "sip/peer.hpp"

namespace parley::sip::auth {

// A user an AUTHENTICATE_MESSAGE may name, with the NT hash to verify it.
struct NtlmUser {
  std::string username;  // the store's user part, e.g. "alice"
  std::string domain;    // the store's domain, e.g. "parley.test"
  ntlm::Key nt_hash{};
};
// Maps the user and domain strings of an AUTHENTICATE_MESSAGE to a store user:
// ("alice@parley.test", "") for a user@domain logon, ("alice", "PARLEY") for
// DOMAIN\user. nullopt: no such user, or one without an NT hash.
using NtlmUserLookup =
    std::function<std::optional<NtlmUser>(std::string_view user, std::string_view domain)>;

struct SecurityAssociationOptions {
  std::string targetname;                 // the server's FQDN, as clients were told it
  std::string nb_domain = "PARLEY";       // NetBIOS domain in the CHALLENGE
  std::string nb_computer = "PARLEY";     // NetBIOS computer name in the CHALLENGE
  std::string dns_domain;                 // optional MsvAvDnsDomainName
  std::chrono::seconds handshake_lifetime{60};
  std::chrono::seconds lifetime{std::chrono::hours(8)};
  // Pending SAs held at once: a flood of first REGISTERs cannot grow the table
  // past it (the overflow gets Rejected until older ones expire).
  std::size_t max_pending = 10000;
};

class SecurityAssociations {
 public:
  SecurityAssociations(SecurityAssociationOptions options, const base::TimerService& clock);
  ~SecurityAssociations();

  // The first challenge, for a REGISTER over TLS without NTLM credentials:
  // `NTLM realm="SIP Communications Service", targetname="...", version=4`.
  std::string offer() const;

  enum class Step {
    Challenge,     // answer 401 with `header` (a new pending SA)
    Established,   // the SA is up, the message verified: `username`/`domain` are who
    Rejected,      // wrong password, unknown user, unknown or expired SA id, bad
                   // signature: answer 401 with offer() again (the client starts over)
    Malformed,     // undecodable credentials or NTLM message: 400
  };
  struct Outcome {
    Step step = Step::Malformed;
    std::string header;    // Step::Challenge: the WWW-Authenticate value
    std::string username;  // Step::Established
    std::string domain;
    std::string reason;    // for the log
  };
  // One step of the handshake for `request` (a REGISTER) whose Authorization
  // is `credentials`, received over `flow` (non-zero: NTLM runs over TLS).
  Outcome handshake(const Message& request, const sipae::Credentials& credentials,
                    FlowId flow, const NtlmUserLookup& lookup);

  enum class Check {
    NoAssociation,  // the flow has no established SA: nothing to check
    Valid,          // signed by the flow's SA
    Unsigned,       // the flow has an SA but the message carries no NTLM signature
    Invalid,        // a signature that does not verify, or for another SA
  };
  struct Verified {
    Check check = Check::NoAssociation;
    std::string username;  // Valid: the SA's user
    std::string domain;
  };
  // Checks the signature of a message received over `flow`: the NTLM
  // Authorization (or Proxy-Authorization) header's response over
  // signature_input() ([MS-SIPAE] 3.3.5.2).
  Verified verify(const Message& m, FlowId flow) const;

  // Adds Authentication-Info (replacing any) with the signature of `m` under
  // the SA of `flow` ([MS-SIPAE] 3.3.5.3). False when the flow has none.
  bool sign(Message& m, FlowId flow);
  bool has_association(FlowId flow) const;
  // Who the flow's established SA belongs to (nt_hash left zero); nullopt when
  // it has none. Ingress verifies every message of such a flow, so the proxy
  // takes this as the sender's identity ([MS-SIPAE] 3.3.5.2).
  std::optional<NtlmUser> identity(FlowId flow) const;
  // The NTLM credentials of a message from a client: its Authorization (or
  // Proxy-Authorization) header with the NTLM scheme, parsed; nullopt if none.
  static std::optional<sipae::Credentials> credentials_of(const Message& m);
  // The connection is gone: so are its SAs.
  void flow_closed(FlowId flow);
  // Drops expired pending and established SAs; returns how many.
  std::size_t purge();
  std::size_t size() const;

 private:
  struct Association;
  std::shared_ptr<Association> find_flow(FlowId flow) const;
  void drop_locked(std::unordered_map<std::string, std::shared_ptr<Association>>::iterator it);

  SecurityAssociationOptions options_;
  const base::TimerService& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Association>> by_opaque_;
  std::unordered_map<FlowId, std::shared_ptr<Association>> by_flow_;
  std::size_t pending_ = 0;
  // by_flow_.size(), readable without the lock: a server with no Lync client
  // signed in checks no signature and takes no lock per message.
  std::atomic<std::size_t> flows_{0};
};

}  // namespace parley::sip::auth
