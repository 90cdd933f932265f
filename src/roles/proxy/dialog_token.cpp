#include "roles/proxy/dialog_token.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace parley::proxy {

namespace {

std::string random_secret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return secret;
}

}  // namespace

DialogToken::DialogToken() : hmac_(random_secret()) {}

DialogToken::DialogToken(std::string secret) : hmac_(secret) {}

std::string DialogToken::make(std::string_view call_id, std::string_view tag) const {
  const sip::auth::HmacSha256::Mac mac = hmac_.mac({call_id, "\n", tag});
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 8; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

bool DialogToken::check(std::string_view call_id, std::string_view tag,
                        std::string_view token) const {
  if (tag.empty() || token.size() != 16) return false;
  std::string expected = make(call_id, tag);
  return CRYPTO_memcmp(expected.data(), token.data(), 16) == 0;
}

}  // namespace parley::proxy
