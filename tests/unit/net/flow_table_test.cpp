#include "net/flow_table.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "net/connection_limits.hpp"

namespace parley::net {
namespace {

struct FakeConn {
  sip::FlowId flow;
  bool alive = true;
  sip::FlowId id() const { return flow; }
  bool usable() const { return alive; }
};

TEST(FlowTable, FindsLiveFlowsOnly) {
  FlowTable<FakeConn> table;
  auto c = std::make_shared<FakeConn>(FakeConn{7});
  table.insert(c);
  EXPECT_EQ(table.find(7), c);
  EXPECT_EQ(table.find(8), nullptr);
  c.reset();  // the table does not own connections
  EXPECT_EQ(table.find(7), nullptr);
}

TEST(FlowTable, AddressIndexPointsAtTheNewestUsableFlow) {
  FlowTable<FakeConn> table;
  auto a = std::make_shared<FakeConn>(FakeConn{1});
  auto b = std::make_shared<FakeConn>(FakeConn{2});
  table.insert(a);
  table.insert(b);
  table.index("tcp|192.0.2.1|5060", 1);
  EXPECT_EQ(table.find_by_address("tcp|192.0.2.1|5060"), a);
  table.index("tcp|192.0.2.1|5060", 2);
  EXPECT_EQ(table.find_by_address("tcp|192.0.2.1|5060"), b);
  b->alive = false;
  EXPECT_EQ(table.find_by_address("tcp|192.0.2.1|5060"), nullptr);
  // Erasing an older flow leaves the newer entry in the index alone.
  b->alive = true;
  table.erase(1, "tcp|192.0.2.1|5060");
  EXPECT_EQ(table.find_by_address("tcp|192.0.2.1|5060"), b);
  table.erase(2, "tcp|192.0.2.1|5060");
  EXPECT_EQ(table.find_by_address("tcp|192.0.2.1|5060"), nullptr);
  EXPECT_EQ(table.size(), 0u);
}

TEST(FlowTable, FindOrAddMakesOneConnectionPerAddress) {
  FlowTable<FakeConn> table;
  std::vector<std::shared_ptr<FakeConn>> keep;
  std::mutex keep_mu;
  std::atomic<int> made{0};
  std::atomic<sip::FlowId> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto [c, created] = table.find_or_add("tls|198.51.100.1|5061", [&] {
          ++made;
          auto c = std::make_shared<FakeConn>(FakeConn{++next});
          std::lock_guard lock(keep_mu);
          keep.push_back(c);
          return c;
        });
        ASSERT_TRUE(c);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(table.all().size(), 1u);
}

TEST(FlowTable, FindOrAddMayRefuse) {
  FlowTable<FakeConn> table;
  auto [c, created] = table.find_or_add("k", [] { return std::shared_ptr<FakeConn>(); });
  EXPECT_EQ(c, nullptr);
  EXPECT_FALSE(created);
  EXPECT_EQ(table.size(), 0u);
}

TEST(ConnectionLimits, TotalAndPerAddress) {
  ConnectionLimits limits(3, 2);
  EXPECT_TRUE(limits.try_acquire("192.0.2.1"));
  EXPECT_TRUE(limits.try_acquire("192.0.2.1"));
  EXPECT_FALSE(limits.try_acquire("192.0.2.1"));  // per address
  EXPECT_EQ(limits.count("192.0.2.1"), 2u);
  EXPECT_TRUE(limits.try_acquire(""));            // outbound: total only
  EXPECT_FALSE(limits.try_acquire("192.0.2.2"));  // total
  EXPECT_EQ(limits.total(), 3u);
  limits.release("192.0.2.1");
  EXPECT_TRUE(limits.try_acquire("192.0.2.2"));
  limits.release("192.0.2.2");
  limits.release("192.0.2.1");
  limits.release("");
  EXPECT_EQ(limits.total(), 0u);
  EXPECT_EQ(limits.count("192.0.2.1"), 0u);
}

}  // namespace
}  // namespace parley::net
