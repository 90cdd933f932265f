// Digest credentials: the value of an Authorization or Proxy-Authorization
// header whose scheme is "Digest" (RFC 3261 22.4 and 25.1, RFC 7616 3.4,
// RFC 8760).
//
//   Digest username="alice", realm="parley.test", nonce="...", uri="sip:parley.test",
//          response="...", algorithm=SHA-256, cnonce="...", opaque="...", qop=auth,
//          nc=00000001
//
// Leniency: any parameter may be a token or a quoted-string (the grammar quotes
// some and not others, and deployed clients get it wrong both ways, e.g.
// qop="auth" or algorithm="MD5"). Names and the scheme are case-insensitive.
//
// Rejected as Malformed: a parameter given twice; a missing username, realm,
// nonce, uri or response; qop without cnonce or nc; nc that is not exactly 8
// hex digits (RFC 7616 3.4); userhash other than true/false; username together
// with username*; a username* that is not UTF-8 ext-value (RFC 7616 3.4.4,
// RFC 8187). The verifier does the semantic checks (algorithm, qop value,
// response length, nonce).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {

struct DigestCredentials {
  std::string username;   // unescaped; decoded from username* when that form was used
  std::string realm;
  std::string nonce;
  std::string uri;        // digest-uri, as sent (RFC 3261 22.4 item 2: the Request-URI)
  std::string response;   // request-digest, hex as sent
  std::string algorithm;  // as sent; empty when absent (which means MD5)
  std::string cnonce;     // empty when absent
  std::string opaque;     // empty when absent (see has_opaque)
  std::string qop;        // as sent, e.g. "auth"; empty when absent
  std::string nc;         // exactly 8 hex digits when present; empty when absent
  std::uint32_t nonce_count = 0;  // nc as a number; 0 when absent
  bool has_opaque = false;
  bool userhash = false;  // RFC 7616 3.4.4 (not offered by Parley)
  std::vector<AuthParam> extensions;  // any other auth-param, in order
};

enum class CredentialsStatus : unsigned char {
  Ok,           // `credentials` is filled
  OtherScheme,  // well-formed but not Digest (NTLM, Kerberos, TLS-DSK, Basic...): ignore it
  Malformed,    // `error` says why
};

struct DigestParse {
  CredentialsStatus status = CredentialsStatus::Malformed;
  DigestCredentials credentials;  // valid when status == Ok
  std::string scheme;             // as written, when one could be read
  std::string error;              // when status == Malformed
  bool ok() const { return status == CredentialsStatus::Ok; }
};

// Parses one Authorization / Proxy-Authorization value. Never throws.
DigestParse parse_digest_credentials(std::string_view value);

}  // namespace parley::sip::auth
