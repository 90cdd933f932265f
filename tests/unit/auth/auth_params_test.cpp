#include "sip/auth/auth_params.hpp"

#include <gtest/gtest.h>

namespace parley::sip::auth {
namespace {

AuthParams parse_ok(std::string_view v) {
  std::string error;
  auto p = parse_auth_params(v, &error);
  EXPECT_TRUE(p.has_value()) << v << ": " << error;
  return p.value_or(AuthParams{});
}

std::string parse_error(std::string_view v) {
  std::string error;
  auto p = parse_auth_params(v, &error);
  EXPECT_FALSE(p.has_value()) << v;
  return error;
}

TEST(AuthParams, DigestTokensAndQuotedStrings) {
  AuthParams p = parse_ok(R"(Digest realm="parley.test", qop="auth", algorithm=SHA-256, nonce="abc")");
  EXPECT_EQ(p.scheme, "Digest");
  EXPECT_TRUE(p.is("digest"));
  ASSERT_EQ(p.params.size(), 4u);
  EXPECT_EQ(p.params[0].name, "realm");
  EXPECT_EQ(p.params[0].value, "parley.test");
  EXPECT_TRUE(p.params[0].quoted);
  EXPECT_EQ(p.params[2].name, "algorithm");
  EXPECT_EQ(p.params[2].value, "SHA-256");
  EXPECT_FALSE(p.params[2].quoted);
  ASSERT_NE(p.find("NONCE"), nullptr);
  EXPECT_EQ(p.find("Nonce")->value, "abc");
  EXPECT_EQ(p.find("opaque"), nullptr);
}

TEST(AuthParams, NtlmFromLyncClient) {
  // [MS-SIPAE] 3.2.5.2 style header as Lync clients send it.
  AuthParams p = parse_ok(
      R"(NTLM qop="auth", realm="SIP Communications Service", opaque="ABCD1234", )"
      R"(targetname="fe01.contoso.com", gssapi-data="TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==", version=4)");
  EXPECT_TRUE(p.is("ntlm"));
  ASSERT_EQ(p.params.size(), 6u);
  EXPECT_EQ(p.find("realm")->value, "SIP Communications Service");
  EXPECT_EQ(p.find("gssapi-data")->value,
            "TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==");
  EXPECT_EQ(p.find("version")->value, "4");
}

TEST(AuthParams, EscapesAndCommasInsideQuotes) {
  AuthParams p = parse_ok(R"(Digest username="a\"b\\c", realm="x, y=z", uri="sip:a@b;x=\y")");
  EXPECT_EQ(p.find("username")->value, R"(a"b\c)");
  EXPECT_EQ(p.find("realm")->value, "x, y=z");
  EXPECT_EQ(p.find("uri")->value, "sip:a@b;x=y");
}

TEST(AuthParams, LinearWhitespaceAndFolding) {
  AuthParams p = parse_ok("  Digest \t realm = \"r\"\r\n  ,\tnonce=\r\n\t\"n\" ,\r\n qop = auth  ");
  ASSERT_EQ(p.params.size(), 3u);
  EXPECT_EQ(p.find("realm")->value, "r");
  EXPECT_EQ(p.find("nonce")->value, "n");
  EXPECT_EQ(p.find("qop")->value, "auth");
}

TEST(AuthParams, FoldingInsideQuotedStringBecomesOneSpace) {
  AuthParams p = parse_ok("Digest realm=\"a  \r\n   b\"");
  EXPECT_EQ(p.find("realm")->value, "a b");
}

TEST(AuthParams, EmptyElementsAreSkipped) {
  AuthParams p = parse_ok("Digest , realm=\"r\",, nonce=n,");
  ASSERT_EQ(p.params.size(), 2u);
}

TEST(AuthParams, DuplicatesAreKeptForTheCaller) {
  AuthParams p = parse_ok("Digest realm=a, realm=b");
  ASSERT_EQ(p.params.size(), 2u);
  EXPECT_EQ(p.find("realm")->value, "a");
}

TEST(AuthParams, Token68AndBareScheme) {
  AuthParams p = parse_ok("Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6i==");
  EXPECT_TRUE(p.is("negotiate"));
  EXPECT_TRUE(p.params.empty());
  EXPECT_EQ(p.token68, "YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6i==");
  AuthParams bare = parse_ok("Kerberos");
  EXPECT_EQ(bare.scheme, "Kerberos");
  EXPECT_TRUE(bare.params.empty());
  EXPECT_TRUE(bare.token68.empty());
}

TEST(AuthParams, Utf8InQuotedString) {
  AuthParams p = parse_ok("Digest username=\"J\xC3\xA4s\xC3\xB8n\"");
  EXPECT_EQ(p.find("username")->value, "J\xC3\xA4s\xC3\xB8n");
}

TEST(AuthParams, Garbage) {
  EXPECT_EQ(parse_error(""), "missing auth-scheme");
  EXPECT_EQ(parse_error("   "), "missing auth-scheme");
  EXPECT_EQ(parse_error("\"Digest\" realm=x"), "missing auth-scheme");
  EXPECT_EQ(parse_error("Digest realm=\"unterminated"), "unterminated quoted-string");
  EXPECT_EQ(parse_error("Digest realm=\"ends in backslash\\"), "unterminated quoted-string");
  EXPECT_EQ(parse_error("Digest realm=\"a\" nonce=\"b\""), "expected ',' between auth-params");
  EXPECT_EQ(parse_error("Digest realm, nonce=x"), "expected '=' after auth-param name");
  EXPECT_EQ(parse_error("Digest realm=, nonce=x"), "bad auth-param value");
  EXPECT_EQ(parse_error("Digest realm=\"a\", nonce="), "missing auth-param value");
  EXPECT_EQ(parse_error("Digest =x"), "expected auth-param name");
  EXPECT_EQ(parse_error("Digest realm=\"a\r\nb\""), "line break in quoted-string");
  EXPECT_EQ(parse_error("Digest realm=\"a\", \r\nnonce=x"), "bad line folding");
  EXPECT_EQ(parse_error(std::string_view("Digest realm=\"a\0b\"", 18)),
            "control character in quoted-string");
  EXPECT_EQ(parse_error("Digest realm=a;b"), "expected ',' between auth-params");
  EXPECT_FALSE(parse_auth_params("Digest realm=x, Basic realm=y").has_value());
  // A null error pointer is allowed.
  EXPECT_FALSE(parse_auth_params("Digest realm=\"x").has_value());
}

TEST(AuthParams, QuoteEscapes) {
  EXPECT_EQ(quote("a\"b\\c"), R"("a\"b\\c")");
  AuthParams p = parse_ok("Digest realm=" + quote("we\"ird\\realm"));
  EXPECT_EQ(p.find("realm")->value, "we\"ird\\realm");
}

}  // namespace
}  // namespace parley::sip::auth
