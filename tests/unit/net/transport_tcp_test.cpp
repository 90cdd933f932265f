#include <gtest/gtest.h>

#include "transport_fixture.hpp"

namespace parley::net::test {
namespace {

using sip::Transport;

TEST(TransportTcp, MessageIsDeliveredAndReplyUsesTheSameConnection) {
  Node node;
  TcpClient client(node.port(Transport::Tcp));
  std::string request = sip_request("tcp1");
  ASSERT_TRUE(client.send(request));
  auto got = node.sink.wait_message();
  EXPECT_EQ(got.bytes, request);
  EXPECT_EQ(got.source.transport, Transport::Tcp);
  EXPECT_EQ(got.source.ip, "127.0.0.1");
  EXPECT_EQ(got.source.port, client.port());
  EXPECT_NE(got.source.flow, 0u);
  EXPECT_EQ(got.local.transport, Transport::Tcp);
  EXPECT_EQ(got.local.port, node.port(Transport::Tcp));
  EXPECT_TRUE(node.transport->has_flow(got.source.flow));

  DoneProbe done;
  node.transport->send(got.source, sip_response("tcp1"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  EXPECT_EQ(client.read_bytes(sip_response("tcp1").size()), sip_response("tcp1"));
}

TEST(TransportTcp, StreamIsCutIntoMessages) {
  Node node;
  TcpClient client(node.port(Transport::Tcp));
  std::string a = sip_request("a", "TCP", "first body");
  std::string b = sip_request("b", "TCP", "second");
  std::string c = sip_request("c");
  // Two messages and a half in one write, the rest in a second one, with a
  // stray CRLF between messages (RFC 3261 7.5).
  std::string stream = a + b + "\r\n" + c;
  std::size_t cut = a.size() + b.size() + 10;
  ASSERT_TRUE(client.send(stream.substr(0, cut)));
  EXPECT_EQ(node.sink.wait_message(2).bytes, b);
  ASSERT_TRUE(client.send(stream.substr(cut)));
  EXPECT_EQ(node.sink.wait_message(3).bytes, c);
  EXPECT_EQ(node.sink.wait_message(1).bytes, a);
  auto first = node.sink.wait_message(1);
  auto third = node.sink.wait_message(3);
  EXPECT_EQ(first.source.flow, third.source.flow);
}

TEST(TransportTcp, MessageTrickledByteByByte) {
  Node node;
  TcpClient client(node.port(Transport::Tcp));
  std::string request = sip_request("slow", "TCP", "a body");
  for (char c : request) ASSERT_TRUE(client.send(std::string_view(&c, 1)));
  EXPECT_EQ(node.sink.wait_message().bytes, request);
  EXPECT_EQ(node.sink.message_count(), 1u);
}

TEST(TransportTcp, PingGetsPong) {
  // RFC 5626 3.5.1
  Node node;
  TcpClient client(node.port(Transport::Tcp));
  ASSERT_TRUE(client.send("\r\n\r\n"));
  EXPECT_EQ(client.read_bytes(2), "\r\n");
  // The connection still carries messages afterwards; pings are not delivered.
  ASSERT_TRUE(client.send(sip_request("after-ping")));
  EXPECT_EQ(node.sink.wait_message().bytes, sip_request("after-ping"));
  EXPECT_EQ(node.sink.message_count(), 1u);
}

TEST(TransportTcp, GarbageClosesOnlyThatConnection) {
  Node node;
  TcpClient bad(node.port(Transport::Tcp));
  TcpClient good(node.port(Transport::Tcp));
  ASSERT_TRUE(bad.send(sip_request("bad-first")));
  auto first = node.sink.wait_message(1);
  ASSERT_EQ(first.bytes, sip_request("bad-first"));
  const sip::FlowId bad_flow = first.source.flow;

  ASSERT_TRUE(bad.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(bad.wait_closed());
  EXPECT_TRUE(node.sink.wait_closed(bad_flow));
  EXPECT_FALSE(node.transport->has_flow(bad_flow));

  ASSERT_TRUE(good.send(sip_request("good")));
  auto got = node.sink.wait_message(2);
  EXPECT_EQ(got.bytes, sip_request("good"));
  EXPECT_NE(got.source.flow, bad_flow);
  DoneProbe done;
  node.transport->send(got.source, sip_response("good"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  EXPECT_EQ(good.read_containing("Call-ID: good"), sip_response("good"));
}

TEST(TransportTcp, BadContentLengthAndOversizeClose) {
  config::Limits limits;
  limits.max_message_size = 1000;
  Node node(limits);
  TcpClient bad_length(node.port(Transport::Tcp));
  ASSERT_TRUE(bad_length.send("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: x\r\n\r\n"));
  EXPECT_TRUE(bad_length.wait_closed());
  TcpClient too_big(node.port(Transport::Tcp));
  ASSERT_TRUE(too_big.send(sip_request("big", "TCP", std::string(2000, 'x'))));
  EXPECT_TRUE(too_big.wait_closed());
  EXPECT_EQ(node.sink.message_count(), 0u);
}

TEST(TransportTcp, PeerCloseReportsTheFlow) {
  Node node;
  sip::FlowId flow = 0;
  {
    TcpClient client(node.port(Transport::Tcp));
    ASSERT_TRUE(client.send(sip_request("bye")));
    flow = node.sink.wait_message().source.flow;
    ASSERT_NE(flow, 0u);
  }
  EXPECT_TRUE(node.sink.wait_closed(flow));
  EXPECT_FALSE(node.transport->has_flow(flow));
  EXPECT_EQ(node.transport->connection_count(), 0u);
}

TEST(TransportTcp, IdleConnectionIsClosed) {
  Node node(short_limits());  // 1 s idle timeout
  TcpClient client(node.port(Transport::Tcp));
  ASSERT_TRUE(client.send(sip_request("idle")));
  const sip::FlowId flow = node.sink.wait_message().source.flow;
  const auto start = Clock::now();
  EXPECT_TRUE(client.wait_closed(4s));
  EXPECT_GE(Clock::now() - start, 500ms);
  EXPECT_TRUE(node.sink.wait_closed(flow));
}

TEST(TransportTcp, SlowSenderIsCutOffWhileOthersAreServed) {
  config::Limits limits;
  limits.message_timeout = std::chrono::seconds(1);  // idle stays at its 600 s default
  Node node(limits);
  TcpClient slow(node.port(Transport::Tcp));
  TcpClient fair(node.port(Transport::Tcp));
  const std::string request = sip_request("slow");
  const auto start = Clock::now();
  bool closed = false;
  // One byte every 100 ms: never idle, never a whole message within 1 s.
  for (std::size_t i = 0; i < request.size() && Clock::now() - start < 4s; ++i) {
    if (!slow.send(request.substr(i, 1))) break;
    if (slow.wait_closed(100ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed || slow.wait_closed(2s)) << "the slow sender kept its connection";
  EXPECT_GE(Clock::now() - start, 900ms);
  EXPECT_LT(Clock::now() - start, 3s);
  // A client that sends whole messages is unaffected.
  ASSERT_TRUE(fair.send(sip_request("fair")));
  EXPECT_FALSE(node.sink.wait_message().bytes.empty());
}

TEST(TransportTcp, ConnectionsOverThePerAddressLimitAreRefused) {
  config::Limits limits;
  limits.max_connections_per_ip = 2;
  Node node(limits);
  TcpClient one(node.port(Transport::Tcp));
  TcpClient two(node.port(Transport::Tcp));
  ASSERT_TRUE(one.send(sip_request("one")));
  ASSERT_TRUE(two.send(sip_request("two")));
  ASSERT_FALSE(node.sink.wait_message(2).bytes.empty());
  TcpClient three(node.port(Transport::Tcp));
  EXPECT_TRUE(three.wait_closed());
  // The first two keep working.
  auto got = node.sink.wait_message(1);
  DoneProbe done;
  node.transport->send(got.source, sip_response("again"), done.callback());
  EXPECT_EQ(done.wait(), 1);
}

TEST(TransportTcp, ConnectionsOverTheTotalLimitAreRefused) {
  config::Limits limits;
  limits.max_connections = 1;
  Node node(limits);
  TcpClient one(node.port(Transport::Tcp));
  ASSERT_TRUE(one.send(sip_request("one")));
  ASSERT_FALSE(node.sink.wait_message().bytes.empty());
  TcpClient two(node.port(Transport::Tcp));
  EXPECT_TRUE(two.wait_closed());
  // Outbound connections count against the total as well.
  TcpServer far;
  DoneProbe done;
  node.transport->send(sip::Peer{Transport::Tcp, "127.0.0.1", far.port(), 0}, "x",
                       done.callback());
  EXPECT_EQ(done.wait(), 0);
}

TEST(TransportTcp, OutboundConnectionWhenThereIsNoFlow) {
  Node node;
  TcpServer far;
  sip::Peer to{Transport::Tcp, "127.0.0.1", far.port(), 0};
  DoneProbe done;
  node.transport->send(to, sip_request("out1"), done.callback());
  auto conn = far.accept();
  ASSERT_TRUE(conn);
  EXPECT_EQ(conn->read_containing("Call-ID: out1"), sip_request("out1"));
  EXPECT_EQ(done.wait(), 1);

  // The far end answers on that connection: it arrives as a flow of ours.
  ASSERT_TRUE(conn->send(sip_response("out1")));
  auto got = node.sink.wait_message();
  EXPECT_EQ(got.bytes, sip_response("out1"));
  EXPECT_EQ(got.source.port, far.port());
  EXPECT_NE(got.source.flow, 0u);
  // Local names our TCP listener port, for Via (RFC 3261 18.1.1).
  EXPECT_EQ(got.local.port, node.port(Transport::Tcp));

  // A second message to the same address reuses the connection.
  DoneProbe again;
  node.transport->send(to, sip_request("out2"), again.callback());
  EXPECT_EQ(again.wait(), 1);
  EXPECT_NE(conn->read_containing("Call-ID: out2").find("Call-ID: out2"), std::string::npos);
  EXPECT_EQ(far.accept(100ms), nullptr);
  EXPECT_EQ(node.transport->connection_count(), 1u);

  // The far end hangs up: the flow is reported closed.
  conn.reset();
  EXPECT_TRUE(node.sink.wait_closed(got.source.flow));
}

TEST(TransportTcp, DeadFlowFallsBackToTheAddress) {
  Node node;
  TcpServer far;
  // A flow id that never existed, with an address: a new connection is made.
  sip::Peer to{Transport::Tcp, "127.0.0.1", far.port(), 987654};
  DoneProbe done;
  node.transport->send(to, sip_request("fallback"), done.callback());
  auto conn = far.accept();
  ASSERT_TRUE(conn);
  EXPECT_NE(conn->read_containing("Call-ID: fallback").find("fallback"), std::string::npos);
  EXPECT_EQ(done.wait(), 1);
}

TEST(TransportTcp, ConnectFailureIsReported) {
  Node node;
  std::uint16_t closed_port;
  {
    TcpServer gone;
    closed_port = gone.port();
  }
  DoneProbe done;
  node.transport->send(sip::Peer{Transport::Tcp, "127.0.0.1", closed_port, 0}, sip_request("x"),
                       done.callback());
  EXPECT_EQ(done.wait(), 0);
  EXPECT_TRUE(node.sink.closed().empty());  // never established: no flow-closed event
}

TEST(TransportTcp, StopClosesFlowsAndFailsLaterSends) {
  Node node;
  TcpClient client(node.port(Transport::Tcp));
  ASSERT_TRUE(client.send(sip_request("stop")));
  auto got = node.sink.wait_message();
  node.transport->stop();
  EXPECT_TRUE(node.sink.wait_closed(got.source.flow, 0ms));
  EXPECT_TRUE(client.wait_closed());
  DoneProbe done;
  node.transport->send(got.source, "x", done.callback());
  EXPECT_EQ(done.wait(), 0);
}

}  // namespace
}  // namespace parley::net::test
