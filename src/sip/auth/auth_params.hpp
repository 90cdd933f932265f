// Generic parser for one credentials or challenge value: the text of an
// Authorization, Proxy-Authorization, WWW-Authenticate or Proxy-Authenticate
// header after the colon (RFC 3261 25.1, RFC 7235 2.1).
//
//   credentials = auth-scheme LWS auth-param *(COMMA auth-param)
//               / auth-scheme LWS token68                       (RFC 7235 only)
//   auth-param  = token EQUAL ( token / quoted-string )
//
// It knows no scheme: Digest (RFC 7616), and the [MS-SIPAE] schemes NTLM,
// Kerberos and TLS-DSK (`NTLM qop="auth", realm="SIP Communications Service",
// targetname="fe.example.com", gssapi-data="TlRMTVNT..."`) all parse the same.
//
// Linear whitespace (SP, HTAB, and folded CRLF + WSP) is accepted around the
// scheme, names, '=' and ','. Empty list elements (",,") are skipped, as
// RFC 7235 7 asks. Quoted strings are returned unescaped: the quotes removed,
// each quoted-pair ("\x") replaced by the character, and a folded line break
// inside the quotes replaced by one SP (RFC 3261 7.3.1).
//
// Errors: returns nullopt and sets `*error` (when non-null) to a short reason
// (e.g. "unterminated quoted-string"). Never throws on malformed input; it
// only allocates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/chars.hpp"

namespace parley::sip::auth {

struct AuthParam {
  std::string name;   // as written (compare with iequals: names are case-insensitive)
  std::string value;  // unescaped, without quotes
  bool quoted = false;  // value was a quoted-string
};

struct AuthParams {
  std::string scheme;  // as written, e.g. "Digest", "NTLM"; compare case-insensitively
  std::vector<AuthParam> params;  // in order; duplicates are kept
  std::string token68;  // the RFC 7235 token68 form ("Negotiate YII..."); then params is empty

  // The first parameter with this name (case-insensitive), or nullptr.
  const AuthParam* find(std::string_view name) const;
  // Whether the scheme equals `s`, case-insensitively.
  bool is(std::string_view s) const;
};

std::optional<AuthParams> parse_auth_params(std::string_view value, std::string* error = nullptr);

// Writes `s` as a quoted-string, escaping '"' and '\' (RFC 3261 25.1).
std::string quote(std::string_view s);

}  // namespace parley::sip::auth
