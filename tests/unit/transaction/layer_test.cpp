// Layer-wide behaviour: event ordering, lifetime, concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "test_support.hpp"

namespace parley::sip::test {
namespace {

TEST(Layer, EventsOfOneTransactionArriveInOrderEndingWithTerminated) {
  Harness h;
  Message options = req("OPTIONS").msg();
  auto tx = h.layer.send_request(options, tcp_peer());
  h.layer.receive(response_to(options, 100), tcp_peer());
  h.layer.receive(response_to(options, 200), tcp_peer());
  EXPECT_EQ(h.tu.kinds(), (std::vector<K>{K::Response, K::Response, K::ClientTerminated}));
}

TEST(Layer, DestroyingTheLayerCancelsTimersAndDisarmsHandles) {
  base::FakeTimerService timers;
  RecordingSender sender(timers);
  RecordingTu tu;
  ClientTransactionPtr client;
  ServerTransactionPtr server;
  {
    TransactionLayer layer({}, sender, tu, timers);
    client = layer.send_request(Req{}.msg(), udp_peer());
    Req other = req("OPTIONS");
    other.with_branch("z9hG4bKsrv");
    layer.receive(other.msg(), udp_peer());
    server = tu.last(K::Request)->server;
    EXPECT_GT(timers.pending(), 0u);
  }
  EXPECT_EQ(timers.pending(), 0u);
  std::size_t sends = sender.count();
  timers.advance(Millis{100000});
  EXPECT_EQ(sender.count(), sends);
  EXPECT_FALSE(server->respond(Message::make_response(server->request(), 200)));
  EXPECT_FALSE(client->cancel());
  EXPECT_EQ(client->state(), ClientState::Terminated);
}

TEST(Layer, StatelessSendUsesTransactionIdZero) {
  Harness h;
  Req ack = req("ACK");
  EXPECT_TRUE(h.layer.send_stateless(ack.msg(), udp_peer()));
  EXPECT_EQ(h.sender.last().tid, 0u);
  EXPECT_EQ(h.layer.client_count(), 0u);
}

// Several workers feed requests (and their retransmissions) at once; every
// distinct request reaches the TU exactly once and every transaction ends.
TEST(Layer, ConcurrentReceiveCreatesEachTransactionOnce) {
  TransactionConfig cfg;
  cfg.shards = 4;
  Harness h(cfg);
  h.tu.on_request_hook = [](const ServerTransactionPtr& tx) {
    tx->respond(Message::make_response(tx->request(), 200, {}, "t"));
  };
  constexpr int kThreads = 4;
  constexpr int kRequests = 300;
  std::vector<Message> requests;
  for (int i = 0; i < kRequests; ++i) {
    Req r = req("OPTIONS");
    r.with_branch("z9hG4bKconc" + std::to_string(i));
    requests.push_back(r.msg());
  }
  std::atomic<int> retransmissions{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      for (const auto& m : requests) {
        if (h.layer.receive(m, udp_peer()) == Disposition::Retransmission) ++retransmissions;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(h.tu.count(K::Request), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(retransmissions.load(), kRequests * (kThreads - 1));
  EXPECT_EQ(h.layer.server_count(), 0u);
  EXPECT_EQ(h.layer.completed_count(), static_cast<std::size_t>(kRequests));
  // Every retransmission re-sent the 200 (or arrived before it was sent).
  EXPECT_LE(h.sender.count(), static_cast<std::size_t>(kRequests * kThreads));
  h.advance(32000);  // Timer J
  EXPECT_EQ(h.layer.completed_count(), 0u);
  EXPECT_EQ(h.tu.count(K::ServerTerminated), static_cast<std::size_t>(kRequests));
}

// Provisional and final responses race on two workers while a third thread
// drives the timers: each transaction still reports in RFC order.
TEST(Layer, ConcurrentResponsesAndTimersKeepPerTransactionOrder) {
  Harness h;
  constexpr int kTx = 200;
  std::vector<Message> requests;
  std::vector<ClientTransactionPtr> txs;
  for (int i = 0; i < kTx; ++i) {
    Req r = req("OPTIONS");
    r.with_branch("z9hG4bKrace" + std::to_string(i));
    requests.push_back(r.msg());
    txs.push_back(h.layer.send_request(requests.back(), udp_peer()));
    ASSERT_TRUE(txs.back());
  }
  std::thread provisional([&] {
    for (const auto& m : requests) h.layer.receive(response_to(m, 100), udp_peer());
  });
  std::thread final([&] {
    for (const auto& m : requests) h.layer.receive(response_to(m, 200), udp_peer());
  });
  std::thread clock([&] {
    for (int i = 0; i < 50; ++i) h.advance(100);
  });
  provisional.join();
  final.join();
  clock.join();
  h.advance(40000);

  EXPECT_EQ(h.layer.client_count(), 0u);
  EXPECT_EQ(h.tu.count(K::ClientError), 0u);
  std::map<ClientTransaction*, std::vector<std::string>> per_tx;
  for (const auto& e : h.tu.events()) {
    // The clock thread may run Timer K out (5 s of fake time) before the
    // provisional thread delivers a late 100: that 100 matches nothing any
    // more and is a stray response (no transaction), which is correct.
    if (!e.client) {
      EXPECT_EQ(e.kind, K::Stray);
      continue;
    }
    std::string what = e.kind == K::Response ? std::to_string(e.msg->status())
                       : e.kind == K::ClientTerminated ? "end" : "other";
    per_tx[e.client.get()].push_back(what);
  }
  ASSERT_EQ(per_tx.size(), static_cast<std::size_t>(kTx));
  using V = std::vector<std::string>;
  for (const auto& [tx, seq] : per_tx) {
    EXPECT_TRUE(seq == (V{"100", "200", "end"}) || seq == (V{"200", "end"})) << ::testing::PrintToString(seq);
  }
}

}  // namespace
}  // namespace parley::sip::test
