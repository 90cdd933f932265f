// Record-Route (RFC 3261 16.6 step 4, RFC 5658), route pre-processing of
// in-dialog requests (16.4), the stateless ACK for 2xx (13.2.2.4, 16.11) and
// stray 2xx responses (16.7, 16.11).
#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

class RoutingTest : public ProxyTest {
 protected:
  static constexpr const char* kAliceContact = "sip:alice@192.0.2.10:5070";

  // A request of the dialog alice (caller) and bob share, sent by `sender_via`.
  Request in_dialog(const std::string& method, const std::string& ruri,
                    const std::vector<std::string>& routes) {
    Request r;
    r.method = method;
    r.ruri = ruri;
    r.call_id = "inv-1@192.0.2.10";
    r.from = "<sip:bob@parley.test>;tag=bt1";
    r.to = "\"Alice\" <sip:alice@parley.test>;tag=af1";
    r.vias = {"SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bKbye1"};
    r.cseq = 7;
    r.body.clear();
    for (const auto& route : routes) r.with("Route: " + route);
    return r;
  }
};

TEST_F(RoutingTest, InviteIsRecordRoutedAndItsAnswersRelayed) {
  ASSERT_EQ(receive(authorized(invite()), alice_udp), sip::Disposition::NewTransaction);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_EQ(fwd.line(), "INVITE sip:bob@192.0.2.20:5080 SIP/2.0");
  Message f = fwd.msg();
  EXPECT_EQ(values(f, HeaderId::RecordRoute), std::vector<std::string>{our_rr(kOurUri, "inv-1@192.0.2.10")});
  EXPECT_EQ(f.top_via()->transport, "UDP");
  EXPECT_EQ(f.max_forwards(), 69u);
  EXPECT_EQ(value(f, HeaderId::Contact), "<sip:alice@192.0.2.10:5070>");
  EXPECT_EQ(f.content_type(), "application/sdp");
  EXPECT_EQ(f.body(), invite().body);

  answer(fwd, 100, bob_udp);
  EXPECT_TRUE(sent().empty());  // 16.7 step 5: 100 is never forwarded
  answer(fwd, 180, bob_udp);
  Sent ringing = one_sent();
  EXPECT_PEER(ringing.to, alice_udp);
  EXPECT_EQ(ringing.line(), "SIP/2.0 180 Ringing");
  EXPECT_EQ(values(ringing.msg(), HeaderId::Via).size(), 1u);
  EXPECT_EQ(values(ringing.msg(), HeaderId::RecordRoute), std::vector<std::string>{our_rr(kOurUri, "inv-1@192.0.2.10")});

  answer(fwd, 200, bob_udp);
  Sent ok = one_sent();
  EXPECT_PEER(ok.to, alice_udp);
  EXPECT_EQ(ok.line(), "SIP/2.0 200 OK");
  Message o = ok.msg();
  EXPECT_EQ(values(o, HeaderId::Via),
            std::vector<std::string>{"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKinv1"});
  EXPECT_EQ(values(o, HeaderId::RecordRoute), std::vector<std::string>{our_rr(kOurUri, "inv-1@192.0.2.10")});
  EXPECT_EQ(value(o, HeaderId::Contact), "<sip:bob@192.0.2.20:5080>");
}

TEST_F(RoutingTest, SubscribeIsRecordRoutedOptionsIsNot) {
  Request sub;
  sub.method = "SUBSCRIBE";
  sub.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKsub1"};
  sub.body.clear();
  sub.extra = {"Event: presence", "Expires: 600", "Contact: <sip:alice@192.0.2.10:5070>"};
  receive(authorized(sub), alice_udp);
  Sent s = one_sent();
  EXPECT_EQ(s.line(), "SUBSCRIBE sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_EQ(values(s.msg(), HeaderId::RecordRoute),
            std::vector<std::string>{our_rr(kOurUri, "call-1@192.0.2.10")});
  EXPECT_EQ(value(s.msg(), HeaderId::Event), "presence");

  Request opt;
  opt.method = "OPTIONS";
  opt.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKopt1"};
  opt.body.clear();
  receive(authorized(opt), alice_udp);
  Sent o = one_sent();
  EXPECT_EQ(o.line(), "OPTIONS sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_EQ(o.msg().count(HeaderId::RecordRoute), 0u);
}

TEST_F(RoutingTest, ReInviteInTheDialogIsNotRecordRoutedAgain) {
  Request r = in_dialog("INVITE", kBobUdpContact, {our_rr()});
  r.from = "\"Alice\" <sip:alice@parley.test>;tag=af1";
  r.to = "<sip:bob@parley.test>;tag=bt1";
  r.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKreinv"};
  receive(r, alice_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, bob_udp);
  EXPECT_EQ(s.line(), "INVITE sip:bob@192.0.2.20:5080 SIP/2.0");
  EXPECT_EQ(s.msg().count(HeaderId::RecordRoute), 0u);
  EXPECT_EQ(s.msg().count(HeaderId::Route), 0u);
}

TEST_F(RoutingTest, ServerTransactionSendsTryingWhenNobodyAnswersQuickly) {
  receive(authorized(invite()), alice_udp);
  EXPECT_EQ(one_sent().to.ip, "192.0.2.20");
  clock_.advance(200ms);  // RFC 3261 17.2.1 (the transaction layer's 100)
  Sent trying = one_sent();
  EXPECT_PEER(trying.to, alice_udp);
  EXPECT_EQ(trying.line(), "SIP/2.0 100 Trying");
}

TEST_F(RoutingTest, CallerOnTcpCalleeOnUdpGetsDoubleRecordRoute) {
  Request r = invite();
  r.vias = {"SIP/2.0/TCP 192.0.2.10:50001;branch=z9hG4bKtcp1"};
  receive(authorized(r), alice_tcp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  Message f = fwd.msg();
  // RFC 5658: the top entry faces the callee (UDP), the next one the caller (TCP).
  EXPECT_EQ(values(f, HeaderId::RecordRoute),
            (std::vector<std::string>{our_rr(kOurUri, "inv-1@192.0.2.10"),
                                      our_rr("sip:127.0.0.1:5060;transport=tcp", "inv-1@192.0.2.10")}));
  auto vias = values(f, HeaderId::Via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].rfind("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK", 0), 0u) << vias[0];

  answer(fwd, 200, bob_udp);
  Sent ok = one_sent();
  EXPECT_PEER(ok.to, alice_tcp);  // over the caller's connection
  EXPECT_EQ(ok.line(), "SIP/2.0 200 OK");
}

TEST_F(RoutingTest, CalleeOnTlsGetsTlsViaAndRecordRoute) {
  const Peer bob_tls{Transport::Tls, "192.0.2.23", 50003, 14};
  location_.remove_all("bob@parley.test", "", 0);
  bind("bob@parley.test", "sip:bob@192.0.2.23:5061;transport=tls", bob_tls);
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_tls);
  Message f = fwd.msg();
  EXPECT_EQ(values(f, HeaderId::RecordRoute),
            (std::vector<std::string>{our_rr("sip:127.0.0.1:5061;transport=tls", "inv-1@192.0.2.10"),
                                      our_rr(kOurUri, "inv-1@192.0.2.10")}));
  EXPECT_EQ(f.top_via()->transport, "TLS");
  EXPECT_EQ(f.top_via()->host, "127.0.0.1");
  EXPECT_EQ(f.top_via()->port, 5061);
}

TEST_F(RoutingTest, InDialogRequestPopsOurRouteAndGoesToRegisteredContactFlow) {
  bind("alice@parley.test", kAliceContact, alice_udp);
  ASSERT_EQ(receive(in_dialog("BYE", kAliceContact, {our_rr()}), bob_udp),
            sip::Disposition::NewTransaction);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, alice_udp);
  EXPECT_EQ(fwd.line(), "BYE sip:alice@192.0.2.10:5070 SIP/2.0");
  Message f = fwd.msg();
  EXPECT_EQ(f.count(HeaderId::Route), 0u);
  EXPECT_EQ(f.count(HeaderId::RecordRoute), 0u);  // never in a dialog
  EXPECT_EQ(f.find(HeaderId::ProxyAuthenticate), nullptr);
  auto vias = values(f, HeaderId::Via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[1], "SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bKbye1");
  EXPECT_EQ(f.max_forwards(), 69u);

  answer(fwd, 200, alice_udp, "af1");
  Sent ok = one_sent();
  EXPECT_PEER(ok.to, bob_udp);
  EXPECT_EQ(ok.line(), "SIP/2.0 200 OK");
}

TEST_F(RoutingTest, InDialogRequestToNumericTargetGoesToItsAddress) {
  ASSERT_EQ(receive(in_dialog("INFO", "sip:alice@192.0.2.50:5090;transport=tcp", {our_rr()}),
                    bob_udp),
            sip::Disposition::NewTransaction);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, (Peer{Transport::Tcp, "192.0.2.50", 5090, 0}));
  EXPECT_EQ(fwd.line(), "INFO sip:alice@192.0.2.50:5090;transport=tcp SIP/2.0");
  EXPECT_EQ(fwd.msg().top_via()->transport, "TCP");
}

TEST_F(RoutingTest, BothHalvesOfDoubleRecordRouteArePopped) {
  bind("alice@parley.test", "sip:alice@192.0.2.10:50001;transport=tcp", alice_tcp);
  receive(in_dialog("BYE", "sip:alice@192.0.2.10:50001;transport=tcp",
                    {our_rr(),
                     our_rr("sip:127.0.0.1:5060;transport=tcp")}),
          bob_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, alice_tcp);
  EXPECT_EQ(fwd.msg().count(HeaderId::Route), 0u);
  EXPECT_EQ(fwd.msg().top_via()->transport, "TCP");
}

TEST_F(RoutingTest, RouteBeyondUsIsFollowed) {
  receive(in_dialog("BYE", "sip:alice@192.0.2.10:5070",
                    {our_rr(), "<sip:192.0.2.40:5070;lr>", "<sip:192.0.2.41;lr>"}),
          bob_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, (Peer{Transport::Udp, "192.0.2.40", 5070, 0}));
  EXPECT_EQ(fwd.line(), "BYE sip:alice@192.0.2.10:5070 SIP/2.0");  // loose routing
  EXPECT_EQ(values(fwd.msg(), HeaderId::Route),
            (std::vector<std::string>{"<sip:192.0.2.40:5070;lr>", "<sip:192.0.2.41;lr>"}));
}

TEST_F(RoutingTest, StrictRouterPutOurUriInTheRequestUri) {
  // RFC 3261 16.4: the real Request-URI is the last Route.
  std::string strict = our_rr();  // "<uri;lr;dt=...>" without the brackets
  receive(in_dialog("BYE", strict.substr(1, strict.size() - 2), {"<sip:alice@192.0.2.50:5090>"}),
          bob_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, (Peer{Transport::Udp, "192.0.2.50", 5090, 0}));
  EXPECT_EQ(fwd.line(), "BYE sip:alice@192.0.2.50:5090 SIP/2.0");
  EXPECT_EQ(fwd.msg().count(HeaderId::Route), 0u);
}

TEST_F(RoutingTest, UnreachableRemoteTargetIsNotFound) {
  receive(in_dialog("BYE", "sip:alice@needs-dns.example.com", {our_rr()}), bob_udp);
  Sent s = one_sent();
  EXPECT_PEER(s.to, bob_udp);
  EXPECT_EQ(s.line(), "SIP/2.0 404 Not Found");
}

TEST_F(RoutingTest, AckForTwoHundredIsForwardedStatelesslyAlongTheRouteSet) {
  Request ack;
  ack.method = "ACK";
  ack.ruri = kBobUdpContact;
  ack.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack1"};
  ack.call_id = "inv-1@192.0.2.10";
  ack.to = "<sip:bob@parley.test>;tag=bt1";
  ack.body.clear();
  ack.with(std::string("Route: ") + our_rr(kOurUri, "inv-1@192.0.2.10"));
  ASSERT_EQ(receive(ack, alice_udp), sip::Disposition::AckPassedUp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_EQ(fwd.tid, 0u);  // no transaction
  EXPECT_EQ(fwd.line(), "ACK sip:bob@192.0.2.20:5080 SIP/2.0");
  Message f = fwd.msg();
  EXPECT_EQ(f.count(HeaderId::Route), 0u);
  auto vias = values(f, HeaderId::Via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].rfind("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK", 0), 0u) << vias[0];
  EXPECT_EQ(vias[1], "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack1");
  EXPECT_EQ(f.max_forwards(), 69u);

  // A retransmission leaves with the same branch (RFC 3261 16.11).
  receive(ack, alice_udp);
  Sent again = one_sent();
  EXPECT_EQ(values(again.msg(), HeaderId::Via), vias);

  // Another ACK (another branch) gets another one.
  ack.branch("z9hG4bKack2");
  receive(ack, alice_udp);
  EXPECT_NE(one_sent().msg().top_via()->branch(), f.top_via()->branch());
}

TEST_F(RoutingTest, AckToLocalAorGoesToItsBinding) {
  Request ack;
  ack.method = "ACK";
  ack.ruri = "sip:bob@parley.test";
  ack.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack3"};
  ack.to = "<sip:bob@parley.test>;tag=bt1";
  ack.body.clear();
  receive(ack, alice_udp);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_EQ(fwd.line(), "ACK sip:bob@192.0.2.20:5080 SIP/2.0");
}

TEST_F(RoutingTest, AckWithMaxForwardsZeroOrNoRouteIsDropped) {
  Request ack;
  ack.method = "ACK";
  ack.ruri = kBobUdpContact;
  ack.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack4"};
  ack.to = "<sip:bob@parley.test>;tag=bt1";
  ack.body.clear();
  ack.max_forwards = 0;
  receive(ack, alice_udp);
  EXPECT_TRUE(sent().empty());

  Request nowhere = ack;
  nowhere.max_forwards = 70;
  nowhere.ruri = "sip:carol@parley.test";  // no binding
  nowhere.branch("z9hG4bKack5");
  receive(nowhere, alice_udp);
  EXPECT_TRUE(sent().empty());
}

TEST_F(RoutingTest, StrayTwoHundredGoesToTheNextViasReceivedAndRport) {
  std::string resp =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKPl0123456789abcdef.x1\r\n"
      "Via: SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bKc1;received=198.51.100.7;rport=40111\r\n"
      "From: <sip:alice@parley.test>;tag=af1\r\n"
      "To: <sip:bob@parley.test>;tag=bt1\r\n"
      "Call-ID: stray-1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:bob@192.0.2.20:5080>\r\n"
      "Content-Length: 0\r\n\r\n";
  ASSERT_EQ(receive(resp, bob_udp), sip::Disposition::StrayResponse);
  Sent fwd = one_sent();
  EXPECT_PEER(fwd.to, (Peer{Transport::Udp, "198.51.100.7", 40111, 0}));
  EXPECT_EQ(fwd.tid, 0u);
  EXPECT_EQ(fwd.line(), "SIP/2.0 200 OK");
  EXPECT_EQ(values(fwd.msg(), HeaderId::Via),
            std::vector<std::string>{
                "SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bKc1;received=198.51.100.7;rport=40111"});
  EXPECT_EQ(value(fwd.msg(), HeaderId::Contact), "<sip:bob@192.0.2.20:5080>");
}

TEST_F(RoutingTest, StrayResponseWhoseTopViaIsNotOursIsDropped) {
  std::string resp =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKother\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKc1\r\n"
      "From: <sip:alice@parley.test>;tag=af1\r\n"
      "To: <sip:bob@parley.test>;tag=bt1\r\n"
      "Call-ID: stray-2\r\n"
      "CSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  ASSERT_EQ(receive(resp, bob_udp), sip::Disposition::StrayResponse);
  EXPECT_TRUE(sent().empty());
}

TEST_F(RoutingTest, TwoHundredRetransmittedAfterTheTransactionsEndedStillReachesCaller) {
  receive(authorized(invite()), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 200, bob_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 200 OK");
  // While the client transaction is Accepted (RFC 6026 Timer M) a
  // retransmission goes through it.
  answer(fwd, 200, bob_udp);
  Sent again = one_sent();
  EXPECT_PEER(again.to, alice_udp);
  EXPECT_EQ(again.line(), "SIP/2.0 200 OK");
  clock_.advance(33s);  // Timers L and M (64*T1) end both transactions
  sent();
  EXPECT_EQ(layer_.client_count(), 0u);
  EXPECT_EQ(layer_.server_count(), 0u);
  ASSERT_EQ(answer(fwd, 200, bob_udp), sip::Disposition::StrayResponse);
  Sent stray = one_sent();
  EXPECT_PEER(stray.to, (Peer{Transport::Udp, "192.0.2.10", 5070, 0}));  // the Via's sent-by
  EXPECT_EQ(stray.line(), "SIP/2.0 200 OK");
  EXPECT_EQ(values(stray.msg(), HeaderId::Via).size(), 1u);
}

}  // namespace
}  // namespace parley::proxy::test
