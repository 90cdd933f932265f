#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "transport_fixture.hpp"

namespace parley::net::test {
namespace {

using sip::Transport;

TEST(TransportUdp, ListenerReportsItsBoundPort) {
  Node node;
  ASSERT_EQ(node.bound.size(), 3u);
  EXPECT_EQ(node.bound[0].transport, Transport::Udp);
  EXPECT_EQ(node.bound[0].address, "127.0.0.1");
  EXPECT_NE(node.bound[0].port, 0);
  auto listed = node.transport->listeners();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].port, node.bound[0].port);
}

TEST(TransportUdp, DatagramIsDeliveredWithItsSource) {
  Node node;
  UdpClient client;
  std::string request = sip_request("udp1", "UDP");
  ASSERT_TRUE(client.send_to(node.port(Transport::Udp), request));
  auto got = node.sink.wait_message();
  EXPECT_EQ(got.bytes, request);
  EXPECT_EQ(got.source.transport, Transport::Udp);
  EXPECT_EQ(got.source.ip, "127.0.0.1");
  EXPECT_EQ(got.source.port, client.port());
  EXPECT_NE(got.source.flow, 0u);
  EXPECT_EQ(got.local.transport, Transport::Udp);
  EXPECT_EQ(got.local.ip, "127.0.0.1");
  EXPECT_EQ(got.local.port, node.port(Transport::Udp));
  EXPECT_NE(got.thread, std::this_thread::get_id());
}

// One source, two workers: the listener's BPF program spreads its datagrams
// over both sockets (at random), where the kernel's hash would pick one.
TEST(TransportUdp, OneSourceIsSpreadOverTheWorkers) {
  Node node;
  UdpClient client;
  constexpr int kDatagrams = 64;
  std::set<sip::FlowId> flows;
  std::set<std::thread::id> threads;
  for (int i = 0; i < kDatagrams; ++i) {
    ASSERT_TRUE(
        client.send_to(node.port(Transport::Udp), sip_request("spread" + std::to_string(i), "UDP")));
    auto got = node.sink.wait_message(static_cast<std::size_t>(i) + 1);
    ASSERT_NE(got.source.flow, 0u);
    flows.insert(got.source.flow);
    threads.insert(got.thread);
  }
  // All on one socket by chance: probability 2 * 2^-64.
  EXPECT_EQ(flows.size(), 2u);
  EXPECT_EQ(threads.size(), 2u);
}

TEST(TransportUdp, ReplyLeavesFromTheListenerPort) {
  Node node;
  UdpClient client;
  ASSERT_TRUE(client.send_to(node.port(Transport::Udp), sip_request("udp2", "UDP")));
  auto got = node.sink.wait_message();
  ASSERT_FALSE(got.bytes.empty());
  DoneProbe done;
  node.transport->send(got.source, sip_response("udp2"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  auto [reply, from_port] = client.receive();
  EXPECT_EQ(reply, sip_response("udp2"));
  EXPECT_EQ(from_port, node.port(Transport::Udp));
}

TEST(TransportUdp, SendWithoutFlowUsesAListenerSocket) {
  Node node;
  UdpClient client;
  sip::Peer to{Transport::Udp, "127.0.0.1", client.port(), 0};
  DoneProbe done;
  node.transport->send(to, sip_request("udp3", "UDP"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  auto [bytes, from_port] = client.receive();
  EXPECT_EQ(bytes, sip_request("udp3", "UDP"));
  EXPECT_EQ(from_port, node.port(Transport::Udp));
}

TEST(TransportUdp, KeepAlivesAndStunAreDropped) {
  Node node;
  UdpClient client;
  const std::uint16_t port = node.port(Transport::Udp);
  ASSERT_TRUE(client.send_to(port, "\r\n\r\n"));
  ASSERT_TRUE(client.send_to(port, "\r\n"));
  const char stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, static_cast<char>(0xa4), 0x42};
  ASSERT_TRUE(client.send_to(port, std::string_view(stun, sizeof stun)));
  ASSERT_TRUE(client.send_to(port, "hello"));
  std::string request = sip_request("udp4", "UDP");
  ASSERT_TRUE(client.send_to(port, request));
  // Datagrams from one source reach the same socket in order, so the first
  // message delivered is the SIP one and nothing else came before it.
  auto got = node.sink.wait_message();
  EXPECT_EQ(got.bytes, request);
  EXPECT_EQ(node.sink.message_count(), 1u);
  // No pong for a UDP keep-alive.
  EXPECT_TRUE(client.receive(50ms).first.empty());
}

TEST(TransportUdp, OversizedDatagramIsDropped) {
  config::Limits limits;
  limits.max_message_size = 500;
  Node node(limits);
  UdpClient client;
  const std::uint16_t port = node.port(Transport::Udp);
  ASSERT_TRUE(client.send_to(port, sip_request("big", "UDP", std::string(600, 'x'))));
  std::string small = sip_request("small", "UDP");
  ASSERT_TRUE(client.send_to(port, small));
  EXPECT_EQ(node.sink.wait_message().bytes, small);
  EXPECT_EQ(node.sink.message_count(), 1u);
}

TEST(TransportUdp, SendToABadAddressFails) {
  Node node;
  DoneProbe done;
  node.transport->send(sip::Peer{Transport::Udp, "not-an-ip", 5060, 0}, "x", done.callback());
  EXPECT_EQ(done.wait(), 0);
  DoneProbe v6;  // no IPv6 UDP listener
  node.transport->send(sip::Peer{Transport::Udp, "::1", 5060, 0}, "x", v6.callback());
  EXPECT_EQ(v6.wait(), 0);
}

}  // namespace
}  // namespace parley::net::test
