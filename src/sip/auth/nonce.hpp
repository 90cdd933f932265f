// Server nonces that need no per-nonce state to validate (RFC 7616 3.3, 5.4).
//
// A nonce is base64url (RFC 4648 5, no padding) of 32 bytes:
//
//   issued (8 bytes, big-endian, milliseconds on the authenticator's clock)
//   random (8 bytes from RAND_bytes)
//   tag    (16 bytes: HMAC-SHA256(secret, "parley-nonce" || issued || random || realm),
//           truncated)
//
// so it is 43 characters from [A-Za-z0-9_-], safe in a quoted-string and in a
// token. A nonce that was not issued with this secret for this realm fails
// check(); the issue time lets the verifier expire it without remembering it.
// The opaque value is HMAC-SHA256(secret, "parley-opaque" || realm), truncated
// to 16 bytes, base64url: constant per realm and secret.
//
// Thread-safe: a NonceCodec is immutable after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/auth/hmac.hpp"

namespace parley::sip::auth {

// What a valid nonce carries.
struct NonceFields {
  std::int64_t issued_ms = 0;  // on the issuing authenticator's clock
  std::uint64_t random = 0;
  // Nonces are ordered by issue time (then by random): the order in which the
  // nonce-count table evicts them.
  auto operator<=>(const NonceFields&) const = default;
};

class NonceCodec {
 public:
  // Length of the encoded nonce.
  static constexpr std::size_t kNonceLength = 43;
  // Minimum secret length in bytes.
  static constexpr std::size_t kMinSecret = 16;

  // `secret` must hold at least kMinSecret bytes (asserted).
  explicit NonceCodec(std::string secret);

  // A fresh nonce for `realm` issued at `now_ms`.
  std::string issue(std::string_view realm, std::int64_t now_ms) const;
  // Decodes and authenticates a nonce presented for `realm`. nullopt if it is
  // malformed or its tag does not match (forged, tampered, another realm or
  // another secret). Comparison of the tag is constant-time.
  std::optional<NonceFields> check(std::string_view nonce, std::string_view realm) const;
  // The opaque value for `realm`.
  std::string opaque(std::string_view realm) const;

 private:
  HmacSha256 hmac_;
};

// `n` bytes from the kernel's CSPRNG (sip/random.hpp). Aborts if it fails (there
// is no safe way to continue issuing nonces without randomness).
std::string random_bytes(std::size_t n);

// RFC 4648 5 without padding.
std::string base64url_encode(std::string_view bytes);
// nullopt on characters outside the alphabet, padding, or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace parley::sip::auth
