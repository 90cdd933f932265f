#include "sip/auth/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {

namespace {

const EVP_MD* evp_md(Algorithm a) { return a == Algorithm::Md5 ? EVP_md5() : EVP_sha256(); }

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 0x0f];
  }
  return out;
}

// Hashes the concatenation of `parts` joined by ':'.
template <std::size_t N>
std::string hash_joined(Algorithm a, const std::string_view (&parts)[N]) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, evp_md(a), nullptr) != 1) std::abort();
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1) std::abort();
    if (!parts[i].empty() && EVP_DigestUpdate(ctx, parts[i].data(), parts[i].size()) != 1) {
      std::abort();
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &len) != 1) std::abort();
  EVP_MD_CTX_free(ctx);
  return to_hex(md, len);
}

}  // namespace

std::string_view algorithm_name(Algorithm a) {
  return a == Algorithm::Md5 ? "MD5" : "SHA-256";
}

std::optional<Algorithm> parse_algorithm(std::string_view token) {
  if (token.empty() || iequals(token, "MD5")) return Algorithm::Md5;
  if (iequals(token, "SHA-256")) return Algorithm::Sha256;
  return std::nullopt;
}

std::size_t hex_length(Algorithm a) { return a == Algorithm::Md5 ? 32 : 64; }

std::string hex_digest(Algorithm a, std::string_view data) {
  const std::string_view parts[] = {data};
  return hash_joined(a, parts);
}

std::string digest_ha1(Algorithm a, std::string_view username, std::string_view realm,
                       std::string_view password) {
  const std::string_view parts[] = {username, realm, password};
  return hash_joined(a, parts);
}

std::string digest_ha2(Algorithm a, std::string_view method, std::string_view digest_uri) {
  const std::string_view parts[] = {method, digest_uri};
  return hash_joined(a, parts);
}

std::string digest_response(Algorithm a, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view ha2) {
  if (qop.empty()) {
    const std::string_view parts[] = {ha1, nonce, ha2};
    return hash_joined(a, parts);
  }
  const std::string_view parts[] = {ha1, nonce, nc, cnonce, qop, ha2};
  return hash_joined(a, parts);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_hex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

}  // namespace parley::sip::auth
