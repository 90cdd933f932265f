#include "app/user_admin.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sip/auth/digest.hpp"

namespace parley::app {
namespace {

TEST(ParseAor, Forms) {
  auto a = parse_aor("alice@Parley.TEST");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->username, "alice");
  EXPECT_EQ(a->domain, "parley.test");

  auto b = parse_aor("sip:Bob.Smith@example.org");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->username, "Bob.Smith");  // the user part keeps its case
  EXPECT_EQ(b->domain, "example.org");

  EXPECT_TRUE(parse_aor("+15551234;x=1@parley.test").has_value());
}

TEST(ParseAor, Rejects) {
  for (const char* bad :
       {"", "alice", "@parley.test", "alice@", "al ice@parley.test", "alice@parley test",
        "alice@.parley.test", "alice@parley.test.", "al<ice@parley.test", "alice@par:ley"}) {
    EXPECT_FALSE(parse_aor(bad).has_value()) << bad;
  }
}

TEST(MakeUser, StoresHa1ForBothAlgorithmsWithTheDomainAsRealm) {
  AorArg aor{"alice", "parley.test"};
  store::User u = make_user(aor, "Alice", "secret");
  EXPECT_EQ(u.username, "alice");
  EXPECT_EQ(u.domain, "parley.test");
  EXPECT_EQ(u.display_name, "Alice");
  // MD5("alice:parley.test:secret"), computed independently.
  EXPECT_EQ(u.ha1_md5,
            sip::auth::hex_digest(sip::auth::Algorithm::Md5, "alice:parley.test:secret"));
  EXPECT_EQ(u.ha1_sha256,
            sip::auth::hex_digest(sip::auth::Algorithm::Sha256, "alice:parley.test:secret"));
  EXPECT_EQ(u.ha1_md5.size(), 32u);
  EXPECT_EQ(u.ha1_sha256.size(), 64u);
  // MD4(UTF-16LE("secret")), from `iconv -t UTF-16LE | openssl dgst -md4`.
  EXPECT_EQ(u.nt_hash, "878d8014606cda29677a44efa1353fc7");
}

TEST(MakeUser, StoresTheNtHash) {
  // [MS-NLMP] 4.2.2.1.2: NTOWFv1("Password").
  store::User u = make_user(AorArg{"user", "parley.test"}, "", "Password");
  EXPECT_EQ(u.nt_hash, "a4f49c406510bdcab6824ee7c30fd852");
  // Not UTF-8: no NT hash (NTLM needs UTF-16), Digest still works.
  store::User latin1 = make_user(AorArg{"user", "parley.test"}, "", "caf\xe9");
  EXPECT_EQ(latin1.nt_hash, "");
  EXPECT_EQ(latin1.ha1_md5.size(), 32u);
}

TEST(ReadPassword, ArgumentOrStdin) {
  std::istringstream none;
  EXPECT_EQ(read_password("s3cret", none), "s3cret");
  EXPECT_EQ(read_password("", none), std::nullopt);

  std::istringstream line("from stdin\r\nsecond\n");
  EXPECT_EQ(read_password("-", line), "from stdin");

  std::istringstream empty("");
  EXPECT_EQ(read_password("-", empty), std::nullopt);
  std::istringstream blank("\n");
  EXPECT_EQ(read_password("-", blank), std::nullopt);
}

}  // namespace
}  // namespace parley::app
