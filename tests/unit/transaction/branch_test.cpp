#include "sip/transaction/branch.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

namespace parley::sip {
namespace {

TEST(Branch, StartsWithMagicCookieAndCarries128HexBits) {
  std::string b = make_branch();
  ASSERT_EQ(b.size(), 7u + 32u);
  EXPECT_EQ(b.substr(0, 7), "z9hG4bK");
  for (char c : b.substr(7)) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c))) << b;
  EXPECT_TRUE(is_rfc3261_branch(b));
}

TEST(Branch, IsUniqueAcrossCalls) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(seen.insert(make_branch()).second);
}

TEST(Branch, CookieCheckIsCaseSensitive) {
  EXPECT_TRUE(is_rfc3261_branch("z9hG4bKabc"));
  EXPECT_FALSE(is_rfc3261_branch("Z9HG4BKabc"));
  EXPECT_FALSE(is_rfc3261_branch("abc"));
  EXPECT_FALSE(is_rfc3261_branch(""));
}

}  // namespace
}  // namespace parley::sip
