// [MS-SIPAE] NTLM message signing, independent of the network: the signed
// string of a SIP message, the NTLM authentication header values, and the
// encodings they use (base64 gssapi-data, hex signatures).
//
// The exchange as pidgin-sipe runs it (sip-transport.c), for version 4:
//
//   C: REGISTER                         (no credentials)
//   S: 401  WWW-Authenticate: NTLM realm="SIP Communications Service",
//                             targetname="fe.example.com", version=4
//   C: REGISTER  Authorization: NTLM qop="auth", realm="...", targetname="...",
//                               gssapi-data="", version=4
//   S: 401  WWW-Authenticate: NTLM opaque="<SA id>", gssapi-data="<CHALLENGE>",
//                             targetname="...", realm="...", version=4
//   C: REGISTER  Authorization: NTLM qop="auth", opaque="...", realm="...",
//                targetname="...", gssapi-data="<AUTHENTICATE>", version=4,
//                crand="<8 hex>", cnum="1", response="<signature>"
//   S: 200  Authentication-Info: NTLM rspauth="<signature>", srand="<8 hex>",
//           snum="1", opaque="...", qop="auth", targetname="...", realm="..."
//   then every message either way carries the signature: the client's in
//   Authorization (qop, opaque, realm, targetname, crand, cnum, response; no
//   version), the server's in Authentication-Info (pidgin-sipe drops any
//   non-REGISTER message that has none once the SA is established).
//
// Signatures are ntlm::sign() over signature_input() with the fixed sequence
// number kSequenceNumber, client keys for the client's messages and server keys
// for the server's. All functions are pure; parsers never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth/ntlm.hpp"
#include "sip/message.hpp"

namespace parley::sip::auth::sipae {

inline constexpr std::string_view kRealm = "SIP Communications Service";
inline constexpr std::string_view kNtlm = "NTLM";
inline constexpr int kVersion = 4;  // the [MS-SIPAE] protocol version Parley offers
// The NTLM SeqNum of every signature in both directions: the NTLM SSP is given
// "a fixed message sequence number of 100" ([MS-SIPAE] 3.3.4.1); pidgin-sipe
// signs and verifies with 100, and signatures end in 64 00 00 00. The cnum /
// snum header values are separate counters that only enter the signed string.
inline constexpr std::uint32_t kSequenceNumber = 100;

// The security association values that enter the signed string, as they
// appear in the message's Authorization / Authentication-Info header (case
// kept, quotes removed).
struct SignatureParams {
  std::string_view protocol = kNtlm;  // the auth scheme token, "NTLM"
  std::string_view rand;              // crand (client's message) or srand (server's)
  std::string_view num;               // cnum or snum, as written
  std::string_view realm;
  std::string_view targetname;
  int version = kVersion;  // the SA's version (from the challenge)
};

// The string that is signed ([MS-SIPAE] 3.2.5.2 for the client's check of the
// server's messages, 3.3.4.1 for the server's signing; [MS-SIP] 3.1.4.2 for
// version 2), as pidgin-sipe builds it (sipe-sign.c): each element in angle
// brackets, an absent one as <>:
//
//   <protocol><rand><num><realm><targetname><Call-ID><CSeq number><CSeq method>
//   <From URI><From tag><To URI><To tag><PAI SIP URI><PAI tel URI><Expires>
//   and, for a response only, <status code>
//
// Version 3 and later; below 3 the To URI and both P-Asserted-Identity elements
// are left out (not even as <>). Header values are taken as written:
// - CSeq number and method: the two tokens of the CSeq value (for a response the
//   method is the CSeq's).
// - From / To URI: the URI inside <...> of a name-addr, or the addr-spec before
//   its parameters; the tag parameter's value.
// - PAI: the first P-Asserted-Identity header (else P-Preferred-Identity, as
//   pidgin-sipe does); a value starting with "tel:" is the tel URI; otherwise
//   its comma-separated elements give the first sip/sips and the first tel URI.
// - Expires: the Expires header value.
// The Authorization / Authentication-Info headers themselves are not signed.
std::string signature_input(const sip::Message& m, const SignatureParams& p);

// ---- Header values ([MS-SIPAE] 2.2) ------------------------------------------------

// Authorization / Proxy-Authorization from the client.
struct Credentials {
  std::string qop;  // "auth"
  std::string realm;
  std::string opaque;  // empty before the server assigned one
  std::string targetname;
  std::string gssapi_data;       // base64 NTLM message; empty both when absent and when ""
  bool has_gssapi_data = false;  // gssapi-data present (pidgin-sipe sends "" first)
  int version = 0;               // 0 when absent (pidgin-sipe omits it once signed in)
  std::string crand;
  std::string cnum;
  std::string response;  // hex signature as sent
};
// Parses with parse_auth_params(). Errors (nullopt, *error set): not the NTLM
// scheme, missing realm or targetname, a version that is not 1-3 digits.
std::optional<Credentials> parse_credentials(std::string_view value, std::string* error = nullptr);
// pidgin-sipe's form: NTLM qop="auth"[, opaque=".."], realm="..", targetname=".."
// [, gssapi-data=".."][, version=N][, crand="..", cnum="..", response=".."]:
// opaque, version and the signature triple only when set, gssapi-data when
// has_gssapi_data. For tests and interop clients.
std::string format_credentials(const Credentials& c);
// The signed-string parameters of a client's message.
SignatureParams signature_params(const Credentials& c, int version);

// WWW-Authenticate / Proxy-Authenticate.
struct Challenge {
  std::string realm{kRealm};
  std::string targetname;   // the server's FQDN
  std::string opaque;       // SA id; with gssapi_data in the second challenge
  std::string gssapi_data;  // base64 CHALLENGE_MESSAGE
  int version = kVersion;   // 0: omitted
};
// First challenge: NTLM realm="..", targetname="..", version=4
// With opaque:     NTLM opaque="..", gssapi-data="..", targetname="..", realm="..", version=4
// Values are quoted and the version is a bare number: pidgin-sipe's fill_auth()
// reads name="value" pairs and version=N.
std::string format_challenge(const Challenge& c);
std::optional<Challenge> parse_challenge(std::string_view value, std::string* error = nullptr);

// Authentication-Info / Proxy-Authentication-Info from the server.
struct AuthenticationInfo {
  std::string rspauth;  // hex signature
  std::string srand;
  std::string snum;
  std::string opaque;
  std::string qop = "auth";
  std::string targetname;
  std::string realm{kRealm};
  int version = 0;  // 0: omitted
};
// NTLM rspauth="..", srand="..", snum="..", opaque="..", qop="auth",
// targetname="..", realm=".."[, version=N], every value quoted: pidgin-sipe
// finds them by searching for `rand="`, `num="`, `realm="`, `targetname="`.
std::string format_authentication_info(const AuthenticationInfo& a);
std::optional<AuthenticationInfo> parse_authentication_info(std::string_view value,
                                                            std::string* error = nullptr);
SignatureParams signature_params(const AuthenticationInfo& a, int version);

// ---- Encodings -----------------------------------------------------------------------

// The response / rspauth value: the 16-byte NTLMSSP_MESSAGE_SIGNATURE in hex,
// byte by byte (version 01000000, checksum, SeqNum 64000000). Upper case, as
// pidgin-sipe and OCS write it; parsing takes either case, exactly 32 digits.
std::string signature_hex(const ntlm::Signature& s);
std::optional<ntlm::Signature> parse_signature_hex(std::string_view hex);

// Base64 (RFC 4648 4, with padding) for gssapi-data. Decoding is strict: only
// the alphabet, length a multiple of 4, '=' only as final padding.
std::string base64_encode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace parley::sip::auth::sipae
