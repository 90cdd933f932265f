#include "sip/auth/ntlm.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace parley::sip::auth::ntlm {
namespace {

// Hex (spaces allowed, either case) to bytes.
Bytes hex(std::string_view text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    if (c == ' ') continue;
    const int v =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}
template <std::size_t N>
std::array<std::uint8_t, N> arr(std::string_view text) {
  Bytes b = hex(text);
  EXPECT_EQ(b.size(), N) << text;
  std::array<std::uint8_t, N> a{};
  std::copy_n(b.begin(), std::min(N, b.size()), a.begin());
  return a;
}
std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// ---- [MS-NLMP] 4.2.1 common values -------------------------------------------------
const Key kRandomSessionKey = arr<16>("55555555555555555555555555555555");
const ServerChallenge kServerChallenge = arr<8>("0123456789abcdef");
const ClientChallenge kClientChallenge = arr<8>("aaaaaaaaaaaaaaaa");
// "Plaintext" in UTF-16LE, the GSS_WrapEx input of 4.2.2.4 / 4.2.3.4 / 4.2.4.4.
const std::string kPlaintext = str(hex("50006c00610069006e007400650078007400"));

// [MS-NLMP] 4.2.4.3: the NTLMv2 CHALLENGE_MESSAGE and AUTHENTICATE_MESSAGE.
const Bytes kChallenge4243 =
    hex("4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef0000000000000000"
        "2400240044000000060070170000000f530065007200760065007200"
        "02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000");
const Bytes kAuthenticate4243 =
    hex("4e544c4d5353500003000000180018006c00000054005400840000000c000c0048000000"
        "0800080054000000100010005c00000010001000d8000000358288e20501280a0000000f"
        "44006f006d00610069006e00550073006500720043004f004d0050005500540045005200"
        "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
        "68cd0ab851e51c96aabc927bebef6a1c01010000000000000000000000000000aaaaaaaaaaaaaaaa"
        "0000000002000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000"
        "c5dad2544fc9799094ce1ce90bc9d03e");
// The TargetInfo of that challenge: MsvAvNbDomainName "Domain", MsvAvNbComputerName
// "Server", MsvAvEOL.
const Bytes kTargetInfo4243 =
    hex("02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000");

Key password_hash() { return nt_hash("Password").value(); }

TEST(Ntlm, CryptoIsAvailable) { EXPECT_TRUE(crypto_available()); }

// ---- Text ---------------------------------------------------------------------------

TEST(NtlmText, Utf16LeIncludingSurrogatePairs) {
  // U+00E4 and U+1D11E (a surrogate pair in UTF-16: D834 DD1E).
  auto u = to_utf16le("P\xc3\xa4ss\xf0\x9d\x84\x9eword");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, hex("5000e4007300730034d81edd77006f0072006400"));
  EXPECT_EQ(from_utf16le(*u), "P\xc3\xa4ss\xf0\x9d\x84\x9eword");
  EXPECT_EQ(to_utf16le(""), Bytes{});
}

TEST(NtlmText, RejectsMalformedText) {
  for (std::string_view bad :
       {std::string_view("\x80"), std::string_view("\xc0\xaf"),  // overlong
        std::string_view("\xe0\x80\xaf"), std::string_view("\xed\xa0\x80"),
        std::string_view("\xf4\x90\x80\x80"), std::string_view("\xe2\x82")}) {
    EXPECT_FALSE(to_utf16le(bad).has_value());
  }
  EXPECT_FALSE(from_utf16le(hex("4100 42")).has_value());    // odd length
  EXPECT_FALSE(from_utf16le(hex("34d8 4100")).has_value());  // high surrogate, no low
  EXPECT_FALSE(from_utf16le(hex("1edd")).has_value());       // lone low surrogate
  EXPECT_FALSE(from_utf16le(hex("34d8")).has_value());       // truncated pair
}

TEST(NtlmText, Hex) {
  EXPECT_EQ(to_hex(hex("00ff10ab")), "00ff10ab");
  auto k = key_from_hex("A4F49C406510BDCAB6824EE7C30FD852");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(to_hex(*k), "a4f49c406510bdcab6824ee7c30fd852");
  EXPECT_FALSE(key_from_hex("a4f49c406510bdcab6824ee7c30fd85").has_value());
  EXPECT_FALSE(key_from_hex("g4f49c406510bdcab6824ee7c30fd852").has_value());
}

// ---- NTOWFv1 -------------------------------------------------------------------------

TEST(NtHash, MsNlmp4_2_2_1_2_NtowfV1) {
  EXPECT_EQ(to_hex(password_hash()), "a4f49c406510bdcab6824ee7c30fd852");
}

TEST(NtHash, NonBmpPasswordAndBadUtf8) {
  // MD4 of the UTF-16LE bytes above, from `iconv -t UTF-16LE | openssl dgst -md4`.
  auto h = nt_hash("P\xc3\xa4ss\xf0\x9d\x84\x9eword");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(to_hex(*h), "b51b6b9bc89b98f4dd04e48f1a4ba581");
  auto bad = nt_hash("\xff");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Error::BadUtf8);
}

// ---- [MS-NLMP] 4.2.2 NTLMv1 and 4.2.3 NTLMv1 with ESS: the RC4 and key pieces ----------

TEST(NtlmV1Vectors, MsNlmp4_2_2_EncryptedSessionKeyAndSealedData) {
  // 4.2.2.2.3: RC4K(KeyExchangeKey = SessionBaseKey d872..., RandomSessionKey).
  auto h = Rc4::create(hex("d87262b0cde4b1cb7499becccdf10784"));
  ASSERT_TRUE(h.ok());
  Key k = kRandomSessionKey;
  ASSERT_TRUE(std::move(h).value().apply(k));
  EXPECT_EQ(to_hex(k), "518822b1b3f350c8958682ecbb3e3cb7");
  // 4.2.2.4: the sealing key is the RandomSessionKey; Data.
  auto seal = Rc4::create(kRandomSessionKey);
  ASSERT_TRUE(seal.ok());
  Bytes data(kPlaintext.begin(), kPlaintext.end());
  ASSERT_TRUE(seal.value().apply(data));
  EXPECT_EQ(to_hex(data), "56fe04d861f9319af0d7238a2e3b4d457fb8");
}

TEST(NtlmV1Vectors, MsNlmp4_2_3_4_EssSigningWithoutKeyExchange) {
  constexpr std::uint32_t kFlags = 0x820a8233;  // 4.2.3: ESS, 56, no 128, no KEY_EXCH
  const Key kxk = arr<16>("eb93429a8bd952f8b89c55b87f475edc");  // 4.2.3.1.3
  auto signing = sign_key(kxk, Side::Client);
  auto sealing = seal_key(kxk, kFlags, Side::Client);
  ASSERT_TRUE(signing.ok() && sealing.ok());
  EXPECT_EQ(to_hex(*signing), "60e799be5c72fc92922ae8ebe961fb8d");
  EXPECT_EQ(to_hex(*sealing), "04dd7f014d8504d265a25cc86a3a7c06");  // 56-bit SEALKEY
  auto rc4 = Rc4::create(*sealing);
  Bytes data(kPlaintext.begin(), kPlaintext.end());
  ASSERT_TRUE(rc4.ok() && rc4.value().apply(data));
  EXPECT_EQ(to_hex(data), "a02372f6530273f3aa1eb90190ce5200c99d");
  auto sig = sign(DirectionKeys{*signing, *sealing, kFlags}, 0, kPlaintext);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(to_hex(*sig), "01000000ff2aeb52f681793a00000000");
}

// ---- [MS-NLMP] 4.2.4 NTLMv2 ------------------------------------------------------------

TEST(NtlmV2Vectors, MsNlmp4_2_4_1_1_NtowfV2) {
  auto k = ntowf_v2(password_hash(), "User", "Domain");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(to_hex(*k), "0c868a403bfd7a93a3001ef22ef02e3f");
  // Uppercase(User): the user's case does not matter, the domain's does.
  EXPECT_EQ(ntowf_v2(password_hash(), "uSeR", "Domain").value(), *k);
  EXPECT_NE(ntowf_v2(password_hash(), "User", "DOMAIN").value(), *k);
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_3_BuildsTheChallengeMessage) {
  ChallengeParams p;
  p.server_challenge = kServerChallenge;
  p.flags = 0xe28a8233;  // 4.2.4 challenge flags
  p.target_name = "Server";
  p.nb_domain = "Domain";
  p.nb_computer = "Server";
  p.version = Version{6, 0, 6000};
  auto c = build_challenge(p);
  ASSERT_TRUE(c.ok()) << to_string(c.error());
  EXPECT_EQ(to_hex(*c), to_hex(kChallenge4243));
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_3_ParsesTheChallengeMessage) {
  auto c = parse_challenge(kChallenge4243);
  ASSERT_TRUE(c.ok()) << to_string(c.error());
  EXPECT_EQ(c->flags, 0xe28a8233u);
  EXPECT_EQ(c->server_challenge, kServerChallenge);
  EXPECT_EQ(c->target_name, "Server");
  EXPECT_EQ(c->target_info, kTargetInfo4243);
  EXPECT_FALSE(c->timestamp.has_value());
}

AuthenticateParams client_4_2_4() {
  AuthenticateParams p;
  p.flags = 0xe2888235;  // as in the 4.2.4.3 AUTHENTICATE_MESSAGE
  p.user = "User";
  p.domain = "Domain";
  p.workstation = "COMPUTER";
  p.nt_hash = password_hash();
  p.server_challenge = kServerChallenge;
  p.client_challenge = kClientChallenge;
  p.timestamp = 0;
  p.target_info = kTargetInfo4243;
  p.random_session_key = kRandomSessionKey;
  p.version = Version{5, 1, 2600};
  return p;
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_3_BuildsTheAuthenticateMessage) {
  auto a = build_authenticate(client_4_2_4());
  ASSERT_TRUE(a.ok()) << to_string(a.error());
  EXPECT_EQ(to_hex(*a), to_hex(kAuthenticate4243));
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_ParsesTheAuthenticateMessage) {
  auto a = parse_authenticate(kAuthenticate4243);
  ASSERT_TRUE(a.ok()) << to_string(a.error());
  EXPECT_EQ(a->flags, 0xe2888235u);
  EXPECT_EQ(a->user, "User");
  EXPECT_EQ(a->domain, "Domain");
  EXPECT_EQ(a->workstation, "COMPUTER");
  // 4.2.4.2.1 LMv2 response.
  EXPECT_EQ(to_hex(a->lm_response), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  // 4.2.4.2.3 encrypted session key.
  EXPECT_EQ(to_hex(a->encrypted_session_key), "c5dad2544fc9799094ce1ce90bc9d03e");
  ASSERT_TRUE(a->version.has_value());
  EXPECT_EQ(to_hex(*a->version), "0501280a0000000f");
  EXPECT_FALSE(a->mic.has_value());

  auto v2 = parse_ntlmv2_response(a->nt_response);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(to_hex(v2->nt_proof), "68cd0ab851e51c96aabc927bebef6a1c");  // 4.2.4.2.2
  EXPECT_EQ(v2->resp_type, 1);
  EXPECT_EQ(v2->hi_resp_type, 1);
  EXPECT_EQ(v2->timestamp, 0u);
  EXPECT_EQ(v2->client_challenge, kClientChallenge);
  EXPECT_EQ(v2->av_pairs, kTargetInfo4243);
  EXPECT_FALSE(v2->av_flags.has_value());
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_VerifiesAndRecoversTheSessionKey) {
  auto a = parse_authenticate(kAuthenticate4243).value();
  auto r = verify_ntlmv2(a, password_hash(), kServerChallenge);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(to_hex(r->session_base_key), "8de40ccadbc14a82f15cb0ad0de95ca3");  // 4.2.4.1.2
  EXPECT_EQ(r->key_exchange_key, r->session_base_key);
  EXPECT_EQ(r->exported_session_key, kRandomSessionKey);  // 4.2.1 RandomSessionKey

  EXPECT_EQ(verify_ntlmv2(a, nt_hash("password").value(), kServerChallenge).error(),
            Error::ProofMismatch);
  ServerChallenge other = kServerChallenge;
  other[7] ^= 1;
  EXPECT_EQ(verify_ntlmv2(a, password_hash(), other).error(), Error::ProofMismatch);
  Authenticate renamed = a;
  renamed.domain = "DOMAIN";  // the domain enters NTOWFv2 as written
  EXPECT_EQ(verify_ntlmv2(renamed, password_hash(), kServerChallenge).error(),
            Error::ProofMismatch);
  // The caller may supply ResponseKeyNT computed from other strings.
  auto key = ntowf_v2(password_hash(), "USER", "Domain").value();
  EXPECT_TRUE(verify_ntlmv2_with_key(renamed, key, kServerChallenge).ok());

  Authenticate no_key = a;
  no_key.encrypted_session_key.clear();
  EXPECT_EQ(verify_ntlmv2(no_key, password_hash(), kServerChallenge).error(),
            Error::MissingSessionKey);
  Authenticate v1 = a;
  v1.nt_response.resize(24);
  EXPECT_EQ(verify_ntlmv2(v1, password_hash(), kServerChallenge).error(), Error::NotNtlmV2);
}

TEST(NtlmV2Vectors, MsNlmp4_2_4_4_GssWrapEx) {
  constexpr std::uint32_t kFlags = 0xe28a8233;
  auto signing = sign_key(kRandomSessionKey, Side::Client);
  auto sealing = seal_key(kRandomSessionKey, kFlags, Side::Client);
  ASSERT_TRUE(signing.ok() && sealing.ok());
  EXPECT_EQ(to_hex(*signing), "4788dc861b4782f35d43fd98fe1a2d39");
  EXPECT_EQ(to_hex(*sealing), "59f600973cc4960a25480a7c196e4c58");

  // Connection-oriented SEAL: one RC4 stream seals the data, then the checksum.
  auto handle = Rc4::create(*sealing);
  ASSERT_TRUE(handle.ok());
  Bytes data(kPlaintext.begin(), kPlaintext.end());
  ASSERT_TRUE(handle.value().apply(data));
  EXPECT_EQ(to_hex(data), "54e50165bf1936dc996020c1811b0f06fb5f");
  auto sig = mac(*signing, &handle.value(), 0, kPlaintext);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(to_hex(*sig), "010000007fb38ec5c55d497600000000");
  // The checksum before RC4: HMAC_MD5(SigningKey, SeqNum || Message)[0..7].
  EXPECT_EQ(to_hex(mac(*signing, nullptr, 0, kPlaintext).value()),
            "0100000070352851f256430900000000");
}

// ---- A real exchange: Office Communicator 2007 R2 and OCS 2007 R2 -----------------------
// User "User", domain "COSMO", password "Pa$$word"; messages as captured and
// published in pidgin-sipe's sip-sec-ntlm-tests.c.

const Bytes kOcsChallenge =
    hex("4E544C4D53535000020000000000000038000000F38298E2DD1BAAF4E7E218D10000000000000000"
        "96009600380000000502CE0E0000000F02000A0043004F0053004D004F000100180043004F005300"
        "4D004F002D004F00430053002D00520032000400160063006F0073006D006F002E006C006F006300"
        "61006C000300300063006F0073006D006F002D006F00630073002D00720032002E0063006F007300"
        "6D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C006F0063006100"
        "6C0000000000");
const Bytes kOcsAuthenticate =
    hex("4E544C4D53535000030000001800180072000000C600C6008A0000000A000A004800000008000800"
        "52000000180018005A0000001000100050010000558298620502CE0E0000000F43004F0053004D00"
        "4F00550073006500720043004F0053004D004F002D004F00430053002D0052003200A1E92EFE4E07"
        "8BF7C5C0049ACC6166C2D6AE875CB0FDAA418DC0C800AE76ECA606D2B9FBEBD04731010100000000"
        "000059519A1727B9CA01D6AE875CB0FDAA410000000002000A0043004F0053004D004F0001001800"
        "43004F0053004D004F002D004F00430053002D00520032000400160063006F0073006D006F002E00"
        "6C006F00630061006C000300300063006F0073006D006F002D006F00630073002D00720032002E00"
        "63006F0073006D006F002E006C006F00630061006C000500160063006F0073006D006F002E006C00"
        "6F00630061006C00000000000000000031CB739E1CA80A498591E8AE797115E4");

TEST(NtlmOcs2007R2, ParsesVerifiesAndSigns) {
  auto c = parse_challenge(kOcsChallenge);
  ASSERT_TRUE(c.ok()) << to_string(c.error());
  EXPECT_EQ(c->flags, 0xe29882f3u);
  EXPECT_EQ(to_hex(c->server_challenge), "dd1baaf4e7e218d1");
  EXPECT_EQ(c->target_name, "");
  EXPECT_EQ(c->target_info.size(), 150u);

  auto a = parse_authenticate(kOcsAuthenticate);
  ASSERT_TRUE(a.ok()) << to_string(a.error());
  EXPECT_EQ(a->flags, 0x62988255u);  // DATAGRAM, SIGN, KEY_EXCH, ESS, 128, not 56
  EXPECT_EQ(a->user, "User");
  EXPECT_EQ(a->domain, "COSMO");
  EXPECT_EQ(a->workstation, "COSMO-OCS-R2");
  EXPECT_FALSE(a->mic.has_value());
  auto v2 = parse_ntlmv2_response(a->nt_response).value();
  EXPECT_EQ(v2.av_pairs, c->target_info);  // the client copied the TargetInfo

  auto r = verify_ntlmv2(*a, nt_hash("Pa$$word").value(), c->server_challenge);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  auto keys = derive_session_keys(r->exported_session_key, a->flags);
  ASSERT_TRUE(keys.ok());

  // The signed strings of the REGISTER and its 200 OK ([MS-SIPAE] version 4),
  // signed with SeqNum 100 and the per-message RC4 key of connectionless mode.
  const std::string request =
      "<NTLM><13317733><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local>"
      "<4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52>"
      "<sip:user@cosmo.local><><><><>";
  const std::string response =
      "<NTLM><9616454F><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local>"
      "<4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52>"
      "<sip:user@cosmo.local><5E61CCD925D17E043D9A74835A88F664><><><7200><200>";
  auto client_sig = sign(keys->client, 100, request);
  ASSERT_TRUE(client_sig.ok());
  EXPECT_EQ(to_hex(*client_sig), "0100000029618e9651b65a7764000000");
  EXPECT_TRUE(verify(keys->server, 100, response, hex("01000000E615438A917661BE64000000")));
  EXPECT_FALSE(verify(keys->client, 100, response, hex("01000000E615438A917661BE64000000")));
  EXPECT_FALSE(verify(keys->server, 101, response, hex("01000000E615438A917661BE64000000")));
}

// ---- Round trip: Parley's challenge, a sipe-like client, verification, signing ----------

// The flags pidgin-sipe answers a challenge with (sip_sec_ntlm_gen_authenticate).
std::uint32_t sipe_answer(std::uint32_t challenge_flags) {
  constexpr std::uint32_t kAccepted = kNegotiateUnicode | kNegotiateNtlm | kNegotiateAlwaysSign |
                                      kNegotiateExtendedSessionSecurity | kNegotiateTargetInfo |
                                      kNegotiateVersion | kNegotiate128 | kNegotiate56 |
                                      kRequestTarget | kNegotiateSign | kNegotiateDatagram |
                                      kNegotiateIdentify | kNegotiateKeyExch;
  std::uint32_t f = (challenge_flags & kAccepted) | kRequestTarget;
  if (f & kNegotiate128) f &= ~kNegotiate56;
  return f;
}

ChallengeParams parley_challenge() {
  ChallengeParams p;
  p.server_challenge = kServerChallenge;
  p.target_name = "PARLEY";
  p.nb_domain = "PARLEY";
  p.nb_computer = "FE1";
  p.dns_domain = "parley.test";
  p.dns_computer = "fe1.parley.test";
  p.timestamp = 0x01d9a1b2c3d4e5f6;
  return p;
}

TEST(NtlmRoundTrip, ParleyChallengeSatisfiesSipeAndVerifies) {
  EXPECT_EQ(kConnectionlessChallengeFlags, 0xe2998255u);
  auto built = build_challenge(parley_challenge());
  ASSERT_TRUE(built.ok());
  auto c = parse_challenge(*built);
  ASSERT_TRUE(c.ok()) << to_string(c.error());
  EXPECT_EQ(c->flags, kConnectionlessChallengeFlags);
  EXPECT_EQ(c->target_name, "PARLEY");
  EXPECT_EQ(c->timestamp, 0x01d9a1b2c3d4e5f6u);

  for (auto [user, domain] :
       {std::pair<std::string, std::string>{"User", "Domain"}, {"alice@parley.test", ""}}) {
    AuthenticateParams p = client_4_2_4();
    p.flags = sipe_answer(c->flags);
    p.user = user;
    p.domain = domain;
    p.workstation = "LAPTOP";
    p.target_info = c->target_info;
    p.timestamp = *c->timestamp;
    auto msg = build_authenticate(p);
    ASSERT_TRUE(msg.ok());
    auto a = parse_authenticate(*msg);
    ASSERT_TRUE(a.ok()) << to_string(a.error());
    EXPECT_EQ(a->user, user);
    EXPECT_EQ(a->domain, domain);
    auto r = verify_ntlmv2(*a, password_hash(), kServerChallenge);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->exported_session_key, kRandomSessionKey);

    auto keys = derive_session_keys(r->exported_session_key, a->flags).value();
    auto sig = sign(keys.client, 100, "<NTLM><1a2b3c4d><1>...").value();
    EXPECT_EQ(to_hex(std::span(sig).first(4)), "01000000");
    EXPECT_EQ(to_hex(std::span(sig).last(4)), "64000000");
    EXPECT_TRUE(verify(keys.client, 100, "<NTLM><1a2b3c4d><1>...", sig));
    EXPECT_FALSE(verify(keys.client, 100, "<NTLM><1a2b3c4d><2>...", sig));
    EXPECT_FALSE(verify(keys.server, 100, "<NTLM><1a2b3c4d><1>...", sig));
    EXPECT_FALSE(verify(keys.client, 100, "<NTLM><1a2b3c4d><1>...", std::span(sig).first(15)));
  }
}

TEST(NtlmRoundTrip, MicIsComputedOverTheMessagesWithTheMicZeroed) {
  Bytes auth(100, 0x11);
  auto m1 = compute_mic(kRandomSessionKey, {}, kChallenge4243, auth);
  ASSERT_TRUE(m1.ok());
  std::fill(auth.begin() + 72, auth.begin() + 88, 0x22);  // the MIC field does not count
  EXPECT_EQ(compute_mic(kRandomSessionKey, {}, kChallenge4243, auth).value(), *m1);
  auth[90] = 0;
  EXPECT_NE(compute_mic(kRandomSessionKey, {}, kChallenge4243, auth).value(), *m1);
  EXPECT_EQ(compute_mic(kRandomSessionKey, {}, kChallenge4243, Bytes(87)).error(),
            Error::FieldOutOfRange);
}

TEST(NtlmKeys, NeedExtendedSessionSecurity) {
  EXPECT_EQ(seal_key(kRandomSessionKey, kNegotiate128, Side::Client).error(),
            Error::NoExtendedSessionSecurity);
  EXPECT_EQ(derive_session_keys(kRandomSessionKey, 0).error(), Error::NoExtendedSessionSecurity);
  EXPECT_EQ(sign(DirectionKeys{}, 0, "x").error(), Error::NoExtendedSessionSecurity);
  EXPECT_FALSE(verify(DirectionKeys{}, 0, "x", Bytes(16)));
}

// ---- Malformed AUTHENTICATE_MESSAGEs --------------------------------------------------

Bytes patched(Bytes m, std::size_t at, std::initializer_list<std::uint8_t> values) {
  for (std::uint8_t v : values) m.at(at++) = v;
  return m;
}

TEST(NtlmMalformed, AuthenticateTable) {
  const Bytes& good = kAuthenticate4243;
  struct Case {
    const char* what;
    Bytes message;
    Error error;
  };
  const Case cases[] = {
      {"empty", {}, Error::Truncated},
      {"signature only", Bytes(good.begin(), good.begin() + 11), Error::Truncated},
      {"fixed part cut", Bytes(good.begin(), good.begin() + 63), Error::Truncated},
      {"payload cut", Bytes(good.begin(), good.end() - 1), Error::FieldOutOfRange},
      {"bad signature", patched(good, 0, {'X'}), Error::NotNtlmssp},
      {"challenge type", patched(good, 8, {2}), Error::WrongMessageType},
      {"type high byte", patched(good, 11, {1}), Error::WrongMessageType},
      {"lm offset past end", patched(good, 16, {0xe8, 0x00}), Error::FieldOutOfRange},
      {"nt length past end", patched(good, 20, {0xff, 0xff}), Error::FieldOutOfRange},
      {"user offset overflows", patched(good, 40, {0xff, 0xff, 0xff, 0xff}),
       Error::FieldOutOfRange},
      {"domain offset in header", patched(good, 32, {0x10, 0x00}), Error::FieldOutOfRange},
      {"key offset 2^32-8", patched(good, 56, {0xf8, 0xff, 0xff, 0xff}), Error::FieldOutOfRange},
      {"odd unicode user", patched(good, 36, {0x07}), Error::BadString},
      {"unpaired surrogate", patched(good, 84, {0x00, 0xd8}), Error::BadString},
      {"oem non-ascii", patched(patched(good, 60, {0x34}), 84, {0xe9}), Error::BadString},
      {"av pair past end", patched(good, 178, {0xff, 0x00}), Error::FieldOutOfRange},
      // MsvAvFlags with the MIC bit, but the payload starts at 72: no room for it.
      {"mic without room",
       patched(good, 176, {0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}),
       Error::FieldOutOfRange},
  };
  for (const Case& c : cases) {
    auto r = parse_authenticate(c.message);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error(), c.error) << c.what << ": " << to_string(r.error());
  }
}

TEST(NtlmMalformed, EveryTruncationAndByteFlipIsSafe) {
  for (const Bytes* good : {&kAuthenticate4243, &kOcsAuthenticate}) {
    for (std::size_t n = 0; n < good->size(); ++n) {
      Bytes cut(good->begin(), good->begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_FALSE(parse_authenticate(cut).ok()) << n;
    }
    for (std::size_t i = 0; i < good->size(); ++i) {
      for (std::uint8_t x : {0x01, 0x80, 0xff}) {
        Bytes m = *good;
        m[i] ^= x;
        auto r = parse_authenticate(m);  // must not read out of bounds (ASan) or throw
        if (r.ok()) (void)verify_ntlmv2(*r, password_hash(), kServerChallenge);
      }
    }
  }
  for (std::size_t n = 0; n < kChallenge4243.size(); ++n) {
    Bytes cut(kChallenge4243.begin(), kChallenge4243.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(parse_challenge(cut).ok()) << n;
  }
}

TEST(NtlmMalformed, ChallengeAndNtlmV2Response) {
  EXPECT_EQ(parse_challenge(kAuthenticate4243).error(), Error::WrongMessageType);
  EXPECT_EQ(parse_challenge(patched(kChallenge4243, 44, {0xff})).error(), Error::FieldOutOfRange);
  EXPECT_EQ(parse_authenticate(kChallenge4243).error(), Error::WrongMessageType);
  EXPECT_EQ(parse_ntlmv2_response(Bytes(43)).error(), Error::NotNtlmV2);
  EXPECT_EQ(parse_ntlmv2_response(Bytes(44)).error(), Error::FieldOutOfRange);  // no EOL
  EXPECT_TRUE(parse_ntlmv2_response(Bytes(48)).ok());                           // EOL only
}

TEST(NtlmErrors, HaveText) {
  for (int e = 0; e <= static_cast<int>(Error::NoExtendedSessionSecurity); ++e) {
    EXPECT_FALSE(to_string(static_cast<Error>(e)).empty());
  }
}

}  // namespace
}  // namespace parley::sip::auth::ntlm
