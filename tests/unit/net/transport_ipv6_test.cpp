#include <gtest/gtest.h>

#include <system_error>

#include "transport_fixture.hpp"

namespace parley::net::test {
namespace {

using sip::Transport;

// Two nodes on [::1]; skipped where the host has no IPv6 loopback.
std::unique_ptr<Node> v6_node() {
  try {
    return std::make_unique<Node>(config::Limits{}, Certificates::get().tls(),
                                  std::vector<Transport>{Transport::Udp, Transport::Tcp}, "::1");
  } catch (const std::system_error&) {
    return nullptr;
  }
}

TEST(TransportIpv6, UdpAndTcpBetweenTwoNodes) {
  auto a = v6_node();
  auto b = v6_node();
  if (!a || !b) GTEST_SKIP() << "no IPv6 loopback";
  EXPECT_EQ(b->bound[0].address, "::1");

  DoneProbe udp_done;
  a->transport->send(sip::Peer{Transport::Udp, "::1", b->port(Transport::Udp), 0},
                     sip_request("v6udp", "UDP"), udp_done.callback());
  EXPECT_EQ(udp_done.wait(), 1);
  auto got = b->sink.wait_message();
  EXPECT_EQ(got.bytes, sip_request("v6udp", "UDP"));
  EXPECT_EQ(got.source.ip, "::1");
  EXPECT_EQ(got.source.port, a->port(Transport::Udp));

  DoneProbe tcp_done;
  a->transport->send(sip::Peer{Transport::Tcp, "[::1]", b->port(Transport::Tcp), 0},
                     sip_request("v6tcp"), tcp_done.callback());
  EXPECT_EQ(tcp_done.wait(), 1);
  auto over_tcp = b->sink.wait_message(2);
  EXPECT_EQ(over_tcp.bytes, sip_request("v6tcp"));
  EXPECT_EQ(over_tcp.source.ip, "::1");
  EXPECT_EQ(over_tcp.local.ip, "::1");
  EXPECT_EQ(over_tcp.source.transport, Transport::Tcp);
}

}  // namespace
}  // namespace parley::net::test
