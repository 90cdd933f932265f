// The accessors of sdp::SessionDescription and MediaDescription.
#include <gtest/gtest.h>

#include "sdp/session_description.hpp"
#include "sdp_test_util.hpp"

namespace parley::sdp {
namespace {

using test::parse_ok;

TEST(SdpAccessors, MediaTypes) {
  EXPECT_EQ(media_type("audio"), MediaType::Audio);
  EXPECT_EQ(media_type("video"), MediaType::Video);
  EXPECT_EQ(media_type("text"), MediaType::Text);
  EXPECT_EQ(media_type("application"), MediaType::Application);
  EXPECT_EQ(media_type("message"), MediaType::Message);
  EXPECT_EQ(media_type("image"), MediaType::Image);
  EXPECT_EQ(media_type("Audio"), MediaType::Other);
  EXPECT_EQ(media_type("data"), MediaType::Other);
}

// RFC 3264 8.4: hold, old style (c=0.0.0.0) and new (a=sendonly / inactive);
// RFC 8866 6.7: a media's direction overrides the session's.
TEST(SdpAccessors, DirectionAndHold) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=- 1 2 IN IP4 192.0.2.1\r\n"
      "s=-\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "t=0 0\r\n"
      "a=sendonly\r\n"
      "m=audio 4000 RTP/AVP 0\r\n"
      "m=video 4002 RTP/AVP 31\r\n"
      "a=inactive\r\n"
      "m=audio 0 RTP/AVP 0\r\n"
      "a=recvonly\r\n"
      "a=sendrecv\r\n"
      "c=IN IP4 192.0.2.9\r\n");
  ASSERT_EQ(sd.media.size(), 3u);
  EXPECT_FALSE(sd.media[0].direction());
  EXPECT_EQ(sd.direction_of(sd.media[0]), Direction::SendOnly);
  EXPECT_EQ(sd.direction_of(sd.media[1]), Direction::Inactive);
  EXPECT_EQ(sd.direction_of(sd.media[2]), Direction::SendRecv);  // the last one wins
  EXPECT_TRUE(sd.connection_for(sd.media[0])->is_unspecified());
  EXPECT_FALSE(sd.connection_for(sd.media[2])->is_unspecified());
  EXPECT_FALSE(sd.media[0].disabled());
  EXPECT_TRUE(sd.media[2].disabled());
}

TEST(SdpAccessors, NoConnectionAnywhere) {
  auto sd = parse_ok("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n");
  EXPECT_EQ(sd.connection_for(sd.media.at(0)), nullptr);
  EXPECT_TRUE(sd.media[0].accept_types().empty());
  EXPECT_EQ(sd.find_attribute("rtpmap"), nullptr);
}

TEST(SdpAccessors, AttributesByName) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=- 1 2 IN IP4 192.0.2.1\r\n"
      "s=-\r\n"
      "m=audio 4000 RTP/SAVP 0 8 101\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-16\r\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
      "a=RTPMAP:8 G729/8000\r\n");
  const auto& m = sd.media.at(0);
  EXPECT_EQ(m.attribute_values("rtpmap"),
            (std::vector<std::string_view>{"0 PCMU/8000", "8 PCMA/8000", "101 telephone-event/8000"}));
  // Names compare as written: "RTPMAP" is another attribute.
  EXPECT_EQ(m.rtpmap("8")->encoding, "PCMA");
  EXPECT_EQ(m.attribute_values("RTPMAP").size(), 1u);
  ASSERT_NE(m.find_attribute("fmtp"), nullptr);
  EXPECT_EQ(m.find_attribute("fmtp")->value, "101 0-16");
  EXPECT_EQ(m.find_attribute("crypto")->value.substr(0, 2), "1 ");
  EXPECT_FALSE(m.rtpmap("9"));
}

TEST(SdpAccessors, OriginVersionNumber) {
  auto sd = parse_ok("v=0\r\no=- 1 x IN IP4 192.0.2.1\r\ns=-\r\n");
  EXPECT_FALSE(sd.origin.version_number());
  EXPECT_EQ(sd.origin.session_version, "x");
}

}  // namespace
}  // namespace parley::sdp
