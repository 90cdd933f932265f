#include "sip/auth/hmac.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace parley::sip::auth {
namespace {

std::string hex(const HmacSha256::Mac& mac) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : mac) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// RFC 4231 4.2, 4.3 and 4.7 (HMAC-SHA-256 results).
TEST(HmacSha256, Rfc4231TestCase1) {
  HmacSha256 h(std::string(20, '\x0b'));
  EXPECT_EQ(hex(h.mac({"Hi There"})),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231TestCase2) {
  HmacSha256 h("Jefe");
  EXPECT_EQ(hex(h.mac({"what do ya want for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, Rfc4231TestCase6KeyLongerThanBlock) {
  HmacSha256 h(std::string(131, '\xaa'));
  EXPECT_EQ(hex(h.mac({"Test Using Larger Than Block-Size Key - Hash Key First"})),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, PartsAreConcatenatedAndTheKeyedStateIsReused) {
  HmacSha256 h("Jefe");
  const std::string whole = hex(h.mac({"what do ya want for nothing?"}));
  EXPECT_EQ(hex(h.mac({"what do ya ", "", "want for nothing?"})), whole);
  EXPECT_EQ(hex(h.mac({"what do ya want for nothing?"})), whole);  // unchanged by earlier calls
  EXPECT_NE(hex(h.mac({"what do ya want for nothing!"})), whole);
}

TEST(HmacSha256, ConcurrentCallsAgree) {
  HmacSha256 h("Jefe");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (hex(h.mac({"what do ya want for nothing?"})) !=
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace parley::sip::auth
