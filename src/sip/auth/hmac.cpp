#include "sip/auth/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>

namespace parley::sip::auth {
namespace {

EVP_MAC* hmac_algorithm() {
  // Fetched once; lives as long as the process (OpenSSL frees it at exit).
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return mac;
}

}  // namespace

void HmacSha256::Free::operator()(evp_mac_ctx_st* ctx) const { EVP_MAC_CTX_free(ctx); }

HmacSha256::HmacSha256(std::string_view key)
    : keyed_(EVP_MAC_CTX_new(hmac_algorithm())), pool_(std::make_unique<Pool>()) {
  if (!keyed_) std::abort();
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    std::abort();
  }
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

HmacSha256::Mac HmacSha256::mac(std::initializer_list<std::string_view> parts) const {
  Ctx ctx;
  {
    std::lock_guard lock(pool_->mu);
    if (!pool_->idle.empty()) {
      ctx = std::move(pool_->idle.back());
      pool_->idle.pop_back();
    }
  }
  if (!ctx) {
    ctx.reset(EVP_MAC_CTX_dup(keyed_.get()));
    if (!ctx) std::abort();
  } else if (EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1) {  // back to the keyed state
    std::abort();
  }
  for (std::string_view p : parts) {
    if (!p.empty() &&
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(p.data()), p.size()) !=
            1) {
      std::abort();
    }
  }
  Mac out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    std::abort();
  }
  std::lock_guard lock(pool_->mu);
  pool_->idle.push_back(std::move(ctx));
  return out;
}

}  // namespace parley::sip::auth
