// HTTP Digest authentication of SIP requests, server side (RFC 3261 22,
// RFC 7616, RFC 8760).
//
// Flow (RFC 3261 22.2 for a UAS/registrar, 22.3 for a proxy):
//   1. A request arrives without credentials for our realm: answer 401 with one
//      WWW-Authenticate per value of challenge() (407 / Proxy-Authenticate for
//      a proxy). SHA-256 is listed before MD5 (RFC 8760 3).
//   2. The client retries with Authorization: parse it (credentials.hpp or
//      message_credentials.hpp) and call verify().
//
// What the caller does with each VerifyStatus:
//   Ok                         accept; optionally add Authentication-Info
//   NoCredentials, WrongRealm  challenge (stale=false)
//   UnknownUser, BadResponse   challenge (stale=false), answered identically so
//                              the reply does not reveal which usernames exist;
//                              the distinction is only for the log
//   StaleNonce, Replay         challenge with stale=true (RFC 7616 3.3): the client
//                              knows the password and retries without prompting
//   InvalidNonce               challenge (stale=false): forged, tampered, issued
//                              for another realm, or by another secret
//   Malformed                  400, or a challenge; `reason` says what was wrong
//
// Nonces (nonce.hpp) carry their issue time and an HMAC, so validating one needs
// no state; they expire after `nonce_lifetime`. With qop=auth the highest nc
// seen per nonce is kept (nonce_count_table.hpp) and nc <= that is a Replay.
// Credentials without qop (the RFC 2069 form, no nc) are accepted, but have no
// replay protection within the nonce lifetime; Parley always offers qop="auth",
// so only clients that ignore qop send them.
//
// Not checked: that digest-uri equals the Request-URI (RFC 7616 3.4.6 SHOULD).
// A proxy on the path may have rewritten the Request-URI; callers that want
// the check compare credentials.uri themselves.
//
// Nonce lifetime and issue time use the injected clock (monotonic), so nonces
// are only meaningful to authenticators sharing the clock and the secret (one
// process, or one host with a configured secret). A restart with a random
// secret makes outstanding nonces InvalidNonce: clients get a fresh challenge.
//
// Thread-safe: challenge() and verify() may be called from any worker. The
// lookup is called without any lock held; it may block (user store).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/timer.hpp"
#include "sip/auth/credentials.hpp"
#include "sip/auth/digest.hpp"
#include "sip/auth/nonce.hpp"
#include "sip/auth/nonce_count_table.hpp"

namespace parley::sip::auth {

// The stored HA1 (hex, as digest_ha1() returns) of `username` in `realm` for
// `algorithm`, or nullopt when there is no such user (or no HA1 for that
// algorithm).
using Ha1Lookup = std::function<std::optional<std::string>(
    std::string_view username, std::string_view realm, Algorithm algorithm)>;

// Monotonic time source; tests pass FakeTimerService::now.
using Clock = std::function<base::TimePoint()>;

struct DigestOptions {
  // RFC 7616 3.3: after this a nonce is stale (verify() says StaleNonce).
  std::chrono::seconds nonce_lifetime{300};
  // Total nonces whose nc is remembered (about 60 bytes each).
  std::size_t max_tracked_nonces = 100000;
  // Offered in this order (RFC 8760 3: preferred first). Credentials using an
  // algorithm not listed are Malformed. Must not be empty.
  std::vector<Algorithm> algorithms{Algorithm::Sha256, Algorithm::Md5};
  // HMAC key for nonces and opaque, at least 16 bytes; empty means 32 random
  // bytes drawn at construction. Give the same secret to authenticators that
  // must accept each other's nonces.
  std::string secret;
};

enum class VerifyStatus : unsigned char {
  Ok,
  NoCredentials,  // no Digest credentials at all (only from the message helpers)
  WrongRealm,     // credentials for another realm only
  UnknownUser,    // lookup found no HA1 (a dummy hash was still computed)
  BadResponse,    // wrong password (or wrong method/uri/cnonce in the hash)
  StaleNonce,     // right password, nonce expired (or forgotten by the nc table)
  InvalidNonce,   // nonce or opaque not issued by us for this realm
  Replay,         // right password, nc not above the highest seen for the nonce
  Malformed,      // unparseable, unsupported algorithm or qop, userhash, bad response
};

// "ok", "no-credentials", "wrong-realm", ... for logs.
std::string_view verify_status_name(VerifyStatus s);

struct VerifyResult {
  VerifyStatus status = VerifyStatus::Malformed;
  std::string username;       // as sent, when credentials were found
  Algorithm algorithm = Algorithm::Md5;
  std::string reason;         // one-line detail for the log
  // On Ok with qop=auth: the Authentication-Info header value (RFC 7616 3.5):
  // qop=auth, rspauth="...", cnonce="...", nc=00000001. Empty otherwise.
  std::string authentication_info;

  bool ok() const { return status == VerifyStatus::Ok; }
  // Whether the new challenge should say stale=true.
  bool stale() const { return status == VerifyStatus::StaleNonce || status == VerifyStatus::Replay; }
};

class DigestAuthenticator {
 public:
  // `clock` defaults to the steady clock when empty.
  explicit DigestAuthenticator(DigestOptions options = {}, Clock clock = {});

  DigestAuthenticator(const DigestAuthenticator&) = delete;
  DigestAuthenticator& operator=(const DigestAuthenticator&) = delete;

  // Header values for WWW-Authenticate (401) or Proxy-Authenticate (407), one
  // per offered algorithm, in preference order (RFC 8760 3), sharing a fresh
  // nonce:
  //   Digest realm="parley.test", qop="auth", algorithm=SHA-256, nonce="...",
  //   opaque="..."[, stale=true]
  std::vector<std::string> challenge(std::string_view realm, bool stale = false) const;

  // Checks credentials for a request with method `method` (the request line's
  // method text, used in HA2) against `realm`. Never throws on bad input.
  VerifyResult verify(const DigestCredentials& credentials, std::string_view method,
                      std::string_view realm, const Ha1Lookup& lookup);

  const DigestOptions& options() const { return options_; }
  // Entries in the nonce-count table (for metrics and tests).
  std::size_t tracked_nonces() const { return counts_.size(); }

 private:
  std::int64_t now_ms() const;

  DigestOptions options_;
  Clock clock_;
  NonceCodec codec_;
  NonceCountTable counts_;
};

}  // namespace parley::sip::auth
