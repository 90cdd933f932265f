#include "sip/auth/nonce.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cassert>
#include <cstdlib>

#include "sip/random.hpp"

namespace parley::sip::auth {

namespace {

constexpr std::size_t kFieldsLength = 16;
constexpr std::size_t kTagLength = 16;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int alphabet_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

std::uint64_t get_u64(std::string_view in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  sip::random_fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), n));
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = byte(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = alphabet_index(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero (canonical encoding only).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

NonceCodec::NonceCodec(std::string secret) : hmac_(secret) {
  assert(secret.size() >= kMinSecret);
}

std::string NonceCodec::issue(std::string_view realm, std::int64_t now_ms) const {
  std::string raw;
  raw.reserve(kFieldsLength + kTagLength);
  put_u64(raw, static_cast<std::uint64_t>(now_ms));
  raw.append(random_bytes(8));
  auto tag = hmac_.mac({"parley-nonce", raw, realm});
  raw.append(reinterpret_cast<const char*>(tag.data()), kTagLength);
  return base64url_encode(raw);
}

std::optional<NonceFields> NonceCodec::check(std::string_view nonce,
                                             std::string_view realm) const {
  if (nonce.size() != kNonceLength) return std::nullopt;
  std::optional<std::string> raw = base64url_decode(nonce);
  if (!raw || raw->size() != kFieldsLength + kTagLength) return std::nullopt;
  std::string_view fields = std::string_view(*raw).substr(0, kFieldsLength);
  auto tag = hmac_.mac({"parley-nonce", fields, realm});
  if (CRYPTO_memcmp(tag.data(), raw->data() + kFieldsLength, kTagLength) != 0) {
    return std::nullopt;
  }
  NonceFields out;
  out.issued_ms = static_cast<std::int64_t>(get_u64(fields.substr(0, 8)));
  out.random = get_u64(fields.substr(8, 8));
  return out;
}

std::string NonceCodec::opaque(std::string_view realm) const {
  auto tag = hmac_.mac({"parley-opaque", realm});
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(tag.data()), kTagLength));
}

}  // namespace parley::sip::auth
