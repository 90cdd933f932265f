#include "sip/auth/digest_authenticator.hpp"

#include <algorithm>
#include <cassert>

#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {

namespace {

std::string make_secret(std::string configured) {
  if (configured.empty()) return random_bytes(32);
  return configured;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

VerifyResult result(VerifyResult r, VerifyStatus status, std::string reason) {
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

std::string_view verify_status_name(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::Ok: return "ok";
    case VerifyStatus::NoCredentials: return "no-credentials";
    case VerifyStatus::WrongRealm: return "wrong-realm";
    case VerifyStatus::UnknownUser: return "unknown-user";
    case VerifyStatus::BadResponse: return "bad-response";
    case VerifyStatus::StaleNonce: return "stale-nonce";
    case VerifyStatus::InvalidNonce: return "invalid-nonce";
    case VerifyStatus::Replay: return "replay";
    case VerifyStatus::Malformed: return "malformed";
  }
  return "unknown";
}

DigestAuthenticator::DigestAuthenticator(DigestOptions options, Clock clock)
    : options_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock([] { return base::SteadyClock::now(); })),
      codec_(make_secret(options_.secret)),
      counts_(options_.max_tracked_nonces) {
  assert(!options_.algorithms.empty());
  options_.secret.clear();  // the codec keeps the only copy
}

std::int64_t DigestAuthenticator::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch())
      .count();
}

std::vector<std::string> DigestAuthenticator::challenge(std::string_view realm, bool stale) const {
  std::string nonce = codec_.issue(realm, now_ms());
  std::string opaque = codec_.opaque(realm);
  std::vector<std::string> out;
  out.reserve(options_.algorithms.size());
  for (Algorithm a : options_.algorithms) {
    std::string v = "Digest realm=";
    v += quote(realm);
    v += ", qop=\"auth\", algorithm=";
    v += algorithm_name(a);
    v += ", nonce=\"";
    v += nonce;
    v += "\", opaque=\"";
    v += opaque;
    v += '"';
    if (stale) v += ", stale=true";
    out.push_back(std::move(v));
  }
  return out;
}

VerifyResult DigestAuthenticator::verify(const DigestCredentials& c, std::string_view method,
                                         std::string_view realm, const Ha1Lookup& lookup) {
  VerifyResult r;
  r.username = c.username;

  // RFC 3261 22.3: only credentials for our realm count. The realm is echoed
  // from our challenge, so it must be byte-identical (HA1 depends on it).
  if (c.realm != realm) return result(std::move(r), VerifyStatus::WrongRealm, "realm \"" + c.realm + "\"");

  std::optional<Algorithm> algorithm = parse_algorithm(c.algorithm);
  if (!algorithm || std::find(options_.algorithms.begin(), options_.algorithms.end(),
                              *algorithm) == options_.algorithms.end()) {
    return result(std::move(r), VerifyStatus::Malformed, "algorithm \"" + c.algorithm + "\" not offered");
  }
  r.algorithm = *algorithm;
  const bool has_qop = !c.qop.empty();
  if (has_qop && !iequals(c.qop, "auth")) {
    return result(std::move(r), VerifyStatus::Malformed, "qop \"" + c.qop + "\" not offered");
  }
  if (c.userhash) return result(std::move(r), VerifyStatus::Malformed, "userhash not offered");
  if (!is_hex(c.response, hex_length(*algorithm))) {
    return result(std::move(r), VerifyStatus::Malformed, "response is not a hex digest");
  }

  // Cheap, stateless checks before touching the user store.
  std::optional<NonceFields> nonce = codec_.check(c.nonce, realm);
  if (!nonce) return result(std::move(r), VerifyStatus::InvalidNonce, "nonce not issued here");
  if (c.has_opaque && !constant_time_equal(c.opaque, codec_.opaque(realm))) {
    return result(std::move(r), VerifyStatus::InvalidNonce, "opaque mismatch");
  }
  const std::int64_t now = now_ms();
  const std::int64_t lifetime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.nonce_lifetime).count();
  const bool expired = nonce->issued_ms > now || now - nonce->issued_ms > lifetime_ms;

  // Look the user up; an unknown user gets a dummy HA1 so the same hashing
  // work is done as for a wrong password.
  std::optional<std::string> stored = lookup ? lookup(c.username, realm, *algorithm) : std::nullopt;
  const bool known = stored && is_hex(*stored, hex_length(*algorithm));
  const std::string ha1 = known ? lower(*stored) : std::string(hex_length(*algorithm), '0');
  const std::string expected =
      digest_response(*algorithm, ha1, c.nonce, c.nc, c.cnonce, c.qop,
                      digest_ha2(*algorithm, method, c.uri));
  const bool match = constant_time_equal(expected, lower(c.response));

  if (!known) {
    return result(std::move(r), VerifyStatus::UnknownUser,
                  stored ? "stored HA1 malformed" : "no such user");
  }
  if (!match) return result(std::move(r), VerifyStatus::BadResponse, "response mismatch");
  // RFC 7616 3.3: stale only when the digest was right for the old nonce.
  if (expired) return result(std::move(r), VerifyStatus::StaleNonce, "nonce expired");

  if (has_qop) {
    switch (counts_.record(*nonce, c.nonce_count, now - lifetime_ms)) {
      case NonceCountTable::Outcome::Accepted:
        break;
      case NonceCountTable::Outcome::Replay:
        return result(std::move(r), VerifyStatus::Replay, "nc " + c.nc + " already seen");
      case NonceCountTable::Outcome::Forgotten:
        return result(std::move(r), VerifyStatus::StaleNonce, "nonce evicted from nc table");
    }
    // RFC 7616 3.5: rspauth uses HA2 with an empty method.
    std::string rspauth = digest_response(*algorithm, ha1, c.nonce, c.nc, c.cnonce, c.qop,
                                          digest_ha2(*algorithm, "", c.uri));
    r.authentication_info = "qop=auth, rspauth=\"" + rspauth + "\", cnonce=" + quote(c.cnonce) +
                            ", nc=" + c.nc;
  }
  r.status = VerifyStatus::Ok;
  r.reason.clear();
  return r;
}

}  // namespace parley::sip::auth
