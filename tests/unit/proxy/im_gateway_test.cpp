// The IM gateway (im_gateway.hpp): a Lync-style IM INVITE to a user with only
// standard SIP clients is answered by the proxy and relayed as pager-mode
// MESSAGEs; to a Lync-protocol client it is forwarded as any INVITE.
#include "roles/proxy/im_gateway.hpp"

#include <gtest/gtest.h>

#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

constexpr const char* kImSdp =
    "v=0\r\no=- 0 0 IN IP4 192.0.2.10\r\ns=session\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=message 5060 sip null\r\na=accept-types:text/plain\r\n";

Request im_invite(bool with_first_message) {
  Request r = invite();
  r.body = kImSdp;
  // "aGVsbG8gYm9i" is base64 of "hello bob".
  if (with_first_message)
    r.with("Ms-Text-Format: text/plain; charset=UTF-8;msgr=WAAtAE0A;ms-body=aGVsbG8gYm9i");
  return r;
}

class ImGatewayTest : public ProxyTest {
 protected:
  ImGatewayTest() : gateway_(identity_, layer_, clock_, "Parley") {
    proxy_.set_im_gateway(&gateway_);
    // alice is a Lync-protocol client: registered with msrtc-event-categories,
    // over the flow her requests come from.
    registrar::BindingUpdate u;
    u.contact = "sip:alice@192.0.2.10:5070";
    u.expires = 3600;
    u.lync = true;
    location_.update("alice@parley.test", {u}, "reg-alice", 1, alice_udp, clock_.now());
  }
  ~ImGatewayTest() override { proxy_.set_im_gateway(nullptr); }
  ImGateway gateway_;
};

TEST_F(ImGatewayTest, ImInviteToAStandardClientIsAnsweredAndRelayedAsMessages) {
  receive(authorized(im_invite(true)), alice_udp);
  std::vector<Sent> out = sent();
  ASSERT_EQ(out.size(), 2u);
  // The first message, taken from Ms-Text-Format, goes to bob as a MESSAGE.
  const Sent& relayed = out[0].line().starts_with("MESSAGE") ? out[0] : out[1];
  const Sent& ok = out[0].line().starts_with("MESSAGE") ? out[1] : out[0];
  EXPECT_PEER(relayed.to, bob_udp);
  EXPECT_EQ(relayed.line(), std::string("MESSAGE ") + kBobUdpContact + " SIP/2.0");
  Message m = relayed.msg();
  EXPECT_EQ(m.body(), "hello bob");
  EXPECT_EQ(m.content_type(), "text/plain; charset=UTF-8");
  EXPECT_EQ(m.from()->uri.aor(), "alice@parley.test");
  EXPECT_EQ(m.to()->uri.aor(), "bob@parley.test");

  EXPECT_PEER(ok.to, alice_udp);
  EXPECT_EQ(ok.line(), "SIP/2.0 200 OK");
  Message o = ok.msg();
  std::string contact = value(o, HeaderId::Contact);
  EXPECT_NE(contact.find("ms-imgw"), std::string::npos) << contact;
  EXPECT_NE(std::string(o.body()).find("m=message"), std::string::npos);
  std::string our_tag(o.to()->tag());
  ASSERT_FALSE(our_tag.empty());
  EXPECT_EQ(gateway_.size(), 1u);

  // The ACK ends at the gateway.
  Request ack = invite();
  ack.method = "ACK";
  ack.ruri = contact.substr(1, contact.size() - 2);
  ack.to = "<sip:bob@parley.test>;tag=" + our_tag;
  ack.body.clear();
  ack.branch("z9hG4bKack1");
  receive(ack, alice_udp);
  EXPECT_TRUE(sent().empty());

  // A MESSAGE in the dialog: 200 to alice, a pager-mode MESSAGE to bob.
  Request msg;
  msg.ruri = ack.ruri;
  msg.call_id = "inv-1@192.0.2.10";
  msg.to = ack.to;
  msg.cseq = 2;
  msg.body = "second";
  msg.branch("z9hG4bKm2");
  receive(msg, alice_udp);
  out = sent();
  ASSERT_EQ(out.size(), 2u);
  bool got_ok = false, got_relay = false;
  for (const auto& s : out) {
    if (s.line() == "SIP/2.0 200 OK") {
      got_ok = true;
      EXPECT_PEER(s.to, alice_udp);
    } else {
      got_relay = true;
      EXPECT_EQ(s.msg().body(), "second");
      EXPECT_EQ(s.msg().call_id(), m.call_id());  // one pager conversation
      EXPECT_EQ(s.msg().cseq()->number, m.cseq()->number + 1);
    }
  }
  EXPECT_TRUE(got_ok && got_relay);

  // A typing INFO is answered and goes nowhere; BYE ends the session.
  Request info = msg;
  info.method = "INFO";
  info.cseq = 3;
  info.branch("z9hG4bKi3");
  receive(info, alice_udp);
  ASSERT_EQ(one_sent().line(), "SIP/2.0 200 OK");
  Request bye = msg;
  bye.method = "BYE";
  bye.cseq = 4;
  bye.body.clear();
  bye.branch("z9hG4bKb4");
  receive(bye, alice_udp);
  EXPECT_EQ(one_sent().line(), "SIP/2.0 200 OK");
  EXPECT_EQ(gateway_.size(), 0u);
}

TEST_F(ImGatewayTest, ImInviteToALyncClientIsForwardedAsAnyInvite) {
  location_.remove_all("bob@parley.test", "", 0);
  registrar::BindingUpdate u;
  u.contact = kBobUdpContact;
  u.expires = 3600;
  u.lync = true;
  location_.update("bob@parley.test", {u}, "reg-lync", 1, bob_udp, clock_.now());
  receive(authorized(im_invite(true)), alice_udp);
  Sent fwd = one_sent();
  EXPECT_EQ(fwd.line(), std::string("INVITE ") + kBobUdpContact + " SIP/2.0");
  EXPECT_EQ(gateway_.size(), 0u);
}

TEST_F(ImGatewayTest, AStandardCallerTalksToTheCalleeItself) {
  // carol opens an IM session by INVITE from a standard client (SIPp does):
  // bob gets the INVITE, the gateway stays out.
  Request r = im_invite(true);
  r.from = "<sip:carol@parley.test>;tag=cf1";
  receive(authorized(r, "carol", "carol-pw"), bob_tcp);
  EXPECT_EQ(one_sent().line(), std::string("INVITE ") + kBobUdpContact + " SIP/2.0");
  EXPECT_EQ(gateway_.size(), 0u);
}

TEST_F(ImGatewayTest, AnAudioInviteIsNeverTheGatewaysBusiness) {
  receive(authorized(invite()), alice_udp);
  EXPECT_EQ(one_sent().line(), std::string("INVITE ") + kBobUdpContact + " SIP/2.0");
  EXPECT_EQ(gateway_.size(), 0u);
}

TEST_F(ImGatewayTest, AMadeUpTagIsNotADialogOfTheGateway) {
  receive(authorized(im_invite(false)), alice_udp);
  ASSERT_EQ(one_sent().line(), "SIP/2.0 200 OK");
  Request msg;
  msg.ruri = "sip:127.0.0.1:5060;lr;ms-imgw";
  msg.call_id = "inv-1@192.0.2.10";
  msg.to = "<sip:bob@parley.test>;tag=guessed";
  msg.branch("z9hG4bKm9");
  receive(msg, alice_udp);
  Sent r = one_sent();
  EXPECT_NE(r.line(), "SIP/2.0 200 OK");  // not relayed: the proxy refuses it
}

}  // namespace
}  // namespace parley::proxy::test
