#include "sip/auth/nonce_count_table.hpp"

#include <gtest/gtest.h>

namespace parley::sip::auth {
namespace {

using Outcome = NonceCountTable::Outcome;

TEST(NonceCountTable, IncreasingCountsAcceptedRepeatsRejected) {
  NonceCountTable t(10, 1);
  NonceFields n{100, 7};
  EXPECT_EQ(t.record(n, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record(n, 1, 0), Outcome::Replay);
  EXPECT_EQ(t.record(n, 2, 0), Outcome::Accepted);
  EXPECT_EQ(t.record(n, 5, 0), Outcome::Accepted);  // gaps are fine
  EXPECT_EQ(t.record(n, 3, 0), Outcome::Replay);    // below the highest
  EXPECT_EQ(t.record(n, 5, 0), Outcome::Replay);
  EXPECT_EQ(t.record(n, 6, 0), Outcome::Accepted);
  EXPECT_EQ(t.size(), 1u);
}

TEST(NonceCountTable, ZeroCountIsNeverValid) {
  NonceCountTable t(10, 1);
  EXPECT_EQ(t.record({1, 1}, 0, 0), Outcome::Replay);
  EXPECT_EQ(t.size(), 0u);
}

TEST(NonceCountTable, NoncesAreIndependent) {
  NonceCountTable t(10, 4);
  EXPECT_EQ(t.record({1, 1}, 3, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({1, 2}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({2, 1}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.size(), 3u);
}

TEST(NonceCountTable, ExpiredEntriesAreDropped) {
  NonceCountTable t(10, 1);
  EXPECT_EQ(t.record({100, 1}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({200, 2}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({300, 3}, 1, 150), Outcome::Accepted);  // drops {100,1}
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.record({300, 3}, 2, 250), Outcome::Accepted);  // drops {200,2}
  EXPECT_EQ(t.size(), 1u);
}

TEST(NonceCountTable, FullTableEvictsOldestAndNeverReplaysIt) {
  NonceCountTable t(3, 1);
  EXPECT_EQ(t.record({10, 1}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({20, 2}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({30, 3}, 1, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({40, 4}, 1, 0), Outcome::Accepted);  // evicts {10,1}
  EXPECT_EQ(t.size(), 3u);
  // The evicted nonce's history is gone: it must not be accepted again, even
  // with the count it already used.
  EXPECT_EQ(t.record({10, 1}, 1, 0), Outcome::Forgotten);
  EXPECT_EQ(t.record({10, 1}, 99, 0), Outcome::Forgotten);
  // A never-seen nonce older than the watermark is also forgotten.
  EXPECT_EQ(t.record({5, 9}, 1, 0), Outcome::Forgotten);
  // Newer nonces still work, and the remembered ones keep their counts.
  EXPECT_EQ(t.record({20, 2}, 1, 0), Outcome::Replay);
  EXPECT_EQ(t.record({20, 2}, 2, 0), Outcome::Accepted);
  EXPECT_EQ(t.record({50, 5}, 1, 0), Outcome::Accepted);  // evicts {20,2}
  EXPECT_EQ(t.record({20, 2}, 3, 0), Outcome::Forgotten);
  EXPECT_EQ(t.size(), 3u);
}

TEST(NonceCountTable, CapacityIsSpreadOverShards) {
  NonceCountTable t(64, 16);
  for (std::uint64_t i = 0; i < 1000; ++i) t.record({static_cast<std::int64_t>(i), i}, 1, 0);
  EXPECT_LE(t.size(), 64u);
  EXPECT_GE(t.size(), 60u);
}

}  // namespace
}  // namespace parley::sip::auth
