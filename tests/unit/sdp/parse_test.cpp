// sdp::parse on well-formed descriptions: the examples of RFC 4566 5 and RFC
// 8866 5, every line type, line ends, the orders and omissions real clients
// send, a Lync IM offer and an MSRP offer.
#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp_test_util.hpp"

namespace parley::sdp {
namespace {

using test::parse_ok;

// RFC 4566 5, the example session description (typed in from the RFC).
constexpr std::string_view kRfc4566Example =
    "v=0\r\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "u=http://www.example.com/seminars/sdp.pdf\r\n"
    "e=j.doe@example.com (Jane Doe)\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "t=2873397496 2873404696\r\n"
    "a=recvonly\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

// RFC 8866 5, the example session description (typed in from the RFC).
constexpr std::string_view kRfc8866Example =
    "v=0\r\n"
    "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
    "s=Call to John Smith\r\n"
    "i=SDP Offer #1\r\n"
    "u=http://www.jdoe.example.com/home.html\r\n"
    "e=Jane Doe <jane@jdoe.example.com>\r\n"
    "p=+1 617 555-6011\r\n"
    "c=IN IP4 198.51.100.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=audio 49180 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "c=IN IP6 2001:db8::2\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

TEST(SdpParse, Rfc4566Example) {
  auto sd = parse_ok(kRfc4566Example);
  EXPECT_EQ(sd.origin.username, "jdoe");
  EXPECT_EQ(sd.origin.session_id, "2890844526");
  EXPECT_EQ(sd.origin.session_version, "2890842807");
  EXPECT_EQ(sd.origin.version_number(), 2890842807u);
  EXPECT_EQ(sd.origin.nettype, "IN");
  EXPECT_EQ(sd.origin.addrtype, "IP4");
  EXPECT_EQ(sd.origin.address, "10.47.16.5");
  EXPECT_EQ(sd.session_name, "SDP Seminar");
  EXPECT_EQ(sd.information, "A Seminar on the session description protocol");
  EXPECT_EQ(sd.uri, "http://www.example.com/seminars/sdp.pdf");
  ASSERT_EQ(sd.emails.size(), 1u);
  EXPECT_EQ(sd.emails[0], "j.doe@example.com (Jane Doe)");
  EXPECT_TRUE(sd.phones.empty());

  // RFC 4566 5.7: multicast with a TTL of 127.
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "224.2.17.12");
  EXPECT_EQ(sd.connection->ttl, 127);
  EXPECT_FALSE(sd.connection->count);
  EXPECT_EQ(sd.connection->form, AddressForm::IPv4);

  ASSERT_EQ(sd.times.size(), 1u);
  EXPECT_EQ(sd.times[0].start, 2873397496u);
  EXPECT_EQ(sd.times[0].stop, 2873404696u);
  ASSERT_EQ(sd.attributes.size(), 1u);
  EXPECT_EQ(sd.attributes[0].name, "recvonly");
  EXPECT_FALSE(sd.attributes[0].has_value);

  ASSERT_EQ(sd.media.size(), 2u);
  const auto& audio = sd.media[0];
  EXPECT_EQ(audio.type(), MediaType::Audio);
  EXPECT_EQ(audio.port, 49170);
  EXPECT_EQ(audio.proto, "RTP/AVP");
  EXPECT_EQ(audio.formats, (std::vector<std::string_view>{"0"}));
  EXPECT_TRUE(audio.attributes.empty());
  const auto& video = sd.media[1];
  EXPECT_EQ(video.type(), MediaType::Video);
  EXPECT_EQ(video.port, 51372);
  EXPECT_EQ(video.formats, (std::vector<std::string_view>{"99"}));
  auto map = video.rtpmap("99");
  ASSERT_TRUE(map);
  EXPECT_EQ(map->encoding, "h263-1998");
  EXPECT_EQ(map->clock_rate, 90000u);
  EXPECT_EQ(map->parameters, "");

  // Both media inherit the session's c= and its recvonly (RFC 4566 5.7, 6).
  EXPECT_EQ(sd.connection_for(audio), &*sd.connection);
  EXPECT_EQ(sd.direction_of(video), Direction::RecvOnly);
  EXPECT_FALSE(video.direction());
}

TEST(SdpParse, Rfc8866Example) {
  auto sd = parse_ok(kRfc8866Example);
  EXPECT_EQ(sd.origin.session_id, "3724394400");
  EXPECT_EQ(sd.origin.version_number(), 3724394405u);
  EXPECT_EQ(sd.session_name, "Call to John Smith");
  EXPECT_EQ(sd.information, "SDP Offer #1");
  EXPECT_EQ(sd.uri, "http://www.jdoe.example.com/home.html");
  EXPECT_EQ(sd.emails, (std::vector<std::string_view>{"Jane Doe <jane@jdoe.example.com>"}));
  EXPECT_EQ(sd.phones, (std::vector<std::string_view>{"+1 617 555-6011"}));
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "198.51.100.1");
  EXPECT_FALSE(sd.connection->ttl);
  ASSERT_EQ(sd.times.size(), 1u);
  EXPECT_EQ(sd.times[0].start, 0u);
  EXPECT_EQ(sd.times[0].stop, 0u);

  ASSERT_EQ(sd.media.size(), 3u);
  EXPECT_EQ(sd.media[0].port, 49170);
  EXPECT_EQ(sd.media[1].port, 49180);
  EXPECT_EQ(sd.media[2].port, 51372);
  // The two audio streams use the session's IPv4 address, the video its own
  // IPv6 one (RFC 8866 5: "the third ... an IPv6 address").
  const Connection* a = sd.connection_for(sd.media[1]);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->address, "198.51.100.1");
  const Connection* v = sd.connection_for(sd.media[2]);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->address, "2001:db8::2");
  EXPECT_TRUE(v->is_ip6());
  EXPECT_EQ(v->form, AddressForm::IPv6);
  EXPECT_EQ(sd.find_media(MediaType::Video), &sd.media[2]);
  EXPECT_EQ(sd.find_media(MediaType::Audio), &sd.media[0]);
  EXPECT_EQ(sd.find_media(MediaType::Message), nullptr);
  EXPECT_EQ(sd.direction_of(sd.media[0]), Direction::SendRecv);
}

// Every line type, at both levels, with repeat times and zone adjustments
// (RFC 4566 5.10, 5.11 examples).
TEST(SdpParse, EveryLineType) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=- 1 2 IN IP6 2001:db8::1\r\n"
      "s= \r\n"
      "i=info\r\n"
      "u=http://example.com/\r\n"
      "e=a@example.com\r\n"
      "e=b@example.com\r\n"
      "p=+1 555 0100\r\n"
      "c=IN IP6 ff15::101/3\r\n"
      "b=CT:128\r\n"
      "t=3034423619 3042462419\r\n"
      "r=7d 1h 0 25h\r\n"
      "r=604800 3600 0 90000\r\n"
      "t=0 0\r\n"
      "z=2882844526 -1h 2898848070 0\r\n"
      "k=prompt\r\n"
      "a=tool:parley\r\n"
      "m=audio 49170/2 RTP/AVP 0 8\r\n"
      "i=main audio\r\n"
      "c=IN IP4 224.2.1.1/127/3\r\n"
      "c=IN IP4 224.2.1.4/127\r\n"
      "b=AS:64\r\n"
      "b=TIAS:64000\r\n"
      "k=clear:secret\r\n"
      "a=sendonly\r\n"
      "a=ptime:20\r\n");
  EXPECT_EQ(sd.session_name, " ");  // RFC 8866 5.3: "s= " when there is no name
  EXPECT_EQ(sd.emails.size(), 2u);
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "ff15::101");
  EXPECT_FALSE(sd.connection->ttl);  // IP6 has no TTL: the one number is a count
  EXPECT_EQ(sd.connection->count, 3u);
  ASSERT_EQ(sd.bandwidths.size(), 1u);
  EXPECT_EQ(sd.bandwidths[0].type, "CT");
  EXPECT_EQ(sd.bandwidths[0].value, 128u);

  ASSERT_EQ(sd.times.size(), 2u);
  ASSERT_EQ(sd.times[0].repeats.size(), 2u);
  // RFC 4566 5.10: "r=7d 1h 0 25h" is "r=604800 3600 0 90000".
  EXPECT_EQ(sd.times[0].repeats[0], sd.times[0].repeats[1]);
  EXPECT_EQ(sd.times[0].repeats[0].interval, 604800u);
  EXPECT_EQ(sd.times[0].repeats[0].duration, 3600u);
  EXPECT_EQ(sd.times[0].repeats[0].offsets, (std::vector<std::uint64_t>{0, 90000}));
  EXPECT_TRUE(sd.times[1].repeats.empty());
  ASSERT_EQ(sd.zone_adjustments.size(), 2u);
  EXPECT_EQ(sd.zone_adjustments[0].time, 2882844526u);
  EXPECT_EQ(sd.zone_adjustments[0].offset, -3600);
  EXPECT_EQ(sd.zone_adjustments[1].time, 2898848070u);
  EXPECT_EQ(sd.zone_adjustments[1].offset, 0);
  EXPECT_EQ(sd.key, "prompt");
  ASSERT_NE(sd.find_attribute("tool"), nullptr);
  EXPECT_EQ(sd.find_attribute("tool")->value, "parley");

  ASSERT_EQ(sd.media.size(), 1u);
  const auto& m = sd.media[0];
  EXPECT_EQ(m.port, 49170);
  EXPECT_EQ(m.port_count, 2u);
  EXPECT_EQ(m.formats, (std::vector<std::string_view>{"0", "8"}));
  EXPECT_EQ(m.information, "main audio");
  ASSERT_EQ(m.connections.size(), 2u);
  EXPECT_EQ(m.connections[0].address, "224.2.1.1");
  EXPECT_EQ(m.connections[0].ttl, 127);
  EXPECT_EQ(m.connections[0].count, 3u);
  EXPECT_EQ(m.connections[1].ttl, 127);
  EXPECT_FALSE(m.connections[1].count);
  EXPECT_EQ(sd.connection_for(m), &m.connections[0]);
  ASSERT_EQ(m.bandwidths.size(), 2u);
  EXPECT_EQ(m.bandwidths[1].type, "TIAS");
  EXPECT_EQ(m.bandwidths[1].value, 64000u);
  EXPECT_EQ(m.key, "clear:secret");
  EXPECT_EQ(m.direction(), Direction::SendOnly);
  EXPECT_EQ(sd.direction_of(m), Direction::SendOnly);
  ASSERT_NE(m.find_attribute("ptime"), nullptr);
  EXPECT_EQ(m.find_attribute("ptime")->value, "20");
}

// RFC 4566 5 / RFC 8866 5: parsers SHOULD accept a bare LF as line end.
TEST(SdpParse, LineEnds) {
  std::string lf(kRfc4566Example);
  for (std::size_t i; (i = lf.find("\r\n")) != std::string::npos;) lf.erase(i, 1);
  ASSERT_EQ(lf.find('\r'), std::string::npos);
  EXPECT_EQ(parse_ok(lf), parse_ok(kRfc4566Example));

  // Mixed, no end on the last line, blank lines (a trailing CRLF CRLF is common).
  auto mixed = parse_ok(
      "v=0\n"
      "o=- 0 0 IN IP4 192.0.2.1\r\n"
      "\r\n"
      "s=x\n"
      "t=0 0\r\n"
      "m=audio 4000 RTP/AVP 0\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "\r\n");
  ASSERT_EQ(mixed.media.size(), 1u);
  EXPECT_EQ(mixed.media[0].attributes.size(), 1u);
  auto unterminated = parse_ok("v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\ns=x");
  EXPECT_EQ(unterminated.session_name, "x");
}

// What sloppy senders do that RFC 8866 does not allow but parse() accepts.
TEST(SdpParse, LooseOrderAndSpacing) {
  auto sd = parse_ok(
      "v=0\r\n"
      "s=out of order\r\n"
      "c=IN IP4 192.0.2.1\r\n"
      "o=alice  2890844526   2890844527 IN IP4 client.example.com \r\n"
      "a=sendrecv \r\n"
      "b=AS:256\r\n"
      "m=audio  49170 RTP/AVP\t0 101\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n");
  EXPECT_EQ(sd.session_name, "out of order");
  EXPECT_EQ(sd.origin.username, "alice");
  EXPECT_EQ(sd.origin.session_version, "2890844527");
  EXPECT_EQ(sd.origin.address, "client.example.com");
  EXPECT_TRUE(sd.times.empty());  // no t= at all
  ASSERT_EQ(sd.attributes.size(), 1u);
  EXPECT_EQ(sd.attributes[0].name, "sendrecv");
  ASSERT_EQ(sd.bandwidths.size(), 1u);
  ASSERT_EQ(sd.media.size(), 1u);
  EXPECT_EQ(sd.media[0].formats, (std::vector<std::string_view>{"0", "101"}));
  auto te = sd.media[0].rtpmap("101");
  ASSERT_TRUE(te);
  EXPECT_EQ(te->encoding, "telephone-event");
  EXPECT_EQ(te->clock_rate, 8000u);
  EXPECT_FALSE(sd.media[0].rtpmap("0"));  // static payload type, no rtpmap
}

// RFC 8866 5: a type letter the parser does not know may be ignored; parse()
// keeps it at the level where it appeared.
TEST(SdpParse, UnknownLowercaseTypesAreKept) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=- 0 0 IN IP4 192.0.2.1\r\n"
      "s=-\r\n"
      "x=session extension\r\n"
      "t=0 0\r\n"
      "m=video 9000 RTP/AVP 96\r\n"
      "y=0100000001\r\n"
      "f=v/2/4///a///\r\n");
  ASSERT_EQ(sd.unknown.size(), 1u);
  EXPECT_EQ(sd.unknown[0].type, 'x');
  EXPECT_EQ(sd.unknown[0].value, "session extension");
  ASSERT_EQ(sd.media.size(), 1u);
  ASSERT_EQ(sd.media[0].unknown.size(), 2u);
  EXPECT_EQ(sd.media[0].unknown[0].type, 'y');
  EXPECT_EQ(sd.media[0].unknown[1].type, 'f');
  EXPECT_EQ(sd.media[0].unknown[1].value, "v/2/4///a///");
}

// A Lync / Skype for Business IM session offer: an INVITE for a text session
// whose media line names SIP itself as the transport.
TEST(SdpParse, LyncImOffer) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=- 0 0 IN IP4 192.168.10.21\r\n"
      "s=session\r\n"
      "c=IN IP4 192.168.10.21\r\n"
      "t=0 0\r\n"
      "m=message 5060 sip null\r\n"
      "a=accept-types:text/plain multipart/alternative image/gif text/rtf text/html "
      "application/x-ms-ink application/ms-imdn+xml text/x-msmsgsinvite\r\n");
  ASSERT_EQ(sd.media.size(), 1u);
  const auto& m = sd.media[0];
  EXPECT_EQ(m.type(), MediaType::Message);
  EXPECT_EQ(m.media, "message");
  EXPECT_EQ(m.port, 5060);
  EXPECT_EQ(m.proto, "sip");
  EXPECT_EQ(m.formats, (std::vector<std::string_view>{"null"}));
  EXPECT_EQ(m.accept_types(),
            (std::vector<std::string_view>{"text/plain", "multipart/alternative", "image/gif",
                                           "text/rtf", "text/html", "application/x-ms-ink",
                                           "application/ms-imdn+xml", "text/x-msmsgsinvite"}));
  EXPECT_EQ(sd.find_media(MediaType::Message), &m);
  ASSERT_NE(sd.connection_for(m), nullptr);
  EXPECT_EQ(sd.connection_for(m)->address, "192.168.10.21");
}

// RFC 4975 (MSRP) 7.1.1-style offer: a hostname in c=, format "*", a=path.
TEST(SdpParse, MsrpOffer) {
  auto sd = parse_ok(
      "v=0\r\n"
      "o=alice 2890844526 2890844527 IN IP4 alice.example.com\r\n"
      "s= \r\n"
      "c=IN IP4 alice.example.com\r\n"
      "t=0 0\r\n"
      "m=message 7654 TCP/MSRP *\r\n"
      "a=accept-types:text/plain\r\n"
      "a=path:msrp://alice.example.com:7654/jshA7weztas;tcp\r\n");
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->form, AddressForm::Fqdn);
  const auto& m = sd.media.at(0);
  EXPECT_EQ(m.proto, "TCP/MSRP");
  EXPECT_EQ(m.formats, (std::vector<std::string_view>{"*"}));
  EXPECT_EQ(m.accept_types(), (std::vector<std::string_view>{"text/plain"}));
  ASSERT_NE(m.find_attribute("path"), nullptr);
  EXPECT_EQ(m.find_attribute("path")->value, "msrp://alice.example.com:7654/jshA7weztas;tcp");
}

// Views point into the text given; nothing is copied.
TEST(SdpParse, ZeroCopy) {
  const std::string text(kRfc8866Example);
  auto sd = parse_ok(text);
  auto inside = [&](std::string_view v) {
    return v.data() >= text.data() && v.data() + v.size() <= text.data() + text.size();
  };
  EXPECT_TRUE(inside(sd.origin.username));
  EXPECT_TRUE(inside(sd.session_name));
  EXPECT_TRUE(inside(sd.media.at(2).attributes.at(0).value));
  EXPECT_TRUE(inside(sd.media.at(2).connections.at(0).address));
}

}  // namespace
}  // namespace parley::sdp
