#include "net/worker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <future>
#include <set>
#include <thread>

namespace parley::net {
namespace {

TEST(WorkerPool, EachWorkerRunsOnItsOwnThread) {
  WorkerPool pool(3);
  ASSERT_EQ(pool.size(), 3u);
  pool.start();
  std::set<std::thread::id> threads;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    std::promise<std::pair<std::thread::id, bool>> p;
    Worker& w = pool.at(i);
    boost::asio::post(w.context(), [&] {
      p.set_value({std::this_thread::get_id(), w.in_this_thread() && pool.current() == &w});
    });
    auto [id, here] = p.get_future().get();
    EXPECT_TRUE(here);
    EXPECT_NE(id, std::this_thread::get_id());
    threads.insert(id);
  }
  EXPECT_EQ(threads.size(), 3u);
  EXPECT_EQ(pool.current(), nullptr);
  pool.stop();
  EXPECT_FALSE(pool.running());
}

TEST(WorkerPool, NextIsRoundRobin) {
  WorkerPool pool(2);
  Worker& a = pool.next();
  Worker& b = pool.next();
  Worker& c = pool.next();
  EXPECT_NE(&a, &b);
  EXPECT_EQ(&a, &c);
}

TEST(WorkerPool, DefaultIsOnePerCore) {
  WorkerPool pool;
  EXPECT_EQ(pool.size(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(WorkerPool, ThrowingHandlerDoesNotKillTheWorker) {
  WorkerPool pool(1);
  pool.start();
  boost::asio::post(pool.at(0).context(), [] { throw std::runtime_error("boom"); });
  std::promise<void> p;
  boost::asio::post(pool.at(0).context(), [&] { p.set_value(); });
  EXPECT_EQ(p.get_future().wait_for(std::chrono::seconds(3)), std::future_status::ready);
  pool.stop();
}

TEST(WorkerPool, StopIsIdempotentAndWorksWithoutStart) {
  WorkerPool never_started(2);
  never_started.stop();
  never_started.stop();
  WorkerPool pool(2);
  pool.start();
  pool.stop();
  pool.stop();
  SUCCEED();
}

}  // namespace
}  // namespace parley::net
