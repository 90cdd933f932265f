// sdp::to_string: canonical output, and parse(to_string(d)) == d.
#include <string>

#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp_test_util.hpp"

namespace parley::sdp {
namespace {

using test::parse_ok;

TEST(SdpSerialize, CanonicalLayout) {
  // LF ends, padded fields, typed times, session lines out of order, leading
  // zeros, unknown lines: all normalised; text values kept as written.
  auto sd = parse_ok(
      "v= 0\n"
      "s=Talk  about  it \n"
      "o=alice  01 02 IN IP4 192.0.2.1\n"
      "a=sendrecv \n"
      "x=extension\n"
      "t=0 0\n"
      "r=7d 1h 0 25h\n"
      "c=IN IP4 224.2.1.1/0127/03\n"
      "z=2882844526 -1h\n"
      "b=AS:064\n"
      "m=audio 049170/2 RTP/AVP 0  8\n"
      "a=fmtp:101 0-15\n"
      "y=media extension\n"
      "b=TIAS:64000\n"
      "i=title\n");
  EXPECT_EQ(to_string(sd),
            "v=0\r\n"
            "o=alice 01 02 IN IP4 192.0.2.1\r\n"
            "s=Talk  about  it \r\n"
            "c=IN IP4 224.2.1.1/127/3\r\n"
            "b=AS:64\r\n"
            "t=0 0\r\n"
            "r=604800 3600 0 90000\r\n"
            "z=2882844526 -3600\r\n"
            "a=sendrecv\r\n"
            "x=extension\r\n"
            "m=audio 49170/2 RTP/AVP 0 8\r\n"
            "i=title\r\n"
            "b=TIAS:64000\r\n"
            "a=fmtp:101 0-15\r\n"
            "y=media extension\r\n");
}

TEST(SdpSerialize, ConnectionValue) {
  Connection c;
  c.nettype = "IN";
  c.addrtype = "IP6";
  c.address = "ff15::101";
  c.count = 3;
  EXPECT_EQ(to_string(c), "IN IP6 ff15::101/3");
}

// The output can outgrow its input (CRLF for LF, seconds for typed times):
// what fitted max_bytes may not, but it never has more lines.
TEST(SdpSerialize, OutputMayBeLongerThanInput) {
  const std::string in = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nr=1d 1d 1d\n";
  Limits tight;
  tight.max_bytes = in.size();
  tight.max_lines = 5;
  auto r = parse(in, tight);
  ASSERT_TRUE(std::holds_alternative<SessionDescription>(r));
  std::string out = to_string(std::get<SessionDescription>(r));
  EXPECT_EQ(out, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nr=86400 86400 86400\r\n");
  EXPECT_GT(out.size(), in.size());
  EXPECT_EQ(std::get<ParseError>(parse(out, tight)).reason, "SDP body too large");
  tight.max_bytes = out.size();
  auto again = parse(out, tight);
  ASSERT_TRUE(std::holds_alternative<SessionDescription>(again));
  EXPECT_EQ(std::get<SessionDescription>(again), std::get<SessionDescription>(r));
}

// Round trip over descriptions that use every feature.
TEST(SdpSerialize, RoundTrip) {
  const char* inputs[] = {
      "v=0\r\no=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SDP Seminar\r\n"
      "i=A Seminar on the session description protocol\r\n"
      "u=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com (Jane Doe)\r\n"
      "c=IN IP4 224.2.17.12/127\r\nt=2873397496 2873404696\r\na=recvonly\r\n"
      "m=audio 49170 RTP/AVP 0\r\nm=video 51372 RTP/AVP 99\r\na=rtpmap:99 h263-1998/90000\r\n",
      "v=0\no=- 1 2 IN IP6 2001:db8::1\ns=\ne=a@b\np=+1 555\nc=IN IP6 ff15::101/3\nb=CT:1\n"
      "t=1 2\nr=1d 1h 0 1m 1s\nt=3 4\nz=1 -1d 2 0\nk=prompt\na=x:\na=y\nq=unknown\n"
      "m=message 5060 sip null\ni=im\nc=IN IP4 h.example.com\nc=IN IP4 224.0.0.1/1/2\nb=AS:1\n"
      "k=clear:k\na=accept-types:text/plain\nw=w\nm=audio 0 RTP/AVP 0\n",
  };
  for (const char* in : inputs) {
    auto first = parse_ok(in);
    std::string text = to_string(first);
    auto second = parse_ok(text);
    EXPECT_EQ(second, first) << text;
    EXPECT_EQ(to_string(second), text);
  }
}

}  // namespace
}  // namespace parley::sdp
