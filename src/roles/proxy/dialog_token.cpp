#include "roles/proxy/dialog_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace parley::proxy {

DialogToken::DialogToken() : secret_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32) != 1)
    throw std::runtime_error("RAND_bytes failed");
}

DialogToken::DialogToken(std::string secret) : secret_(std::move(secret)) {}

std::string DialogToken::make(std::string_view call_id, std::string_view tag) const {
  std::string data(call_id);
  data += '\n';
  data += tag;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
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
