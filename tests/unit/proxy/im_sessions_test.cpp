// Call detail records of 1:1 IM sessions (im_sessions.hpp): the tracker alone,
// then through the proxy for a record-routed INVITE / MESSAGE / BYE dialog.
#include "roles/proxy/im_sessions.hpp"

#include <gtest/gtest.h>

#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

using namespace std::chrono_literals;

struct Sink : ImSessionSink {
  std::vector<ImSession> records;
  void record(const ImSession& s) override { records.push_back(s); }
};

// The SDP of a Lync client's 1:1 IM INVITE ([MS-SIP] 3.3.5.2).
constexpr const char* kImSdp =
    "v=0\r\no=- 0 0 IN IP4 192.0.2.10\r\ns=session\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=message 5060 sip null\r\na=accept-types:text/plain text/html\r\n";

Message parsed(const Request& r) { return parse_or_fail(r.text()); }

Request im_invite() {
  Request r = invite();
  r.body = kImSdp;
  r.with("Ms-Text-Format: text/plain; charset=UTF-8;msgr=WAAtAE0A;ms-body=aGVsbG8=");
  return r;
}

TEST(ImSessionTracker, OnlyAnInviteThatOffersNothingButMessagingIsAnImSession) {
  EXPECT_TRUE(ImSessionTracker::is_im_invite(parsed(im_invite())));
  EXPECT_FALSE(ImSessionTracker::is_im_invite(parsed(invite())));  // m=audio
  Request both = invite();
  both.body = std::string(kImSdp) + "m=audio 4000 RTP/AVP 0\r\n";
  EXPECT_FALSE(ImSessionTracker::is_im_invite(parsed(both)));
  Request broken = invite();
  broken.body = "m=message\r\n";
  EXPECT_FALSE(ImSessionTracker::is_im_invite(parsed(broken)));
  Request message;  // a MESSAGE is not a session
  EXPECT_FALSE(ImSessionTracker::is_im_invite(parsed(message)));
}

TEST(ImSessionTracker, CountsMessagesAndRecordsOnceAtBye) {
  Sink sink;
  ImSessionTracker t(sink);
  auto t0 = ImSessionTracker::Clock::time_point(std::chrono::seconds(1'700'000'000));
  Message inv = parsed(im_invite());
  t.answered(inv, t0);
  t.answered(inv, t0 + 1s);  // a second 2xx (forking) starts nothing new
  EXPECT_EQ(t.open_count(), 1u);
  Request msg;
  msg.call_id = "inv-1@192.0.2.10";
  msg.to = "<sip:bob@parley.test>;tag=bt1";
  for (int i = 0; i < 3; ++i) t.in_dialog(parsed(msg), t0 + 5s);
  Request info = msg;
  info.method = "INFO";
  t.in_dialog(parsed(info), t0 + 6s);  // typing: activity, not a message
  Request bye = msg;
  bye.method = "BYE";
  bye.body.clear();
  t.in_dialog(parsed(bye), t0 + 60s);
  t.in_dialog(parsed(bye), t0 + 61s);  // a retransmitted BYE records nothing more
  ASSERT_EQ(sink.records.size(), 1u);
  const ImSession& s = sink.records[0];
  EXPECT_EQ(s.call_id, "inv-1@192.0.2.10");
  EXPECT_EQ(s.caller, "alice@parley.test");
  EXPECT_EQ(s.callee, "bob@parley.test");
  EXPECT_EQ(s.started_at, 1'700'000'000);
  EXPECT_EQ(s.ended_at, 1'700'000'060);
  EXPECT_EQ(s.messages, 4u);  // the INVITE's own plus three MESSAGEs
  EXPECT_TRUE(s.ended_by_bye);
  EXPECT_EQ(t.open_count(), 0u);
}

TEST(ImSessionTracker, AnIdleSessionIsRecordedWhenItExpires) {
  Sink sink;
  ImSessionTracker t(sink, 600s);
  auto t0 = ImSessionTracker::Clock::time_point(std::chrono::seconds(1'700'000'000));
  Request no_text = im_invite();
  no_text.extra = {"Contact: <sip:alice@192.0.2.10:5070>"};
  t.answered(parsed(no_text), t0);
  EXPECT_EQ(t.expire(t0 + 599s), 0u);
  EXPECT_EQ(t.expire(t0 + 600s), 1u);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].messages, 0u);
  EXPECT_EQ(sink.records[0].ended_at, 1'700'000'000);
  EXPECT_FALSE(sink.records[0].ended_by_bye);
  // Stopping records what is still open, once.
  t.answered(parsed(im_invite()), t0 + 700s);
  EXPECT_EQ(t.close_all(), 1u);
  EXPECT_EQ(t.close_all(), 0u);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[1].messages, 1u);
}

class ImThroughProxyTest : public ProxyTest {};

TEST_F(ImThroughProxyTest, RecordRoutedImDialogLeavesOneRecord) {
  Sink sink;
  ImSessionTracker tracker(sink);
  proxy_.set_im_sessions(&tracker);
  receive(authorized(im_invite()), alice_udp);
  Sent fwd = one_sent();
  answer(fwd, 200, bob_udp);
  one_sent();
  EXPECT_EQ(tracker.open_count(), 1u);
  std::string rr = values(fwd.msg(), HeaderId::RecordRoute).at(0);

  Request msg;
  msg.ruri = kBobUdpContact;
  msg.call_id = "inv-1@192.0.2.10";
  msg.to = "<sip:bob@parley.test>;tag=bt1";
  msg.cseq = 2;
  msg.branch("z9hG4bKm2");
  msg.with("Route: " + rr);
  receive(msg, alice_udp);
  answer(one_sent(), 200, bob_udp);
  one_sent();

  Request bye = msg;
  bye.method = "BYE";
  bye.cseq = 3;
  bye.body.clear();
  bye.branch("z9hG4bKb3");
  receive(bye, alice_udp);
  answer(one_sent(), 200, bob_udp);
  one_sent();
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].caller, "alice@parley.test");
  EXPECT_EQ(sink.records[0].callee, "bob@parley.test");
  EXPECT_EQ(sink.records[0].messages, 2u);
  EXPECT_TRUE(sink.records[0].ended_by_bye);
  proxy_.set_im_sessions(nullptr);
}

}  // namespace
}  // namespace parley::proxy::test
