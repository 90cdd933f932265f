#include "sip/auth/digest.hpp"

#include <gtest/gtest.h>

namespace parley::sip::auth {
namespace {

// RFC 7616 3.9.1: GET /dir/index.html, user Mufasa, password "Circle of Life".
constexpr const char* kRealm = "http-auth@example.org";
constexpr const char* kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr const char* kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

TEST(Digest, Rfc7616Md5Response) {
  std::string ha1 = digest_ha1(Algorithm::Md5, "Mufasa", kRealm, "Circle of Life");
  std::string ha2 = digest_ha2(Algorithm::Md5, "GET", "/dir/index.html");
  EXPECT_EQ(digest_response(Algorithm::Md5, ha1, kNonce, "00000001", kCnonce, "auth", ha2),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, Rfc7616Sha256Response) {
  std::string ha1 = digest_ha1(Algorithm::Sha256, "Mufasa", kRealm, "Circle of Life");
  std::string ha2 = digest_ha2(Algorithm::Sha256, "GET", "/dir/index.html");
  EXPECT_EQ(digest_response(Algorithm::Sha256, ha1, kNonce, "00000001", kCnonce, "auth", ha2),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// RFC 2617 3.5 (the example's password is "Circle Of Life").
TEST(Digest, Rfc2617Md5Vector) {
  std::string ha1 = digest_ha1(Algorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(ha1, "939e7578ed9e3c518a452acee763bce9");
  std::string ha2 = digest_ha2(Algorithm::Md5, "GET", "/dir/index.html");
  EXPECT_EQ(digest_response(Algorithm::Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                            "00000001", "0a4f113b", "auth", ha2),
            "6629fae49393a05397450978507c4ef1");
}

TEST(Digest, HexDigestKnownValues) {
  EXPECT_EQ(hex_digest(Algorithm::Md5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex_digest(Algorithm::Md5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex_digest(Algorithm::Sha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, Ha1IsHashOfJoinedFields) {
  EXPECT_EQ(digest_ha1(Algorithm::Sha256, "alice", "parley.test", "secret"),
            hex_digest(Algorithm::Sha256, "alice:parley.test:secret"));
  EXPECT_EQ(digest_ha1(Algorithm::Md5, "alice", "parley.test", "secret").size(), 32u);
  EXPECT_EQ(digest_ha1(Algorithm::Sha256, "alice", "parley.test", "secret").size(), 64u);
}

TEST(Digest, ResponseWithoutQopIsRfc2069Form) {
  std::string ha1 = digest_ha1(Algorithm::Md5, "a", "r", "p");
  std::string ha2 = digest_ha2(Algorithm::Md5, "REGISTER", "sip:r");
  EXPECT_EQ(digest_response(Algorithm::Md5, ha1, "n", "", "", "", ha2),
            hex_digest(Algorithm::Md5, ha1 + ":n:" + ha2));
}

TEST(Digest, AlgorithmNames) {
  EXPECT_EQ(algorithm_name(Algorithm::Md5), "MD5");
  EXPECT_EQ(algorithm_name(Algorithm::Sha256), "SHA-256");
  EXPECT_EQ(parse_algorithm(""), Algorithm::Md5);
  EXPECT_EQ(parse_algorithm("md5"), Algorithm::Md5);
  EXPECT_EQ(parse_algorithm("sha-256"), Algorithm::Sha256);
  EXPECT_EQ(parse_algorithm("MD5-sess"), std::nullopt);
  EXPECT_EQ(parse_algorithm("SHA-256-sess"), std::nullopt);
  EXPECT_EQ(parse_algorithm("SHA-512-256"), std::nullopt);
  EXPECT_EQ(hex_length(Algorithm::Md5), 32u);
  EXPECT_EQ(hex_length(Algorithm::Sha256), 64u);
}

TEST(Digest, ConstantTimeEqualAndHex) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(is_hex("00ffAB", 6));
  EXPECT_FALSE(is_hex("00ffAB", 5));
  EXPECT_FALSE(is_hex("00ffAg", 6));
}

}  // namespace
}  // namespace parley::sip::auth
