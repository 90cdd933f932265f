#include "app/source_throttle.hpp"

#include <gtest/gtest.h>

using namespace parley;
using namespace std::chrono_literals;

TEST(SourceThrottle, BlocksASourceOverTheLimitAndOnlyThatOne) {
  base::FakeTimerService clock;
  app::SourceThrottle t({3, 10s, 30s});
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.record_failure("192.0.2.1", clock.now()));
  EXPECT_EQ(t.blocked_for("192.0.2.1", clock.now()), 0u);
  EXPECT_TRUE(t.record_failure("192.0.2.1", clock.now()));   // the 4th blocks
  EXPECT_FALSE(t.record_failure("192.0.2.1", clock.now()));  // reported once
  EXPECT_EQ(t.blocked_for("192.0.2.1", clock.now()), 31u);
  EXPECT_EQ(t.blocked_for("192.0.2.2", clock.now()), 0u);
  clock.advance(30s);
  EXPECT_EQ(t.blocked_for("192.0.2.1", clock.now()), 0u);
  // Once the block ends the source starts afresh: one failure does not re-block it.
  EXPECT_FALSE(t.record_failure("192.0.2.1", clock.now()));
  EXPECT_EQ(t.blocked_for("192.0.2.1", clock.now()), 0u);
}

TEST(SourceThrottle, FailuresInEarlierWindowsDoNotAddUp) {
  base::FakeTimerService clock;
  app::SourceThrottle t({3, 10s, 30s});
  for (int w = 0; w < 5; ++w) {
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.record_failure("192.0.2.1", clock.now()));
    clock.advance(10s);
  }
  EXPECT_EQ(t.blocked_for("192.0.2.1", clock.now()), 0u);
}

TEST(SourceThrottle, ZeroLimitIsOffAndMemoryIsBounded) {
  base::FakeTimerService clock;
  app::SourceThrottle off({0, 10s, 30s});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(off.record_failure("192.0.2.1", clock.now()));
  EXPECT_EQ(off.blocked_for("192.0.2.1", clock.now()), 0u);
  app::SourceThrottle small({1, 10s, 30s, 4});
  for (int i = 0; i < 1000; ++i) small.record_failure("10.0.0." + std::to_string(i), clock.now());
  // Distinct addresses never grow a shard past max_sources (checked indirectly:
  // the call stays cheap and a fresh address is not blocked).
  EXPECT_EQ(small.blocked_for("10.9.9.9", clock.now()), 0u);
}
