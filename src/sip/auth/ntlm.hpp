// NTLM primitives for [MS-SIPAE] NTLM: connectionless NTLMv2 with Extended
// Session Security, key exchange and message signing ([MS-NLMP]).
//
// The server's side of the exchange is:
//
//   build_challenge()     CHALLENGE_MESSAGE, [MS-NLMP] 2.2.1.2 (no NEGOTIATE
//                         message comes first in connectionless mode, 3.1.5.2)
//   parse_authenticate()  AUTHENTICATE_MESSAGE, 2.2.1.3 (untrusted input)
//   verify_ntlmv2()       NTProofStr check and key exchange, 3.3.2 and 3.2.5.2.2
//   derive_session_keys() SIGNKEY and SEALKEY, 3.4.5.2 / 3.4.5.3
//   sign() / verify()     MAC with ESS, 3.4.4.2, rekeyed per message (3.4.3)
//
// build_authenticate() and parse_challenge() are the client's side, for tests
// and interop clients.
//
// Byte layouts are little-endian as in [MS-NLMP] 2.2. Strings on the wire are
// UTF-16LE (NTLMSSP_NEGOTIATE_UNICODE); at this API they are UTF-8.
// Timestamps are FILETIME: 100 ns intervals since 1601-01-01 UTC.
//
// MD4 and RC4 come from OpenSSL 3's legacy provider, loaded once into a private
// OSSL_LIB_CTX together with the default provider (MD5, HMAC). If it cannot be
// loaded, every function that needs it returns Error::CryptoUnavailable; none
// aborts. Parsers never read outside their input and never throw; they only
// allocate. All functions are pure and thread-safe; an Rc4 object is used by one
// thread at a time.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct evp_cipher_ctx_st;

namespace parley::sip::auth::ntlm {

using Bytes = std::vector<std::uint8_t>;
using Key = std::array<std::uint8_t, 16>;  // NT hash, NTOWFv2, session and message keys
using ServerChallenge = std::array<std::uint8_t, 8>;
using ClientChallenge = std::array<std::uint8_t, 8>;
using Signature = std::array<std::uint8_t, 16>;  // NTLMSSP_MESSAGE_SIGNATURE, 2.2.2.9.2

// NegotiateFlags, [MS-NLMP] 2.2.2.5.
inline constexpr std::uint32_t kNegotiateUnicode = 0x00000001;                  // A
inline constexpr std::uint32_t kNegotiateOem = 0x00000002;                      // B
inline constexpr std::uint32_t kRequestTarget = 0x00000004;                     // C
inline constexpr std::uint32_t kNegotiateSign = 0x00000010;                     // D
inline constexpr std::uint32_t kNegotiateSeal = 0x00000020;                     // E
inline constexpr std::uint32_t kNegotiateDatagram = 0x00000040;                 // F
inline constexpr std::uint32_t kNegotiateLmKey = 0x00000080;                    // G
inline constexpr std::uint32_t kNegotiateNtlm = 0x00000200;                     // H
inline constexpr std::uint32_t kNegotiateAlwaysSign = 0x00008000;               // M
inline constexpr std::uint32_t kTargetTypeDomain = 0x00010000;                  // N
inline constexpr std::uint32_t kTargetTypeServer = 0x00020000;                  // O
inline constexpr std::uint32_t kNegotiateExtendedSessionSecurity = 0x00080000;  // P
inline constexpr std::uint32_t kNegotiateIdentify = 0x00100000;                 // Q
inline constexpr std::uint32_t kNegotiateTargetInfo = 0x00800000;               // S
inline constexpr std::uint32_t kNegotiateVersion = 0x02000000;                  // T
inline constexpr std::uint32_t kNegotiate128 = 0x20000000;                      // U
inline constexpr std::uint32_t kNegotiateKeyExch = 0x40000000;                  // V
inline constexpr std::uint32_t kNegotiate56 = 0x80000000;                       // W

// The CHALLENGE flags for [MS-SIPAE] connectionless NTLM (0xE2998255).
// pidgin-sipe (sip-sec-ntlm.c, sip_sec_ntlm_gen_authenticate) refuses a
// challenge unless it has all of UNICODE, NTLM, ALWAYS_SIGN,
// EXTENDED_SESSIONSECURITY, TARGET_INFO (its "common minimum") and SIGN,
// DATAGRAM, IDENTIFY, KEY_EXCH (its "connectionless extra"); note ALWAYS_SIGN.
// It answers with (challenge flags & {those, VERSION, 128, 56}) | REQUEST_TARGET,
// dropping 56 when 128 is set. REQUEST_TARGET and TARGET_TYPE_DOMAIN go with the
// TargetName (the NetBIOS domain) that build_challenge() writes (2.2.1.2).
inline constexpr std::uint32_t kConnectionlessChallengeFlags =
    kNegotiateUnicode | kRequestTarget | kNegotiateSign | kNegotiateDatagram | kNegotiateNtlm |
    kNegotiateAlwaysSign | kTargetTypeDomain | kNegotiateExtendedSessionSecurity |
    kNegotiateIdentify | kNegotiateTargetInfo | kNegotiateVersion | kNegotiate128 |
    kNegotiateKeyExch | kNegotiate56;

// AV_PAIR ids, [MS-NLMP] 2.2.2.1.
enum class AvId : std::uint16_t {
  Eol = 0,
  NbComputerName = 1,
  NbDomainName = 2,
  DnsComputerName = 3,
  DnsDomainName = 4,
  DnsTreeName = 5,
  Flags = 6,
  Timestamp = 7,
  SingleHost = 8,
  TargetName = 9,
  ChannelBindings = 10,
};
// MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC (2.2.2.1).
inline constexpr std::uint32_t kAvFlagMicPresent = 0x00000002;

enum class Error : std::uint8_t {
  CryptoUnavailable,  // OpenSSL legacy provider (MD4, RC4) could not be loaded
  BadUtf8,            // input string is not valid UTF-8
  BadString,          // a message string is not valid UTF-16LE (or non-ASCII OEM)
  TooLong,            // a field would not fit its 16-bit length
  Truncated,          // message shorter than its fixed part
  NotNtlmssp,         // Signature is not "NTLMSSP\0"
  WrongMessageType,   // MessageType is not the one expected
  FieldOutOfRange,    // a payload field or AV pair lies outside the message
  NotNtlmV2,          // NtChallengeResponse is not an NTLMv2_RESPONSE
  ProofMismatch,      // NTProofStr does not match: wrong password, user, domain or challenge
  MissingSessionKey,  // KEY_EXCH negotiated but EncryptedRandomSessionKey is not 16 bytes
  NoExtendedSessionSecurity,  // signing keys need ESS, which was not negotiated
};
std::string_view to_string(Error e);

// A value or an Error ([MS-NLMP] gives no error codes of its own here).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, error) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  Error error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Whether MD4 and RC4 are usable (the legacy provider loaded); for a startup check.
bool crypto_available();

// UTF-8 <-> UTF-16LE (surrogate pairs for code points above U+FFFF). Malformed
// input (overlong forms, surrogates in UTF-8, unpaired surrogates in UTF-16,
// odd byte count) gives nullopt.
std::optional<Bytes> to_utf16le(std::string_view utf8);
std::optional<std::string> from_utf16le(std::span<const std::uint8_t> utf16);

// Lower-case hex of `bytes`, and its inverse for a 16-byte key (32 hex digits,
// either case; nullopt otherwise).
std::string to_hex(std::span<const std::uint8_t> bytes);
std::optional<Key> key_from_hex(std::string_view hex);

// NTOWFv1 = MD4(UTF-16LE(password)), [MS-NLMP] 3.3.1: the "NT hash" the user
// store keeps. Errors: BadUtf8, CryptoUnavailable.
Result<Key> nt_hash(std::string_view password_utf8);

// NTOWFv2 = HMAC_MD5(NTOWFv1, UTF-16LE(Uppercase(user) + domain)), 3.3.2. Only
// ASCII letters of `user` are upper-cased (as pidgin-sipe does; Windows also
// upper-cases other letters, so non-ASCII user names may not verify). `domain`
// is used as given. Errors: BadUtf8, CryptoUnavailable.
Result<Key> ntowf_v2(const Key& nt_hash, std::string_view user, std::string_view domain);

// Product version of a VERSION structure, 2.2.2.10. NTLMRevisionCurrent is 0x0F.
struct Version {
  std::uint8_t major = 6;
  std::uint8_t minor = 1;
  std::uint16_t build = 7601;
};

// ---- CHALLENGE_MESSAGE, [MS-NLMP] 2.2.1.2 ---------------------------------------

struct ChallengeParams {
  ServerChallenge server_challenge{};  // 8 random bytes, from the caller
  std::uint32_t flags = kConnectionlessChallengeFlags;
  std::string target_name;   // TargetName payload, e.g. the NetBIOS domain; empty: none
  std::string nb_domain;     // MsvAvNbDomainName (always written)
  std::string nb_computer;   // MsvAvNbComputerName (always written)
  std::string dns_domain;    // MsvAvDnsDomainName; empty: omitted
  std::string dns_computer;  // MsvAvDnsComputerName; empty: omitted
  std::optional<std::uint64_t> timestamp;  // MsvAvTimestamp (FILETIME); nullopt: omitted
  Version version;                         // written when kNegotiateVersion is in flags
};

// Layout: the 56-byte fixed part, then TargetName, then TargetInfo (AV pairs in
// the order NbDomainName, NbComputerName, DnsDomainName, DnsComputerName,
// Timestamp, EOL). TargetInfo is written only when kNegotiateTargetInfo is set.
// A TargetInfo with MsvAvTimestamp asks Windows clients for a MIC (3.1.5.1.2).
// Errors: BadUtf8, TooLong.
Result<Bytes> build_challenge(const ChallengeParams& p);

struct Challenge {
  std::uint32_t flags = 0;
  ServerChallenge server_challenge{};
  std::string target_name;  // UTF-8
  Bytes target_info;        // raw AV pairs, as the client copies them into its response
  std::optional<std::uint64_t> timestamp;  // MsvAvTimestamp if present
};
// Strictly bounds-checked. Errors: Truncated, NotNtlmssp, WrongMessageType,
// FieldOutOfRange, BadString.
Result<Challenge> parse_challenge(std::span<const std::uint8_t> message);

// ---- AUTHENTICATE_MESSAGE, [MS-NLMP] 2.2.1.3 ------------------------------------

struct Authenticate {
  std::uint32_t flags = 0;      // NegotiateFlags as the client sent them: use these for keys
  std::string user;             // UTF-8, exactly as sent ("alice", "alice@example.com", ...)
  std::string domain;           // UTF-8, exactly as sent; empty for user@domain logons
  std::string workstation;      // UTF-8
  Bytes lm_response;            // LmChallengeResponse (24 bytes, or empty)
  Bytes nt_response;            // NtChallengeResponse (NTLMv2_RESPONSE when > 24 bytes)
  Bytes encrypted_session_key;  // EncryptedRandomSessionKey (16 bytes with KEY_EXCH)
  std::optional<std::array<std::uint8_t, 8>> version;  // VERSION, when present
  std::optional<Key> mic;  // MIC, when the NTLMv2 response's MsvAvFlags says so
};
// Fuzz-safe: every length and offset is checked against the message (in 64-bit
// arithmetic); non-empty payload fields must lie after the fixed part (64 bytes,
// 72 with VERSION, 88 with a MIC). Strings are UTF-16LE with
// NTLMSSP_NEGOTIATE_UNICODE, else ASCII only. Errors: Truncated, NotNtlmssp,
// WrongMessageType, FieldOutOfRange, BadString.
Result<Authenticate> parse_authenticate(std::span<const std::uint8_t> message);

// NTLMv2_RESPONSE, 2.2.2.8, with its NTLMv2_CLIENT_CHALLENGE (2.2.2.7).
struct NtlmV2Response {
  std::array<std::uint8_t, 16> nt_proof{};  // NTProofStr
  std::uint8_t resp_type = 0;               // 1
  std::uint8_t hi_resp_type = 0;            // 1
  std::uint64_t timestamp = 0;              // FILETIME, the client's (or the challenge's) time
  ClientChallenge client_challenge{};
  Bytes av_pairs;                         // up to and including MsvAvEOL
  std::optional<std::uint32_t> av_flags;  // MsvAvFlags, if present
};
// Errors: NotNtlmV2 (shorter than 16 + 28 bytes), FieldOutOfRange (AV pairs run
// past the end or lack MsvAvEOL).
Result<NtlmV2Response> parse_ntlmv2_response(std::span<const std::uint8_t> nt_response);

// ---- Verification, [MS-NLMP] 3.3.2 and 3.2.5.2.2 ---------------------------------

struct SessionResult {
  Key session_base_key;      // HMAC_MD5(ResponseKeyNT, NTProofStr)
  Key key_exchange_key;      // KXKEY: the session base key for NTLMv2 (3.4.5.1)
  Key exported_session_key;  // RC4K(KeyExchangeKey, EncryptedRandomSessionKey) with
                             // KEY_EXCH, else the key exchange key
};

// Checks the NTLMv2 response of `msg` against the server challenge it answers,
// with ResponseKeyNT = NTOWFv2(nt_hash, msg.user, msg.domain): the user and
// domain exactly as the message has them. A client that logs on as DOMAIN\user
// sends domain "DOMAIN", one that logs on as user@domain sends that whole string
// as the user and an empty domain; the caller maps either to a store user and
// passes that user's NT hash. The NTProofStr is compared in constant time.
// Errors: NotNtlmV2, ProofMismatch, MissingSessionKey, BadUtf8, CryptoUnavailable.
Result<SessionResult> verify_ntlmv2(const Authenticate& msg, const Key& nt_hash,
                                    const ServerChallenge& server_challenge);
// The same with ResponseKeyNT given (from ntowf_v2() with other user/domain strings).
Result<SessionResult> verify_ntlmv2_with_key(const Authenticate& msg, const Key& response_key_nt,
                                             const ServerChallenge& server_challenge);

// MIC = HMAC_MD5(ExportedSessionKey, negotiate || challenge || authenticate with
// its MIC field zeroed), 3.1.5.1.2 / 3.2.5.1.2; `negotiate` is empty in
// connectionless mode. Errors: FieldOutOfRange (authenticate shorter than 88
// bytes), CryptoUnavailable.
Result<Key> compute_mic(const Key& exported_session_key, std::span<const std::uint8_t> negotiate,
                        std::span<const std::uint8_t> challenge,
                        std::span<const std::uint8_t> authenticate);

// ---- Client side (tests, interop clients), [MS-NLMP] 3.1.5.1.2 -------------------

struct AuthenticateParams {
  std::uint32_t flags = 0;  // the NegotiateFlags to send
  std::string user;
  std::string domain;
  std::string workstation;
  Key nt_hash{};
  ServerChallenge server_challenge{};
  ClientChallenge client_challenge{};
  std::uint64_t timestamp = 0;     // FILETIME for the NTLMv2 blob
  Bytes target_info;               // the CHALLENGE's TargetInfo, copied into the blob
  Key random_session_key{};        // encrypted into the message with KEY_EXCH
  std::optional<Version> version;  // VERSION field; nullopt: none (payload at 64)
};
// Payload order: DomainName, UserName, Workstation, LmChallengeResponse (LMv2),
// NtChallengeResponse (NTLMv2, blob = 0x0101, Z(6), time, client challenge,
// Z(4), target_info, Z(4)), EncryptedRandomSessionKey. No MIC. Errors: BadUtf8,
// TooLong, CryptoUnavailable.
Result<Bytes> build_authenticate(const AuthenticateParams& p);

// ---- Session security, [MS-NLMP] 3.4 ----------------------------------------------

enum class Side : std::uint8_t { Client, Server };

// SIGNKEY, 3.4.5.2: MD5(key || "session key to {client-to-server|server-to-client}
// signing key magic constant\0").
Result<Key> sign_key(const Key& exported_session_key, Side side);
// SEALKEY with Extended Session Security, 3.4.5.3: the exported key cut to 16, 7
// or 5 bytes by NEGOTIATE_128 / 56 / neither, then MD5 with the sealing magic
// constant. Errors: NoExtendedSessionSecurity, CryptoUnavailable.
Result<Key> seal_key(const Key& exported_session_key, std::uint32_t flags, Side side);

// The keys for messages sent by one side, and the negotiated flags that shape
// the MAC (KEY_EXCH: checksum sealed with RC4; DATAGRAM: RC4 rekeyed per message).
struct DirectionKeys {
  Key signing{};
  Key sealing{};
  std::uint32_t flags = 0;
};
struct SessionKeys {
  DirectionKeys client;  // client-to-server: verify the client's messages with these
  DirectionKeys server;  // server-to-client: sign the server's messages with these
};
// Errors: NoExtendedSessionSecurity, CryptoUnavailable.
Result<SessionKeys> derive_session_keys(const Key& exported_session_key, std::uint32_t flags);

// An RC4 key stream ([MS-NLMP] 6, RC4Init / RC4(handle, ...)), for
// connection-oriented sealing where one stream runs across messages.
class Rc4 {
 public:
  // Any key length from 1 to 256 bytes. Errors: CryptoUnavailable.
  static Result<Rc4> create(std::span<const std::uint8_t> key);
  ~Rc4();
  Rc4(Rc4&&) noexcept;
  Rc4& operator=(Rc4&&) noexcept;
  // XORs `data` in place with the next data.size() bytes of the stream. False
  // only if OpenSSL fails (the stream is then unusable).
  [[nodiscard]] bool apply(std::span<std::uint8_t> data);

 private:
  struct Free {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  explicit Rc4(evp_cipher_ctx_st* ctx) : ctx_(ctx) {}
  std::unique_ptr<evp_cipher_ctx_st, Free> ctx_;
};

// MAC with Extended Session Security, 3.4.4.2: Version 1, Checksum =
// HMAC_MD5(signing_key, SeqNum(LE32) || message)[0..7], passed through `handle`
// when it is non-null (KEY_EXCH), SeqNum. Errors: CryptoUnavailable.
Result<Signature> mac(const Key& signing_key, Rc4* handle, std::uint32_t seq_num,
                      std::string_view message);

// The signature of one message in connectionless mode. With DATAGRAM in
// keys.flags the RC4 handle is initialised for this message alone from
// SealingKey' = MD5(SealingKey || SeqNum(LE32)) (3.4.3); without it, from the
// sealing key itself (right only for the first message of a connection-oriented
// session). The checksum is RC4-sealed only with KEY_EXCH. [MS-SIPAE] uses
// seq_num 100 for every message in both directions. Errors: CryptoUnavailable,
// NoExtendedSessionSecurity.
Result<Signature> sign(const DirectionKeys& keys, std::uint32_t seq_num, std::string_view message);
// Recomputes the signature and compares all 16 bytes in constant time. False on
// any mismatch, a signature of the wrong length, or a crypto failure.
bool verify(const DirectionKeys& keys, std::uint32_t seq_num, std::string_view message,
            std::span<const std::uint8_t> signature);

}  // namespace parley::sip::auth::ntlm
