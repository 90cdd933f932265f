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
                       std::string_view) override {
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

}  // namespace
}  // namespace parley::sip::auth
