// Digest hash computations (RFC 7616 3.4.1, 3.4.2, 3.5; RFC 8760 for SIP).
//
// All results are lower-case hex strings. Only the non-session algorithms are
// supported: MD5 (RFC 3261 22.4) and SHA-256 (RFC 8760 2). The "-sess"
// variants and SHA-512-256 are not offered and are rejected by the verifier.
//
// These functions are pure and thread-safe. They never throw on input; an
// OpenSSL failure (out of memory) aborts, since no sensible answer exists.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::sip::auth {

enum class Algorithm : unsigned char { Md5, Sha256 };

// "MD5" / "SHA-256": the token used in the algorithm parameter (RFC 7616 3.3).
std::string_view algorithm_name(Algorithm a);
// Parses an algorithm token case-insensitively. An empty string means MD5
// (RFC 7616 3.3: "If the algorithm parameter is not present, it is assumed to
// be MD5"). Returns nullopt for anything else, including MD5-sess,
// SHA-256-sess and SHA-512-256.
std::optional<Algorithm> parse_algorithm(std::string_view token);
// Length of a hex digest of the algorithm: 32 for MD5, 64 for SHA-256.
std::size_t hex_length(Algorithm a);

// H(data) as lower-case hex.
std::string hex_digest(Algorithm a, std::string_view data);

// HA1 = H(username ":" realm ":" password), RFC 7616 3.4.2 (non-session form).
// This is the value the user store keeps instead of the password.
std::string digest_ha1(Algorithm a, std::string_view username, std::string_view realm,
                       std::string_view password);

// HA2 = H(method ":" digest-uri), RFC 7616 3.4.3 for qop=auth or no qop.
std::string digest_ha2(Algorithm a, std::string_view method, std::string_view digest_uri);

// The request-digest (RFC 7616 3.4.1):
//   qop = "auth":  H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
//   qop empty:     H(HA1 ":" nonce ":" HA2)          (RFC 2069 compatibility)
// `ha1` and `ha2` are hex strings as returned above; nc is the 8 hex digits as
// sent by the client.
std::string digest_response(Algorithm a, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view ha2);

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// True if `s` is exactly `length` hex digits (either case).
bool is_hex(std::string_view s, std::size_t length);

}  // namespace parley::sip::auth
