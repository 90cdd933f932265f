#include "net/asio_timer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "net/worker.hpp"

namespace parley::net {
namespace {

using namespace std::chrono_literals;

// Collects fired timer tags; waits are bounded.
struct Fired {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> tags;
  std::vector<std::thread::id> threads;

  std::function<void()> record(int tag) {
    return [this, tag] {
      std::lock_guard lock(mu);
      tags.push_back(tag);
      threads.push_back(std::this_thread::get_id());
      cv.notify_all();
    };
  }
  std::vector<int> snapshot() {
    std::lock_guard lock(mu);
    return tags;
  }
  bool wait(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return tags.size() >= n; });
  }
};

TEST(AsioTimerService, FiresOnTheWorkerAfterTheDelay) {
  WorkerPool pool(1);
  pool.start();
  AsioTimerService timers(pool.at(0).context());
  Fired fired;
  auto before = timers.now();
  EXPECT_NE(timers.schedule(20ms, fired.record(1)), 0u);
  ASSERT_TRUE(fired.wait(1));
  EXPECT_GE(timers.now() - before, 20ms);
  {
    std::lock_guard lock(fired.mu);
    EXPECT_NE(fired.threads[0], std::this_thread::get_id());
  }
  EXPECT_EQ(timers.pending(), 0u);
  pool.stop();
}

TEST(AsioTimerService, FiresInDueOrder) {
  WorkerPool pool(1);
  pool.start();
  AsioTimerService timers(pool.at(0).context());
  Fired fired;
  timers.schedule(30ms, fired.record(3));
  timers.schedule(0ms, fired.record(1));
  timers.schedule(10ms, fired.record(2));
  ASSERT_TRUE(fired.wait(3));
  EXPECT_EQ(fired.snapshot(), (std::vector<int>{1, 2, 3}));
  pool.stop();
}

TEST(AsioTimerService, CancelledTimerNeverRuns) {
  WorkerPool pool(1);
  pool.start();
  AsioTimerService timers(pool.at(0).context());
  Fired fired;
  auto id = timers.schedule(10ms, fired.record(1));
  EXPECT_TRUE(timers.cancel(id));
  EXPECT_FALSE(timers.cancel(id));
  EXPECT_EQ(timers.pending(), 0u);
  // A later timer fires; the cancelled one, due earlier, did not.
  timers.schedule(30ms, fired.record(2));
  ASSERT_TRUE(fired.wait(1));
  EXPECT_EQ(fired.snapshot(), (std::vector<int>{2}));
  pool.stop();
}

TEST(AsioTimerService, CancelAfterFiringReturnsFalse) {
  WorkerPool pool(1);
  pool.start();
  AsioTimerService timers(pool.at(0).context());
  Fired fired;
  auto id = timers.schedule(0ms, fired.record(1));
  ASSERT_TRUE(fired.wait(1));
  EXPECT_FALSE(timers.cancel(id));
  pool.stop();
}

TEST(AsioTimerService, CallbacksMayScheduleAndCancel) {
  WorkerPool pool(1);
  pool.start();
  AsioTimerService timers(pool.at(0).context());
  Fired fired;
  base::TimerId victim = timers.schedule(50ms, fired.record(99));
  std::atomic<bool> victim_cancelled{false};
  timers.schedule(0ms, [&] {
    victim_cancelled = timers.cancel(victim);
    timers.schedule(5ms, fired.record(2));
    fired.record(1)();
  });
  ASSERT_TRUE(fired.wait(2));
  EXPECT_EQ(fired.snapshot(), (std::vector<int>{1, 2}));
  EXPECT_TRUE(victim_cancelled.load());
  pool.stop();
}

TEST(AsioTimerService, ManyThreadsScheduleConcurrently) {
  WorkerPool pool(2);
  pool.start();
  AsioTimerService timers(pool.at(1).context());
  Fired fired;
  std::atomic<int> cancelled{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto id = timers.schedule(1ms, fired.record(t));
        // May race with firing: either cancel wins (true) or the callback runs.
        if (i % 2 == 1 && timers.cancel(id)) ++cancelled;
      }
    });
  }
  for (auto& th : threads) th.join();
  // Every timer either fired once or was cancelled before firing.
  ASSERT_TRUE(fired.wait(static_cast<std::size_t>(200 - cancelled.load())));
  EXPECT_EQ(timers.pending(), 0u);
  pool.stop();
}

TEST(AsioTimerService, DestroyedServiceRunsNothing) {
  WorkerPool pool(1);
  pool.start();
  Fired fired;
  {
    AsioTimerService timers(pool.at(0).context());
    timers.schedule(20ms, fired.record(1));
  }
  AsioTimerService later(pool.at(0).context());
  later.schedule(40ms, fired.record(2));
  ASSERT_TRUE(fired.wait(1));
  EXPECT_EQ(fired.snapshot(), (std::vector<int>{2}));
  pool.stop();
}

}  // namespace
}  // namespace parley::net
