// The per-line value parsers of sdp/fields.hpp.
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "sdp/fields.hpp"

namespace parley::sdp {
namespace {

TEST(SdpFields, TokenCharsAreRfc8866s) {
  // RFC 8866 9 token-char: wider than SIP's token (has # $ & ^ { | }).
  EXPECT_TRUE(is_token("X-ms-foo#$&^{|}~!'*+-.`_"));
  for (char c : std::string_view(" \t\"(),/:;<=>?@[\\]\x7f")) {
    EXPECT_FALSE(is_token_char(c)) << c;
  }
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("a\x80"));
}

TEST(SdpFields, SplitFields) {
  EXPECT_EQ(split_fields(" a \tb  c "), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(split_fields(" \t ").empty());
}

TEST(SdpFields, Numbers) {
  EXPECT_EQ(parse_number("0", 10), 0u);
  EXPECT_EQ(parse_number("007", 10), 7u);
  EXPECT_EQ(parse_number("65535", 65535), 65535u);
  EXPECT_FALSE(parse_number("65536", 65535));
  EXPECT_EQ(parse_number("18446744073709551615", std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(parse_number("18446744073709551616", std::numeric_limits<std::uint64_t>::max()));
  EXPECT_FALSE(parse_number("", 10));
  EXPECT_FALSE(parse_number("+1", 10));
  EXPECT_FALSE(parse_number("1 ", 10));
}

// RFC 8866 5.10 typed-time: d h m s.
TEST(SdpFields, TypedTime) {
  EXPECT_EQ(parse_typed_time("7d"), 604800u);
  EXPECT_EQ(parse_typed_time("25h"), 90000u);
  EXPECT_EQ(parse_typed_time("2m"), 120u);
  EXPECT_EQ(parse_typed_time("30s"), 30u);
  EXPECT_EQ(parse_typed_time("0"), 0u);
  EXPECT_FALSE(parse_typed_time("d"));
  EXPECT_FALSE(parse_typed_time("1w"));
  EXPECT_FALSE(parse_typed_time("1hh"));
  EXPECT_FALSE(parse_typed_time(""));
  EXPECT_EQ(parse_typed_time("9223372036854775807"), 9223372036854775807u);
  EXPECT_FALSE(parse_typed_time("9223372036854775808"));
  EXPECT_FALSE(parse_typed_time("106751991167301d"));  // over 2^63-1 seconds
}

TEST(SdpFields, AddressForms) {
  EXPECT_EQ(address_form("192.0.2.1"), AddressForm::IPv4);
  EXPECT_EQ(address_form("0.0.0.0"), AddressForm::IPv4);
  EXPECT_EQ(address_form("2001:db8::20"), AddressForm::IPv6);
  EXPECT_EQ(address_form("::"), AddressForm::IPv6);
  // RFC 5118 4.9: IPv4-mapped IPv6.
  EXPECT_EQ(address_form("::ffff:192.0.2.2"), AddressForm::IPv6);
  EXPECT_EQ(address_form("FF15::101"), AddressForm::IPv6);
  EXPECT_EQ(address_form("host.example.com"), AddressForm::Fqdn);
  EXPECT_EQ(address_form("host.example.com."), AddressForm::Fqdn);
  EXPECT_EQ(address_form("localhost"), AddressForm::Fqdn);
  EXPECT_EQ(address_form("a-1.b2"), AddressForm::Fqdn);
  EXPECT_EQ(address_form("192.0.2"), AddressForm::Other);      // all-digit last label
  EXPECT_EQ(address_form("192.0.2.256"), AddressForm::Other);
  EXPECT_EQ(address_form("[2001:db8::1]"), AddressForm::Other);
  EXPECT_EQ(address_form("fe80::1%eth0"), AddressForm::Other);
  EXPECT_EQ(address_form("-bad.example.com"), AddressForm::Other);
  EXPECT_EQ(address_form("a..b"), AddressForm::Other);
  EXPECT_EQ(address_form(""), AddressForm::Other);
  EXPECT_EQ(address_form(std::string(80, '1')), AddressForm::Other);
}

// RFC 8866 5.7 and RFC 4566 5.7 examples.
TEST(SdpFields, ConnectionForms) {
  auto c = parse_connection("IN IP4 224.2.36.42/127");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nettype, "IN");
  EXPECT_EQ(c->address, "224.2.36.42");
  EXPECT_EQ(c->ttl, 127);
  EXPECT_FALSE(c->count);

  c = parse_connection("IN IP4 224.2.1.1/127/3");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ttl, 127);
  EXPECT_EQ(c->count, 3u);

  c = parse_connection("IN IP6 FF15::101/3");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "FF15::101");
  EXPECT_FALSE(c->ttl);
  EXPECT_EQ(c->count, 3u);

  c = parse_connection("IN IP6 ::ffff:192.0.2.2");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->form, AddressForm::IPv6);

  c = parse_connection("IN IP4 0.0.0.0");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is_unspecified());
  c = parse_connection("IN IP6 ::");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is_unspecified());
  c = parse_connection("IN IP4 192.0.2.1");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->is_unspecified());

  c = parse_connection("in ip4 media.example.com");  // addrtype compared case-insensitively
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is_ip4());
  EXPECT_EQ(c->form, AddressForm::Fqdn);

  // An addrtype it does not know: kept whole, slashes and all.
  c = parse_connection("ATM NSAP 47.0005.80.ffe100.0000.f215.1234/5");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "47.0005.80.ffe100.0000.f215.1234/5");
  EXPECT_EQ(c->form, AddressForm::Other);
  EXPECT_FALSE(c->ttl);
  EXPECT_FALSE(c->count);

  std::string why;
  EXPECT_FALSE(parse_connection("IN IP4 224.2.1.1/127/", &why));
  EXPECT_EQ(why, "Bad address count in c= line");
  EXPECT_FALSE(parse_connection("IN IP6 ff15::101/0", &why));
  EXPECT_EQ(why, "Bad address count in c= line");
}

TEST(SdpFields, Origin) {
  auto o = parse_origin("- 4858251974351650128 2 IN IP4 127.0.0.1");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->username, "-");
  EXPECT_EQ(o->session_id, "4858251974351650128");
  EXPECT_EQ(o->version_number(), 2u);
  auto big = parse_origin("- 1 99999999999999999999 IN IP4 127.0.0.1");
  ASSERT_TRUE(big);
  EXPECT_FALSE(big->version_number());  // kept as text, too big as a number
}

TEST(SdpFields, Attribute) {
  auto a = parse_attribute("rtpmap:0 PCMU/8000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "rtpmap");
  EXPECT_EQ(a->value, "0 PCMU/8000");
  EXPECT_TRUE(a->has_value);

  a = parse_attribute("fmtp:101 0-15 ");  // the value is kept as written
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "101 0-15 ");

  a = parse_attribute("x-empty:");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->has_value);
  EXPECT_EQ(a->value, "");

  a = parse_attribute("candidate:1 1 UDP 2130706431 192.0.2.1 50000 typ host");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "candidate");
  EXPECT_EQ(a->value, "1 1 UDP 2130706431 192.0.2.1 50000 typ host");

  a = parse_attribute("\tinactive ");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "inactive");
  EXPECT_FALSE(a->has_value);
}

TEST(SdpFields, Media) {
  auto m = parse_media("video 49170/2 RTP/AVP 31");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->port, 49170);
  EXPECT_EQ(m->port_count, 2u);
  m = parse_media("audio 0 UDP/TLS/RTP/SAVPF 111");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->disabled());
  EXPECT_EQ(m->proto, "UDP/TLS/RTP/SAVPF");
  m = parse_media("applicationsharing 5062 TCP/RTP/AVP 127");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type(), MediaType::Other);
  EXPECT_EQ(m->media, "applicationsharing");
}

TEST(SdpFields, Rtpmap) {
  auto r = parse_rtpmap("97 L16/8000/2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payload_type, "97");
  EXPECT_EQ(r->encoding, "L16");
  EXPECT_EQ(r->clock_rate, 8000u);
  EXPECT_EQ(r->parameters, "2");
  r = parse_rtpmap("31 LPC");  // RFC 4475's bodies: no clock rate
  ASSERT_TRUE(r);
  EXPECT_EQ(r->encoding, "LPC");
  EXPECT_EQ(r->clock_rate, 0u);
  EXPECT_FALSE(parse_rtpmap("97"));
  EXPECT_FALSE(parse_rtpmap("97 /8000"));
  EXPECT_FALSE(parse_rtpmap("97 L16/x"));
  EXPECT_FALSE(parse_rtpmap("97 L16/8000 extra"));
}

}  // namespace
}  // namespace parley::sdp
