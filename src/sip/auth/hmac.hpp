// HMAC-SHA256 (RFC 2104, FIPS 180-4) under one fixed key, computed by OpenSSL.
//
// The keyed state is set up once in the constructor; each mac() works on a
// context from a small pool, reset to that state (EVP_MAC_init without a key
// copies the precomputed inner digest state), so a message costs the hashing of
// its own bytes only: OpenSSL's one-shot HMAC() looks the algorithm up,
// allocates and hashes the key again on every call. Used for
// the nonce and opaque tags (nonce.hpp) and the proxy's dialog tokens.
// Thread-safe: a context is used by one call at a time (the pool's mutex is
// held only to take or return one).
#pragma once

#include <array>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

struct evp_mac_ctx_st;

namespace parley::sip::auth {

class HmacSha256 {
 public:
  static constexpr std::size_t kSize = 32;  // bytes of output
  using Mac = std::array<unsigned char, kSize>;

  // Any key length (RFC 2104 2: longer keys are hashed first). Aborts if
  // OpenSSL cannot provide HMAC-SHA256 (nothing authenticated can go on).
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;

  // HMAC over the concatenation of `parts`.
  Mac mac(std::initializer_list<std::string_view> parts) const;

 private:
  struct Free {
    void operator()(evp_mac_ctx_st* ctx) const;
  };
  using Ctx = std::unique_ptr<evp_mac_ctx_st, Free>;
  Ctx keyed_;  // the template the pooled contexts are copied from
  // Behind a pointer so the class stays movable.
  struct Pool {
    std::mutex mu;
    std::vector<Ctx> idle;
  };
  std::unique_ptr<Pool> pool_;
};

}  // namespace parley::sip::auth
