#include <gtest/gtest.h>

#include "transport_fixture.hpp"

namespace parley::net::test {
namespace {

using sip::Transport;

TEST(TransportTls, MessageReplyAndPong) {
  Node node;
  TlsClient client(node.port(Transport::Tls));
  ASSERT_TRUE(client.handshake());
  std::string request = sip_request("tls1", "TLS");
  ASSERT_TRUE(client.send(request));
  auto got = node.sink.wait_message();
  EXPECT_EQ(got.bytes, request);
  EXPECT_EQ(got.source.transport, Transport::Tls);
  EXPECT_EQ(got.source.ip, "127.0.0.1");
  EXPECT_NE(got.source.flow, 0u);
  EXPECT_EQ(got.local.transport, Transport::Tls);
  EXPECT_EQ(got.local.port, node.port(Transport::Tls));

  DoneProbe done;
  node.transport->send(got.source, sip_response("tls1"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  EXPECT_EQ(client.read_containing("Call-ID: tls1"), sip_response("tls1"));

  client.clear();
  ASSERT_TRUE(client.send("\r\n\r\n"));
  EXPECT_EQ(client.read_until([](const std::string& s) { return s.size() >= 2; }), "\r\n");
}

TEST(TransportTls, PlainTextOnTheTlsPortIsClosed) {
  Node node;
  TcpClient client(node.port(Transport::Tls));
  ASSERT_TRUE(client.send(sip_request("plain")));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(node.sink.message_count(), 0u);
}

TEST(TransportTls, TlsOnTheTcpPortIsClosed) {
  Node node;
  TlsClient client(node.port(Transport::Tcp));
  EXPECT_FALSE(client.handshake());
  EXPECT_TRUE(client.wait_closed());
}

TEST(TransportTls, SilentClientHitsTheHandshakeTimeout) {
  Node node(short_limits());  // 1 s handshake timeout
  TcpClient client(node.port(Transport::Tls));
  EXPECT_TRUE(client.wait_closed(4s));
  EXPECT_TRUE(node.sink.closed().empty());  // never established
}

TEST(TransportTls, OutboundTlsBetweenTwoNodes) {
  Node a;
  Node b;
  sip::Peer to{Transport::Tls, "127.0.0.1", b.port(Transport::Tls), 0};
  DoneProbe done;
  a.transport->send(to, sip_request("s2s", "TLS"), done.callback());
  EXPECT_EQ(done.wait(), 1);
  auto at_b = b.sink.wait_message();
  EXPECT_EQ(at_b.bytes, sip_request("s2s", "TLS"));
  EXPECT_EQ(at_b.source.transport, Transport::Tls);

  // b answers on the flow; a receives it on its outbound flow.
  b.transport->send(at_b.source, sip_response("s2s"));
  auto at_a = a.sink.wait_message();
  EXPECT_EQ(at_a.bytes, sip_response("s2s"));
  EXPECT_EQ(at_a.source.port, b.port(Transport::Tls));
  EXPECT_NE(at_a.source.flow, 0u);
  EXPECT_EQ(at_a.local.port, a.port(Transport::Tls));
  EXPECT_EQ(a.transport->connection_count(), 1u);

  // b closes; a hears the flow close.
  b.transport->stop();
  EXPECT_TRUE(a.sink.wait_closed(at_a.source.flow));
}

TEST(TransportTls, MutualTlsRequiresATrustedClientCertificate) {
  const auto& certs = Certificates::get();
  Node server(config::Limits{}, certs.tls(/*verify_client=*/true));
  {
    TlsClient anonymous(server.port(Transport::Tls));
    // TLS 1.3: the client learns of the refusal on its first read.
    bool ok = anonymous.handshake() && anonymous.send(sip_request("anon", "TLS"));
    if (ok) {
      EXPECT_TRUE(anonymous.wait_closed());
    }
  }
  {
    TlsClient intruder(server.port(Transport::Tls), certs.other_cert, certs.other_key);
    bool ok = intruder.handshake() && intruder.send(sip_request("intruder", "TLS"));
    if (ok) {
      EXPECT_TRUE(intruder.wait_closed());
    }
  }
  TlsClient trusted(server.port(Transport::Tls), certs.cert, certs.key);
  ASSERT_TRUE(trusted.handshake());
  ASSERT_TRUE(trusted.send(sip_request("trusted", "TLS")));
  EXPECT_EQ(server.sink.wait_message().bytes, sip_request("trusted", "TLS"));
  EXPECT_EQ(server.sink.message_count(), 1u);
}

TEST(TransportTls, OutboundVerifiesTheServerAgainstTheCa) {
  const auto& certs = Certificates::get();
  // b presents a certificate that a's CA (certs.cert) did not issue.
  Node b(config::Limits{}, config::Tls{certs.other_cert, certs.other_key, certs.other_cert, false});
  Node a;
  DoneProbe done;
  a.transport->send(sip::Peer{Transport::Tls, "127.0.0.1", b.port(Transport::Tls), 0},
                    sip_request("untrusted", "TLS"), done.callback());
  EXPECT_EQ(done.wait(), 0);
  EXPECT_EQ(b.sink.message_count(), 0u);
}

}  // namespace
}  // namespace parley::net::test
