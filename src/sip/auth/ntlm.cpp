#include "sip/auth/ntlm.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <climits>
#include <initializer_list>

namespace parley::sip::auth::ntlm {
namespace {

using In = std::span<const std::uint8_t>;

In bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---- OpenSSL: a private library context with the legacy and default providers.

struct Crypto {
  OSSL_LIB_CTX* lib = nullptr;
  EVP_MD* md4 = nullptr;
  EVP_MD* md5 = nullptr;
  EVP_CIPHER* rc4 = nullptr;
  EVP_MAC* hmac = nullptr;
  bool ok = false;
};

// Loaded once; lives as long as the process. A failure leaves ok false and
// every caller reports Error::CryptoUnavailable.
const Crypto& crypto() {
  static const Crypto c = [] {
    Crypto c;
    c.lib = OSSL_LIB_CTX_new();
    if (c.lib != nullptr && OSSL_PROVIDER_load(c.lib, "legacy") != nullptr &&
        OSSL_PROVIDER_load(c.lib, "default") != nullptr) {
      c.md4 = EVP_MD_fetch(c.lib, "MD4", nullptr);
      c.md5 = EVP_MD_fetch(c.lib, "MD5", nullptr);
      c.rc4 = EVP_CIPHER_fetch(c.lib, "RC4", nullptr);
      c.hmac = EVP_MAC_fetch(c.lib, "HMAC", nullptr);
      c.ok = c.md4 && c.md5 && c.rc4 && c.hmac;
    }
    ERR_clear_error();  // a failed load leaves its reasons on this thread's queue
    return c;
  }();
  return c;
}

bool digest(const EVP_MD* md, std::initializer_list<In> parts, Key& out) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, md, nullptr) == 1;
  for (In p : parts) ok = ok && EVP_DigestUpdate(ctx, p.data(), p.size()) == 1;
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
  EVP_MD_CTX_free(ctx);
  return ok;
}

Result<Key> md5(std::initializer_list<In> parts) {
  const Crypto& c = crypto();
  Key out{};
  if (!c.ok || !digest(c.md5, parts, out)) return Error::CryptoUnavailable;
  return out;
}

Result<Key> hmac_md5(In key, std::initializer_list<In> parts) {
  const Crypto& c = crypto();
  if (!c.ok) return Error::CryptoUnavailable;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(c.hmac);
  char name[] = "MD5";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
      OSSL_PARAM_construct_end(),
  };
  bool ok = ctx != nullptr && EVP_MAC_init(ctx, key.data(), key.size(), params) == 1;
  for (In p : parts) ok = ok && EVP_MAC_update(ctx, p.data(), p.size()) == 1;
  Key out{};
  std::size_t len = 0;
  ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
  EVP_MAC_CTX_free(ctx);
  if (!ok) return Error::CryptoUnavailable;
  return out;
}

// RC4K(key, data), [MS-NLMP] 6: a one-time RC4 instance.
Result<Key> rc4k(const Key& key, const Key& data) {
  auto h = Rc4::create(key);
  if (!h) return h.error();
  Key out = data;
  if (!std::move(h).value().apply(out)) return Error::CryptoUnavailable;
  return out;
}

// ---- Little-endian fields; callers check bounds first.

std::uint16_t get16(In m, std::size_t at) {
  return static_cast<std::uint16_t>(m[at] | (m[at + 1] << 8));
}
std::uint32_t get32(In m, std::size_t at) {
  return static_cast<std::uint32_t>(get16(m, at)) |
         (static_cast<std::uint32_t>(get16(m, at + 2)) << 16);
}
std::uint64_t get64(In m, std::size_t at) {
  return static_cast<std::uint64_t>(get32(m, at)) |
         (static_cast<std::uint64_t>(get32(m, at + 4)) << 32);
}
void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v));
  put16(b, at + 2, static_cast<std::uint16_t>(v >> 16));
}
void append16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void append64(Bytes& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::array<std::uint8_t, 4> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}

constexpr std::uint8_t kSignature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
constexpr std::uint8_t kRevisionW2k3 = 0x0F;  // NTLMSSP_REVISION_W2K3, 2.2.2.10

void write_header(Bytes& b, std::uint32_t type) {
  std::copy(std::begin(kSignature), std::end(kSignature), b.begin());
  put32(b, 8, type);
}

void write_version(Bytes& b, std::size_t at, const Version& v) {
  b[at] = v.major;
  b[at + 1] = v.minor;
  put16(b, at + 2, v.build);
  b[at + 7] = kRevisionW2k3;
}

// Writes Len, MaxLen, BufferOffset at `at` and appends `payload` to `b`.
void append_field(Bytes& b, std::size_t at, In payload) {
  put16(b, at, static_cast<std::uint16_t>(payload.size()));
  put16(b, at + 2, static_cast<std::uint16_t>(payload.size()));
  put32(b, at + 4, static_cast<std::uint32_t>(b.size()));
  b.insert(b.end(), payload.begin(), payload.end());
}

// A payload field as read: checked to lie within the message.
struct Field {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// Reads the field descriptor at `at` (8 bytes, in bounds) and checks that a
// non-empty payload lies within [min_offset, m.size()).
std::optional<Field> read_field(In m, std::size_t at, std::size_t min_offset) {
  Field f{get32(m, at + 4), get16(m, at)};
  if (f.length == 0) return Field{};
  const std::uint64_t end = static_cast<std::uint64_t>(f.offset) + f.length;
  if (f.offset < min_offset || end > m.size()) return std::nullopt;
  return f;
}

In slice(In m, const Field& f) { return m.subspan(f.offset, f.length); }

std::optional<std::string> read_string(In m, const Field& f, bool unicode) {
  In s = slice(m, f);
  if (unicode) return from_utf16le(s);
  if (std::any_of(s.begin(), s.end(), [](std::uint8_t c) { return c >= 0x80 || c == 0; })) {
    return std::nullopt;
  }
  return std::string(s.begin(), s.end());
}

Result<In> check_header(In m, std::uint32_t type, std::size_t fixed) {
  if (m.size() < 12) return Error::Truncated;
  if (!std::equal(std::begin(kSignature), std::end(kSignature), m.begin())) {
    return Error::NotNtlmssp;
  }
  if (get32(m, 8) != type) return Error::WrongMessageType;
  if (m.size() < fixed) return Error::Truncated;
  return m;
}

// Walks AV pairs up to MsvAvEOL; nullopt when one runs past the end or EOL is
// missing. Returns the length up to and including EOL.
template <class Fn>
std::optional<std::size_t> walk_av_pairs(In av, Fn&& on_pair) {
  std::size_t at = 0;
  while (at + 4 <= av.size()) {
    const std::uint16_t id = get16(av, at);
    const std::uint16_t len = get16(av, at + 2);
    if (at + 4 + len > av.size()) return std::nullopt;
    if (id == static_cast<std::uint16_t>(AvId::Eol)) return at + 4;
    on_pair(static_cast<AvId>(id), av.subspan(at + 4, len));
    at += 4 + len;
  }
  return std::nullopt;
}

bool append_av_string(Bytes& out, AvId id, std::string_view value) {
  auto v = to_utf16le(value);
  if (!v || v->size() > 0xFFFF) return false;
  append16(out, static_cast<std::uint16_t>(id));
  append16(out, static_cast<std::uint16_t>(v->size()));
  out.insert(out.end(), v->begin(), v->end());
  return true;
}

// The magic constants of SIGNKEY and SEALKEY (3.4.5.2, 3.4.5.3) are hashed with
// their terminating NUL: sizeof counts it.
constexpr char kClientSign[] = "session key to client-to-server signing key magic constant";
constexpr char kServerSign[] = "session key to server-to-client signing key magic constant";
constexpr char kClientSeal[] = "session key to client-to-server sealing key magic constant";
constexpr char kServerSeal[] = "session key to server-to-client sealing key magic constant";

template <std::size_t N>
In with_nul(const char (&text)[N]) {
  return {reinterpret_cast<const std::uint8_t*>(text), N};
}

// NTLMv2_CLIENT_CHALLENGE, 2.2.2.7: fixed part before the AV pairs.
constexpr std::size_t kBlobFixed = 28;
constexpr std::size_t kProofSize = 16;

}  // namespace

std::string_view to_string(Error e) {
  switch (e) {
    case Error::CryptoUnavailable:
      return "MD4/RC4 unavailable (OpenSSL legacy provider)";
    case Error::BadUtf8:
      return "invalid UTF-8";
    case Error::BadString:
      return "invalid string in NTLM message";
    case Error::TooLong:
      return "field too long";
    case Error::Truncated:
      return "NTLM message truncated";
    case Error::NotNtlmssp:
      return "not an NTLMSSP message";
    case Error::WrongMessageType:
      return "unexpected NTLM message type";
    case Error::FieldOutOfRange:
      return "NTLM field out of range";
    case Error::NotNtlmV2:
      return "not an NTLMv2 response";
    case Error::ProofMismatch:
      return "NTLMv2 proof mismatch";
    case Error::MissingSessionKey:
      return "missing encrypted session key";
    case Error::NoExtendedSessionSecurity:
      return "extended session security not negotiated";
  }
  return "unknown NTLM error";
}

bool crypto_available() { return crypto().ok; }

// ---- Text ----------------------------------------------------------------------

std::optional<Bytes> to_utf16le(std::string_view utf8) {
  Bytes out;
  out.reserve(utf8.size() * 2);
  auto unit = [&](std::uint32_t u) { append16(out, static_cast<std::uint16_t>(u)); };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b0 = static_cast<std::uint8_t>(utf8[i]);
    std::uint32_t cp = 0;
    std::size_t n = 0;
    if (b0 < 0x80) {
      cp = b0, n = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      cp = b0 & 0x1F, n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      cp = b0 & 0x0F, n = 3;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      cp = b0 & 0x07, n = 4;
    } else {
      return std::nullopt;
    }
    if (i + n > utf8.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<std::uint8_t>(utf8[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
    i += n;
  }
  return out;
}

std::optional<std::string> from_utf16le(std::span<const std::uint8_t> utf16) {
  if (utf16.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(utf16.size());
  for (std::size_t i = 0; i < utf16.size(); i += 2) {
    std::uint32_t cp = get16(utf16, i);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return std::nullopt;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 4 > utf16.size()) return std::nullopt;
      const std::uint32_t lo = get16(utf16, i + 2);
      if (lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

std::optional<Key> key_from_hex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Key k{};
  for (std::size_t i = 0; i < k.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    k[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return k;
}

// ---- Hashes --------------------------------------------------------------------

Result<Key> nt_hash(std::string_view password_utf8) {
  auto unicode = to_utf16le(password_utf8);
  if (!unicode) return Error::BadUtf8;
  const Crypto& c = crypto();
  Key out{};
  const bool ok = c.ok && digest(c.md4, {*unicode}, out);
  OPENSSL_cleanse(unicode->data(), unicode->size());
  if (!ok) return Error::CryptoUnavailable;
  return out;
}

Result<Key> ntowf_v2(const Key& nt_hash, std::string_view user, std::string_view domain) {
  std::string text;
  text.reserve(user.size() + domain.size());
  for (char ch : user) text += (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
  text += domain;
  auto unicode = to_utf16le(text);
  if (!unicode) return Error::BadUtf8;
  return hmac_md5(nt_hash, {*unicode});
}

// ---- CHALLENGE_MESSAGE ----------------------------------------------------------

Result<Bytes> build_challenge(const ChallengeParams& p) {
  Bytes target;
  if (!p.target_name.empty()) {
    auto t = (p.flags & kNegotiateUnicode)
                 ? to_utf16le(p.target_name)
                 : std::optional<Bytes>(Bytes(p.target_name.begin(), p.target_name.end()));
    if (!t) return Error::BadUtf8;
    target = std::move(*t);
  }
  Bytes info;
  if (p.flags & kNegotiateTargetInfo) {
    bool ok = append_av_string(info, AvId::NbDomainName, p.nb_domain) &&
              append_av_string(info, AvId::NbComputerName, p.nb_computer);
    if (ok && !p.dns_domain.empty()) ok = append_av_string(info, AvId::DnsDomainName, p.dns_domain);
    if (ok && !p.dns_computer.empty()) {
      ok = append_av_string(info, AvId::DnsComputerName, p.dns_computer);
    }
    if (!ok) return Error::BadUtf8;
    if (p.timestamp) {
      append16(info, static_cast<std::uint16_t>(AvId::Timestamp));
      append16(info, 8);
      append64(info, *p.timestamp);
    }
    append16(info, static_cast<std::uint16_t>(AvId::Eol));
    append16(info, 0);
  }
  if (target.size() > 0xFFFF || info.size() > 0xFFFF) return Error::TooLong;

  Bytes out(56, 0);
  write_header(out, 2);
  append_field(out, 12, target);  // TargetNameFields
  put32(out, 20, p.flags);
  std::copy(p.server_challenge.begin(), p.server_challenge.end(), out.begin() + 24);
  append_field(out, 40, info);  // TargetInfoFields; Reserved (32..40) stays zero
  if (p.flags & kNegotiateVersion) write_version(out, 48, p.version);
  return out;
}

Result<Challenge> parse_challenge(std::span<const std::uint8_t> message) {
  constexpr std::size_t kFixed = 48;  // through TargetInfoFields
  auto m = check_header(message, 2, kFixed);
  if (!m) return m.error();
  Challenge c;
  c.flags = get32(message, 20);
  std::copy_n(message.begin() + 24, 8, c.server_challenge.begin());
  auto name = read_field(message, 12, kFixed);
  auto info = read_field(message, 40, kFixed);
  if (!name || !info) return Error::FieldOutOfRange;
  auto target = read_string(message, *name, c.flags & kNegotiateUnicode);
  if (!target) return Error::BadString;
  c.target_name = std::move(*target);
  In av = slice(message, *info);
  if (!av.empty()) {
    auto used = walk_av_pairs(av, [&](AvId id, In value) {
      if (id == AvId::Timestamp && value.size() == 8) c.timestamp = get64(value, 0);
    });
    if (!used) return Error::FieldOutOfRange;
  }
  c.target_info.assign(av.begin(), av.end());
  return c;
}

// ---- AUTHENTICATE_MESSAGE -------------------------------------------------------

Result<NtlmV2Response> parse_ntlmv2_response(std::span<const std::uint8_t> nt_response) {
  if (nt_response.size() < kProofSize + kBlobFixed) return Error::NotNtlmV2;
  NtlmV2Response r;
  std::copy_n(nt_response.begin(), kProofSize, r.nt_proof.begin());
  In blob = nt_response.subspan(kProofSize);
  r.resp_type = blob[0];
  r.hi_resp_type = blob[1];
  r.timestamp = get64(blob, 8);
  std::copy_n(blob.begin() + 16, 8, r.client_challenge.begin());
  In av = blob.subspan(kBlobFixed);
  auto used = walk_av_pairs(av, [&](AvId id, In value) {
    if (id == AvId::Flags && value.size() == 4) r.av_flags = get32(value, 0);
  });
  if (!used) return Error::FieldOutOfRange;
  r.av_pairs.assign(av.begin(), av.begin() + static_cast<std::ptrdiff_t>(*used));
  return r;
}

Result<Authenticate> parse_authenticate(std::span<const std::uint8_t> message) {
  constexpr std::size_t kFixed = 64;  // through NegotiateFlags
  auto m = check_header(message, 3, kFixed);
  if (!m) return m.error();
  Authenticate a;
  a.flags = get32(message, 60);
  std::optional<Field> f[6];
  for (std::size_t i = 0; i < 6; ++i) {
    f[i] = read_field(message, 12 + 8 * i, kFixed);
    if (!f[i]) return Error::FieldOutOfRange;
  }
  const Field &lm = *f[0], &nt = *f[1], &dom = *f[2], &user = *f[3], &ws = *f[4], &key = *f[5];
  // Where the payload starts: the fixed part may extend to it (VERSION, MIC).
  std::size_t payload = message.size();
  for (const auto& x : f) {
    if (x->length != 0) payload = std::min(payload, x->offset);
  }

  const bool unicode = a.flags & kNegotiateUnicode;
  auto d = read_string(message, dom, unicode);
  auto u = read_string(message, user, unicode);
  auto w = read_string(message, ws, unicode);
  if (!d || !u || !w) return Error::BadString;
  a.domain = std::move(*d);
  a.user = std::move(*u);
  a.workstation = std::move(*w);
  In lm_bytes = slice(message, lm), nt_bytes = slice(message, nt), key_bytes = slice(message, key);
  a.lm_response.assign(lm_bytes.begin(), lm_bytes.end());
  a.nt_response.assign(nt_bytes.begin(), nt_bytes.end());
  a.encrypted_session_key.assign(key_bytes.begin(), key_bytes.end());

  if ((a.flags & kNegotiateVersion) && payload >= 72) {
    a.version.emplace();
    std::copy_n(message.begin() + 64, 8, a.version->begin());
  }
  if (a.nt_response.size() > 24) {
    auto v2 = parse_ntlmv2_response(a.nt_response);
    if (!v2) return v2.error();
    if (v2->av_flags && (*v2->av_flags & kAvFlagMicPresent)) {
      if (payload < 88) return Error::FieldOutOfRange;  // no room for the MIC
      a.mic.emplace();
      std::copy_n(message.begin() + 72, 16, a.mic->begin());
    }
  }
  return a;
}

// ---- Verification ----------------------------------------------------------------

Result<SessionResult> verify_ntlmv2_with_key(const Authenticate& msg, const Key& response_key_nt,
                                             const ServerChallenge& server_challenge) {
  if (msg.nt_response.size() < kProofSize + kBlobFixed) return Error::NotNtlmV2;
  In response = msg.nt_response;
  auto proof = hmac_md5(response_key_nt, {server_challenge, response.subspan(kProofSize)});
  if (!proof) return proof.error();
  if (CRYPTO_memcmp(proof->data(), response.data(), kProofSize) != 0) return Error::ProofMismatch;
  auto base = hmac_md5(response_key_nt, {*proof});
  if (!base) return base.error();
  SessionResult r{*base, *base, *base};  // KXKEY is the session base key for NTLMv2
  if (msg.flags & kNegotiateKeyExch) {
    if (msg.encrypted_session_key.size() != 16) return Error::MissingSessionKey;
    Key encrypted{};
    std::copy_n(msg.encrypted_session_key.begin(), 16, encrypted.begin());
    auto exported = rc4k(r.key_exchange_key, encrypted);
    if (!exported) return exported.error();
    r.exported_session_key = *exported;
  }
  return r;
}

Result<SessionResult> verify_ntlmv2(const Authenticate& msg, const Key& nt_hash,
                                    const ServerChallenge& server_challenge) {
  auto key = ntowf_v2(nt_hash, msg.user, msg.domain);
  if (!key) return key.error();
  return verify_ntlmv2_with_key(msg, *key, server_challenge);
}

Result<Key> compute_mic(const Key& exported_session_key, std::span<const std::uint8_t> negotiate,
                        std::span<const std::uint8_t> challenge,
                        std::span<const std::uint8_t> authenticate) {
  if (authenticate.size() < 88) return Error::FieldOutOfRange;
  static constexpr std::uint8_t kZero[16] = {};
  return hmac_md5(exported_session_key, {negotiate, challenge, authenticate.first(72), In(kZero),
                                         authenticate.subspan(88)});
}

Result<Bytes> build_authenticate(const AuthenticateParams& p) {
  auto domain = to_utf16le(p.domain);
  auto user = to_utf16le(p.user);
  auto workstation = to_utf16le(p.workstation);
  if (!domain || !user || !workstation) return Error::BadUtf8;
  auto key = ntowf_v2(p.nt_hash, p.user, p.domain);
  if (!key) return key.error();

  Bytes blob = {1, 1, 0, 0, 0, 0, 0, 0};  // RespType, HiRespType, Reserved1, Reserved2
  append64(blob, p.timestamp);
  blob.insert(blob.end(), p.client_challenge.begin(), p.client_challenge.end());
  blob.insert(blob.end(), 4, 0);  // Reserved3
  blob.insert(blob.end(), p.target_info.begin(), p.target_info.end());
  blob.insert(blob.end(), 4, 0);
  auto proof = hmac_md5(*key, {p.server_challenge, blob});
  auto lm = hmac_md5(*key, {p.server_challenge, p.client_challenge});
  if (!proof || !lm) return Error::CryptoUnavailable;
  Bytes nt(proof->begin(), proof->end());
  nt.insert(nt.end(), blob.begin(), blob.end());
  Bytes lm_response(lm->begin(), lm->end());
  lm_response.insert(lm_response.end(), p.client_challenge.begin(), p.client_challenge.end());
  Bytes encrypted;
  if (p.flags & kNegotiateKeyExch) {
    auto base = hmac_md5(*key, {*proof});
    if (!base) return base.error();
    auto e = rc4k(*base, p.random_session_key);
    if (!e) return e.error();
    encrypted.assign(e->begin(), e->end());
  }
  for (const Bytes* b : {&*domain, &*user, &*workstation, &nt}) {
    if (b->size() > 0xFFFF) return Error::TooLong;
  }

  Bytes out(p.version ? 72 : 64, 0);
  write_header(out, 3);
  append_field(out, 28, *domain);
  append_field(out, 36, *user);
  append_field(out, 44, *workstation);
  append_field(out, 12, lm_response);
  append_field(out, 20, nt);
  append_field(out, 52, encrypted);
  put32(out, 60, p.flags);
  if (p.version) write_version(out, 64, *p.version);
  return out;
}

// ---- Session security -------------------------------------------------------------

Result<Key> sign_key(const Key& exported_session_key, Side side) {
  return md5(
      {exported_session_key, side == Side::Client ? with_nul(kClientSign) : with_nul(kServerSign)});
}

Result<Key> seal_key(const Key& exported_session_key, std::uint32_t flags, Side side) {
  if (!(flags & kNegotiateExtendedSessionSecurity)) return Error::NoExtendedSessionSecurity;
  const std::size_t len = (flags & kNegotiate128) ? 16 : (flags & kNegotiate56) ? 7 : 5;
  return md5({In(exported_session_key).first(len),
              side == Side::Client ? with_nul(kClientSeal) : with_nul(kServerSeal)});
}

Result<SessionKeys> derive_session_keys(const Key& exported_session_key, std::uint32_t flags) {
  SessionKeys keys;
  for (Side side : {Side::Client, Side::Server}) {
    auto sign = sign_key(exported_session_key, side);
    auto seal = seal_key(exported_session_key, flags, side);
    if (!seal) return seal.error();
    if (!sign) return sign.error();
    DirectionKeys& k = side == Side::Client ? keys.client : keys.server;
    k = DirectionKeys{*sign, *seal, flags};
  }
  return keys;
}

void Rc4::Free::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

Rc4::~Rc4() = default;
Rc4::Rc4(Rc4&&) noexcept = default;
Rc4& Rc4::operator=(Rc4&&) noexcept = default;

Result<Rc4> Rc4::create(std::span<const std::uint8_t> key) {
  const Crypto& c = crypto();
  if (!c.ok || key.empty() || key.size() > 256) return Error::CryptoUnavailable;
  Rc4 rc4(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX* ctx = rc4.ctx_.get();
  const bool ok = ctx != nullptr &&
                  EVP_EncryptInit_ex2(ctx, c.rc4, nullptr, nullptr, nullptr) == 1 &&
                  EVP_CIPHER_CTX_set_key_length(ctx, static_cast<int>(key.size())) == 1 &&
                  EVP_EncryptInit_ex2(ctx, nullptr, key.data(), nullptr, nullptr) == 1;
  if (!ok) return Error::CryptoUnavailable;
  return rc4;
}

bool Rc4::apply(std::span<std::uint8_t> data) {
  constexpr std::size_t kChunk = 1 << 20;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), kChunk);
    int out = 0;
    if (!ctx_ ||
        EVP_EncryptUpdate(ctx_.get(), data.data(), &out, data.data(), static_cast<int>(n)) != 1 ||
        out != static_cast<int>(n)) {
      return false;
    }
    data = data.subspan(n);
  }
  return true;
}

Result<Signature> mac(const Key& signing_key, Rc4* handle, std::uint32_t seq_num,
                      std::string_view message) {
  const auto seq = le32(seq_num);
  auto h = hmac_md5(signing_key, {seq, bytes_of(message)});
  if (!h) return h.error();
  Signature sig{1, 0, 0, 0};
  std::copy_n(h->begin(), 8, sig.begin() + 4);
  if (handle != nullptr && !handle->apply(std::span(sig).subspan(4, 8))) {
    return Error::CryptoUnavailable;
  }
  std::copy(seq.begin(), seq.end(), sig.begin() + 12);
  return sig;
}

Result<Signature> sign(const DirectionKeys& keys, std::uint32_t seq_num, std::string_view message) {
  if (!(keys.flags & kNegotiateExtendedSessionSecurity)) return Error::NoExtendedSessionSecurity;
  if (!(keys.flags & kNegotiateKeyExch)) return mac(keys.signing, nullptr, seq_num, message);
  Key rc4_key = keys.sealing;
  if (keys.flags & kNegotiateDatagram) {
    auto k = md5({keys.sealing, le32(seq_num)});  // SealingKey', 3.4.3
    if (!k) return k.error();
    rc4_key = *k;
  }
  auto handle = Rc4::create(rc4_key);
  if (!handle) return handle.error();
  return mac(keys.signing, &handle.value(), seq_num, message);
}

bool verify(const DirectionKeys& keys, std::uint32_t seq_num, std::string_view message,
            std::span<const std::uint8_t> signature) {
  if (signature.size() != 16) return false;
  auto expected = sign(keys, seq_num, message);
  return expected && CRYPTO_memcmp(expected->data(), signature.data(), 16) == 0;
}

}  // namespace parley::sip::auth::ntlm
