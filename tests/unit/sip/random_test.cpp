#include "sip/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace parley::sip {
namespace {

TEST(Random, HexHasTheLengthAndAlphabet) {
  for (std::size_t bytes : {0u, 1u, 8u, 16u, 100u}) {
    std::string h = random_hex(bytes);
    EXPECT_EQ(h.size(), 2 * bytes);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  }
}

// Many draws across several pool refills (4 KiB each): no repeats, and every
// byte value shows up with about the expected frequency.
TEST(Random, DrawsAreDistinctAcrossRefills) {
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) EXPECT_TRUE(seen.insert(random_hex(8)).second);
  std::array<int, 256> counts{};
  std::vector<std::uint8_t> buf(256 * 400);
  random_fill(buf);
  for (std::uint8_t b : buf) ++counts[b];
  for (int c : counts) {
    EXPECT_GT(c, 250);  // expected 400 each; a fixed or stuck byte would fail
    EXPECT_LT(c, 550);
  }
}

TEST(Random, ThreadsDrawDifferentBytes) {
  std::vector<std::string> first(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { first[t] = random_hex(16); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 4u);
}

}  // namespace
}  // namespace parley::sip
