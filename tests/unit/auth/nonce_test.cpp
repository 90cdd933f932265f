#include "sip/auth/nonce.hpp"

#include <gtest/gtest.h>

#include <set>

namespace parley::sip::auth {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";

TEST(Base64Url, RoundTripsAndRejectsNonCanonical) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64url_decode("Zm9=") , std::nullopt);  // padding
  EXPECT_EQ(base64url_decode("Zm+v"), std::nullopt);   // standard alphabet
  EXPECT_EQ(base64url_decode("Z"), std::nullopt);      // impossible length
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);     // non-zero trailing bits
}

TEST(Nonce, IssuedNonceChecksAndCarriesTime) {
  NonceCodec codec(kSecret);
  std::string n = codec.issue("parley.test", 123456789);
  EXPECT_EQ(n.size(), NonceCodec::kNonceLength);
  for (char c : n) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << n;
  }
  auto f = codec.check(n, "parley.test");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->issued_ms, 123456789);
}

TEST(Nonce, NegativeAndZeroTimesRoundTrip) {
  NonceCodec codec(kSecret);
  EXPECT_EQ(codec.check(codec.issue("r", 0), "r")->issued_ms, 0);
  EXPECT_EQ(codec.check(codec.issue("r", -5), "r")->issued_ms, -5);
}

TEST(Nonce, EachNonceIsFresh) {
  NonceCodec codec(kSecret);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(codec.issue("r", 1));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Nonce, OtherRealmOrSecretIsRejected) {
  NonceCodec codec(kSecret);
  NonceCodec other("another secret, also 32 bytes..");
  std::string n = codec.issue("parley.test", 1000);
  EXPECT_FALSE(codec.check(n, "other.test").has_value());
  EXPECT_FALSE(codec.check(n, "Parley.test").has_value());
  EXPECT_FALSE(other.check(n, "parley.test").has_value());
}

TEST(Nonce, EveryTamperedCharacterIsRejected) {
  NonceCodec codec(kSecret);
  std::string n = codec.issue("r", 42);
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string t = n;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.check(t, "r").has_value()) << "position " << i;
  }
}

TEST(Nonce, ForgedTimestampIsRejected) {
  NonceCodec codec(kSecret);
  std::string n = codec.issue("r", 1000);
  std::string raw = *base64url_decode(n);
  raw[7] = static_cast<char>(raw[7] + 1);  // move the issue time, keep the tag
  EXPECT_FALSE(codec.check(base64url_encode(raw), "r").has_value());
}

TEST(Nonce, MalformedIsRejected) {
  NonceCodec codec(kSecret);
  std::string n = codec.issue("r", 1);
  EXPECT_FALSE(codec.check("", "r"));
  EXPECT_FALSE(codec.check(n.substr(1), "r"));
  EXPECT_FALSE(codec.check(n + "A", "r"));
  EXPECT_FALSE(codec.check(std::string(43, '!'), "r"));
  EXPECT_FALSE(codec.check("dcd98b7102dd2f0e8b11d0f600bfb0c093", "r"));
}

TEST(Nonce, OpaqueIsStablePerRealm) {
  NonceCodec codec(kSecret);
  EXPECT_EQ(codec.opaque("a"), codec.opaque("a"));
  EXPECT_NE(codec.opaque("a"), codec.opaque("b"));
  EXPECT_EQ(codec.opaque("a").size(), 22u);
  EXPECT_NE(NonceCodec("another secret, also 32 bytes..").opaque("a"), codec.opaque("a"));
}

}  // namespace
}  // namespace parley::sip::auth
