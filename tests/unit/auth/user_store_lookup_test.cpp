#include "sip/auth/user_store_lookup.hpp"

#include <gtest/gtest.h>

namespace parley::sip::auth {
namespace {

// A one-user store: just enough of store::UserStore for the adapter.
class OneUserStore final : public store::UserStore {
 public:
  std::optional<store::User> find(std::string_view username, std::string_view domain) override {
    ++finds;
    if (username == user.username && iequals(domain, user.domain)) return user;
    return std::nullopt;
  }
  bool add(const store::User&) override { return false; }
  std::optional<std::size_t> add_all(std::span<const store::User>) override { return 0; }
  bool set_credentials(std::string_view, std::string_view, std::string_view,
                       std::string_view, std::string_view) override {
    return false;
  }
  bool remove(std::string_view, std::string_view) override { return false; }
  std::vector<store::User> list() override { return {user}; }

  store::User user;
  int finds = 0;
};

TEST(UserStoreLookup, ReturnsTheHa1ForTheAlgorithm) {
  OneUserStore users;
  users.user.username = "alice";
  users.user.domain = "parley.test";
  users.user.ha1_md5 = digest_ha1(Algorithm::Md5, "alice", "parley.test", "pw");
  users.user.ha1_sha256 = digest_ha1(Algorithm::Sha256, "alice", "parley.test", "pw");
  Ha1Lookup lookup = user_store_lookup(users);
  EXPECT_EQ(lookup("alice", "parley.test", Algorithm::Md5), users.user.ha1_md5);
  EXPECT_EQ(lookup("alice", "parley.test", Algorithm::Sha256), users.user.ha1_sha256);
  EXPECT_EQ(lookup("bob", "parley.test", Algorithm::Md5), std::nullopt);
  EXPECT_EQ(users.finds, 3);
}

TEST(UserStoreLookup, MissingHa1ForAnAlgorithmIsNoUser) {
  OneUserStore users;
  users.user.username = "alice";
  users.user.domain = "parley.test";
  users.user.ha1_md5 = digest_ha1(Algorithm::Md5, "alice", "parley.test", "pw");
  Ha1Lookup lookup = user_store_lookup(users);
  EXPECT_EQ(lookup("alice", "parley.test", Algorithm::Sha256), std::nullopt);
  EXPECT_TRUE(lookup("alice", "parley.test", Algorithm::Md5).has_value());
}

TEST(NtlmUserLookup, UserAtDomainAndNetbiosDomainLogonsFindTheSameUser) {
  OneUserStore users;
  users.user.username = "alice";
  users.user.domain = "parley.test";
  users.user.nt_hash = "878d8014606cda29677a44efa1353fc7";
  NtlmUserLookup lookup = ntlm_user_lookup(users, {"other.example", "parley.test"});
  for (auto [user, domain] : {std::pair{"alice@parley.test", ""}, std::pair{"alice@PARLEY.TEST", ""},
                              std::pair{"alice", "PARLEY"}, std::pair{"alice", "parley"},
                              std::pair{"alice", "parley.test"}}) {
    auto u = lookup(user, domain);
    ASSERT_TRUE(u) << user << " / " << domain;
    EXPECT_EQ(u->username, "alice");
    EXPECT_EQ(u->domain, "parley.test");
    EXPECT_EQ(ntlm::to_hex(u->nt_hash), users.user.nt_hash);
  }
  EXPECT_FALSE(lookup("alice", "OTHER"));          // the other local domain: no alice there
  EXPECT_FALSE(lookup("alice", "NOWHERE"));        // no local domain by that name
  EXPECT_FALSE(lookup("bob@parley.test", ""));
  EXPECT_FALSE(lookup("@parley.test", ""));
  users.user.nt_hash.clear();  // added before NT hashes were kept: no NTLM
  EXPECT_FALSE(lookup("alice@parley.test", ""));
  users.user.nt_hash = "not hex";
  EXPECT_FALSE(lookup("alice@parley.test", ""));
}

}  // namespace
}  // namespace parley::sip::auth
