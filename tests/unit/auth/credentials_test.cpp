#include "sip/auth/credentials.hpp"

#include <gtest/gtest.h>

#include <random>

namespace parley::sip::auth {
namespace {

constexpr const char* kFull =
    R"(Digest username="alice", realm="parley.test", nonce="n0nce", uri="sip:parley.test", )"
    R"(response="0123456789abcdef0123456789abcdef", algorithm=MD5, cnonce="c", opaque="op", )"
    R"(qop=auth, nc=0000001a, userhash=false)";

TEST(Credentials, ParsesEveryField) {
  DigestParse r = parse_digest_credentials(kFull);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.scheme, "Digest");
  const DigestCredentials& c = r.credentials;
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.realm, "parley.test");
  EXPECT_EQ(c.nonce, "n0nce");
  EXPECT_EQ(c.uri, "sip:parley.test");
  EXPECT_EQ(c.response, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.algorithm, "MD5");
  EXPECT_EQ(c.cnonce, "c");
  EXPECT_EQ(c.opaque, "op");
  EXPECT_TRUE(c.has_opaque);
  EXPECT_EQ(c.qop, "auth");
  EXPECT_EQ(c.nc, "0000001a");
  EXPECT_EQ(c.nonce_count, 26u);
  EXPECT_FALSE(c.userhash);
  EXPECT_TRUE(c.extensions.empty());
}

TEST(Credentials, MinimalRfc2069Form) {
  DigestParse r = parse_digest_credentials(
      R"(Digest username="bob",realm="r",nonce="n",uri="sip:r",response="x")");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.credentials.qop.empty());
  EXPECT_TRUE(r.credentials.nc.empty());
  EXPECT_EQ(r.credentials.nonce_count, 0u);
  EXPECT_TRUE(r.credentials.algorithm.empty());
  EXPECT_FALSE(r.credentials.has_opaque);
}

TEST(Credentials, CaseInsensitiveSchemeAndNames) {
  DigestParse r = parse_digest_credentials(
      R"(dIgEsT USERNAME="bob", Realm="r", NONCE="n", Uri="sip:r", RESPONSE="x", QOP=auth, NC=00000001, CNonce="c")");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.credentials.username, "bob");
  EXPECT_EQ(r.credentials.nonce_count, 1u);
  EXPECT_EQ(r.credentials.cnonce, "c");
}

TEST(Credentials, QuotedEverythingAndEscapes) {
  // Broken-but-common clients quote qop, algorithm and nc.
  DigestParse r = parse_digest_credentials(
      "Digest username=\"a\\\"l\\\\ice\", realm=\"x, y\", nonce=\"n\", uri=\"sip:r\",\r\n"
      "  response=\"x\", qop=\"auth\", algorithm=\"SHA-256\", nc=\"00000002\", cnonce=\"c,d\"");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.credentials.username, "a\"l\\ice");
  EXPECT_EQ(r.credentials.realm, "x, y");
  EXPECT_EQ(r.credentials.algorithm, "SHA-256");
  EXPECT_EQ(r.credentials.nonce_count, 2u);
  EXPECT_EQ(r.credentials.cnonce, "c,d");
}

TEST(Credentials, UsernameStar) {
  DigestParse r = parse_digest_credentials(
      R"(Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="r", nonce="n", uri="sip:r", response="x", userhash=false)");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.credentials.username, "J\xC3\xA4s\xC3\xB8n Doe");

  auto both = parse_digest_credentials(
      R"(Digest username="j", username*=UTF-8''j, realm="r", nonce="n", uri="sip:r", response="x")");
  EXPECT_EQ(both.status, CredentialsStatus::Malformed);
  EXPECT_EQ(both.error, "both username and username*");
  auto bad = parse_digest_credentials(
      R"(Digest username*=ISO-8859-1''j, realm="r", nonce="n", uri="sip:r", response="x")");
  EXPECT_EQ(bad.error, "bad username*");
  auto bad_escape = parse_digest_credentials(
      R"(Digest username*=UTF-8''j%4, realm="r", nonce="n", uri="sip:r", response="x")");
  EXPECT_EQ(bad_escape.error, "bad username*");
}

TEST(Credentials, UserhashAndExtensions) {
  DigestParse r = parse_digest_credentials(
      R"(Digest username="h", realm="r", nonce="n", uri="sip:r", response="x", userhash=TRUE, x-ext="1")");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.credentials.userhash);
  ASSERT_EQ(r.credentials.extensions.size(), 1u);
  EXPECT_EQ(r.credentials.extensions[0].name, "x-ext");
  EXPECT_EQ(r.credentials.extensions[0].value, "1");
  auto bad = parse_digest_credentials(
      R"(Digest username="h", realm="r", nonce="n", uri="sip:r", response="x", userhash=maybe)");
  EXPECT_EQ(bad.error, "bad userhash");
}

TEST(Credentials, OtherSchemesAreReportedNotRejected) {
  DigestParse ntlm = parse_digest_credentials(
      R"(NTLM qop="auth", realm="SIP Communications Service", targetname="fe.contoso.com", gssapi-data="TlRMTVNTUAAB")");
  EXPECT_EQ(ntlm.status, CredentialsStatus::OtherScheme);
  EXPECT_EQ(ntlm.scheme, "NTLM");
  DigestParse kerberos = parse_digest_credentials(R"(Kerberos qop="auth", realm="SIP Communications Service")");
  EXPECT_EQ(kerberos.status, CredentialsStatus::OtherScheme);
  EXPECT_EQ(kerberos.scheme, "Kerberos");
  DigestParse basic = parse_digest_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic.status, CredentialsStatus::OtherScheme);
}

TEST(Credentials, Duplicates) {
  auto r = parse_digest_credentials(
      R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", Realm="s")");
  EXPECT_EQ(r.status, CredentialsStatus::Malformed);
  EXPECT_EQ(r.error, "duplicate realm");
  auto ext = parse_digest_credentials(
      R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", foo=1, FOO=2)");
  EXPECT_EQ(ext.error, "duplicate FOO");
}

TEST(Credentials, MissingRequiredFields) {
  struct Case {
    const char* value;
    const char* error;
  } cases[] = {
      {R"(Digest realm="r", nonce="n", uri="sip:r", response="x")", "missing username"},
      {R"(Digest username="a", nonce="n", uri="sip:r", response="x")", "missing realm"},
      {R"(Digest username="a", realm="r", uri="sip:r", response="x")", "missing nonce"},
      {R"(Digest username="a", realm="r", nonce="n", response="x")", "missing uri"},
      {R"(Digest username="a", realm="r", nonce="n", uri="sip:r")", "missing response"},
      {R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", qop=auth, nc=00000001)",
       "qop without cnonce"},
      {R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", qop=auth, cnonce="c")",
       "qop without nc"},
      {R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", qop="", cnonce="c", nc=00000001)",
       "empty qop"},
      {"Digest", "missing username"},
  };
  for (const auto& c : cases) {
    DigestParse r = parse_digest_credentials(c.value);
    EXPECT_EQ(r.status, CredentialsStatus::Malformed) << c.value;
    EXPECT_EQ(r.error, c.error) << c.value;
  }
}

TEST(Credentials, BadNonceCount) {
  for (const char* nc : {"1", "0000001", "000000001", "0000000g", "\"\"", "-0000001"}) {
    std::string v = std::string(R"(Digest username="a", realm="r", nonce="n", uri="sip:r", )") +
                     R"(response="x", qop=auth, cnonce="c", nc=)" + nc;
    DigestParse r = parse_digest_credentials(v);
    EXPECT_EQ(r.status, CredentialsStatus::Malformed) << v;
    EXPECT_EQ(r.error, "bad nc") << v;
  }
  DigestParse max = parse_digest_credentials(
      R"(Digest username="a", realm="r", nonce="n", uri="sip:r", response="x", qop=auth, cnonce="c", nc=FFFFFFFF)");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max.credentials.nonce_count, 0xffffffffu);
}

TEST(Credentials, Garbage) {
  for (const char* v : {"", "Digest username=\"a", "Digest username=\"a\" realm=\"r\"",
                        "Digest token68==", "\x01\x02", "Digest username=\"a\", =\"b\""}) {
    DigestParse r = parse_digest_credentials(v);
    EXPECT_EQ(r.status, CredentialsStatus::Malformed) << v;
    EXPECT_FALSE(r.error.empty()) << v;
  }
}

// Deterministic mutations of a valid value: the parser must never throw or
// read out of bounds (the sanitizer build checks the latter), and whatever it
// accepts must still have the required fields.
TEST(Credentials, MutatedInputNeverThrows) {
  std::mt19937 rng(7616);
  const std::string alphabet = "\"\\,= \t\r\naZ09%*'~-_\x80\xff";
  const std::string base = kFull;
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string v = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !v.empty(); ++e) {
      std::size_t pos = rng() % v.size();
      switch (rng() % 3) {
        case 0: v[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: v.erase(pos, 1 + rng() % 8); break;
        case 2: v.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    DigestParse r;
    ASSERT_NO_THROW(r = parse_digest_credentials(v)) << v;
    if (r.ok()) {
      ++accepted;
      EXPECT_FALSE(r.credentials.username.empty() && r.credentials.nonce.empty() &&
                   r.credentials.response.empty())
          << v;
    } else if (r.status == CredentialsStatus::Malformed) {
      EXPECT_FALSE(r.error.empty()) << v;
    }
  }
  EXPECT_GT(accepted, 0);  // some mutations (inside quoted values) stay valid
}

}  // namespace
}  // namespace parley::sip::auth
