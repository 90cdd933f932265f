#include "sip/transaction/response_destination.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace parley::sip {
namespace {

using test::Req;

const Peer kNatSource{Transport::Udp, "198.51.100.7", 40123, 3};

TEST(ResponseDestination, UdpWithRportUsesTheSourceAddressAndPort) {
  Req r;
  r.via = "SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKx";
  Peer to = response_destination(r.msg(), kNatSource);
  EXPECT_EQ(to.ip, "198.51.100.7");
  EXPECT_EQ(to.port, 40123);
  EXPECT_EQ(to.flow, 3u);
  EXPECT_EQ(to.transport, Transport::Udp);
}

TEST(ResponseDestination, UdpWithoutRportUsesSourceAddressAndSentByPort) {
  Req r;
  r.via = "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKx";
  Peer to = response_destination(r.msg(), kNatSource);
  EXPECT_EQ(to.ip, "198.51.100.7");  // what "received" would say
  EXPECT_EQ(to.port, 5062);
  EXPECT_EQ(to.flow, 3u);
  r.via = "SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKx";
  EXPECT_EQ(response_destination(r.msg(), kNatSource).port, 5060);
}

TEST(ResponseDestination, ReliableTransportsUseTheSameFlow) {
  Req r;
  r.via = "SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKx";
  Peer src{Transport::Tls, "198.51.100.7", 50000, 42};
  Peer to = response_destination(r.msg(), src);
  EXPECT_TRUE(to.same_address(src));
  EXPECT_EQ(to.flow, 42u);
}

}  // namespace
}  // namespace parley::sip
