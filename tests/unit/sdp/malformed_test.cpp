// sdp::parse on structurally broken descriptions: each case with the reason
// and the line number the error must name.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp_test_util.hpp"

namespace parley::sdp {
namespace {

using test::parse_error;

struct Malformed {
  const char* name;
  std::string_view text;
  std::string_view reason;
  std::size_t line;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

// A valid head, so each case below breaks exactly one thing.
#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"

const Malformed kCases[] = {
    {"empty", "", "Empty session description", 0},
    {"only_blank_lines", "\r\n\n\r\n", "Empty session description", 0},
    {"no_v", "o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", "Missing v= line (first line must be v=)", 1},
    {"v_not_first", "s=-\r\nv=0\r\n", "Missing v= line (first line must be v=)", 1},
    {"v_1", "v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", "Unsupported SDP version (v= must be 0)", 1},
    {"v_empty", "v=\r\n", "Unsupported SDP version (v= must be 0)", 1},
    {"second_v", HEAD "v=0\r\n", "Unexpected second v= line", 5},
    {"no_o", "v=0\r\ns=-\r\nt=0 0\r\n", "Missing o= line", 0},
    {"no_s", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", "Missing s= line", 0},
    {"duplicate_o", HEAD "o=- 1 1 IN IP4 192.0.2.1\r\n", "Duplicate o= line", 5},
    {"duplicate_s", HEAD "s=again\r\n", "Duplicate s= line", 5},
    {"duplicate_session_c", HEAD "c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\n",
     "Duplicate c= line", 6},
    {"duplicate_media_i", HEAD "m=audio 1 RTP/AVP 0\r\ni=a\r\ni=b\r\n", "Duplicate i= line", 7},
    {"no_equals", HEAD "a\r\n", "Malformed line (expected <type>=<value>)", 5},
    // RFC 4475 3.1.1.8 (dblreq): "m =video" is not an m= line.
    {"space_before_equals", HEAD "m =video 3227 RTP/AVP 31\r\n",
     "Malformed line (expected <type>=<value>)", 5},
    {"uppercase_type", HEAD "A=sendrecv\r\n", "Bad line type", 5},
    {"digit_type", HEAD "1=x\r\n", "Bad line type", 5},
    {"nul_in_line", std::string_view(HEAD "a=x\0y\r\n", sizeof(HEAD "a=x\0y\r\n") - 1),
     "Control character in line", 5},
    {"bare_cr_in_line", HEAD "s=a\rb\r\n", "Control character in line", 5},
    {"o_five_fields", "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n", "Bad o= line (expected 6 fields)", 2},
    {"o_seven_fields", "v=0\r\no=jane doe 1 1 IN IP4 192.0.2.1\r\ns=-\r\n",
     "Bad o= line (expected 6 fields)", 2},
    {"c_two_fields", HEAD "c=IN IP4\r\n", "Bad c= line (expected 3 fields)", 5},
    {"c_ip4_with_ip6_address", HEAD "c=IN IP4 2001:db8::1\r\n", "Bad IP4 address in c= line", 5},
    {"c_ip6_with_ip4_address", HEAD "c=IN IP6 192.0.2.1\r\n", "Bad IP6 address in c= line", 5},
    {"c_ip6_bracketed", HEAD "c=IN IP6 [2001:db8::1]\r\n", "Bad IP6 address in c= line", 5},
    {"c_bad_ipv4", HEAD "c=IN IP4 192.0.2.256\r\n", "Bad IP4 address in c= line", 5},
    {"c_ttl_too_big", HEAD "c=IN IP4 224.2.1.1/256\r\n", "Bad TTL in c= line", 5},
    {"c_ttl_empty", HEAD "c=IN IP4 224.2.1.1/\r\n", "Bad TTL in c= line", 5},
    {"c_count_zero", HEAD "c=IN IP4 224.2.1.1/127/0\r\n", "Bad address count in c= line", 5},
    {"c_ip6_ttl_and_count", HEAD "c=IN IP6 ff15::101/127/3\r\n",
     "Bad c= line (TTL given for IP6)", 5},
    {"b_no_colon", HEAD "b=AS64\r\n", "Bad b= line (no ':')", 5},
    {"b_not_number", HEAD "b=AS:64k\r\n", "Bad bandwidth in b= line", 5},
    {"b_empty_type", HEAD "b=:64\r\n", "Bad bandwidth type in b= line", 5},
    {"t_one_field", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0\r\n",
     "Bad t= line (expected 2 fields)", 4},
    {"t_negative", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=-1 0\r\n", "Bad time in t= line", 4},
    {"r_before_t", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=7d 1h 0\r\n", "r= line before t=",
     4},
    {"r_two_fields", HEAD "r=7d 1h\r\n", "Bad r= line (expected 3 or more fields)", 5},
    {"r_bad_unit", HEAD "r=7w 1h 0\r\n", "Bad time in r= line", 5},
    {"r_overflow", HEAD "r=99999999999999999d 1h 0\r\n", "Bad time in r= line", 5},
    {"z_odd_fields", HEAD "z=2882844526 -1h 2898848070\r\n",
     "Bad z= line (expected time/offset pairs)", 5},
    {"z_bad_offset", HEAD "z=2882844526 +1h\r\n", "Bad time in z= line", 5},
    {"a_empty", HEAD "a=\r\n", "Bad attribute name in a= line", 5},
    {"a_empty_name", HEAD "a=:value\r\n", "Bad attribute name in a= line", 5},
    {"a_name_with_space", HEAD "a=rtp map:0 PCMU/8000\r\n", "Bad attribute name in a= line", 5},
    {"m_without_formats", HEAD "m=audio 49170 RTP/AVP\r\n", "m= line without formats", 5},
    {"m_two_fields", HEAD "m=audio 49170\r\n", "Bad m= line (too few fields)", 5},
    {"m_port_too_big", HEAD "m=audio 65536 RTP/AVP 0\r\n", "Bad port in m= line", 5},
    {"m_port_not_number", HEAD "m=audio port RTP/AVP 0\r\n", "Bad port in m= line", 5},
    {"m_port_negative", HEAD "m=audio -1 RTP/AVP 0\r\n", "Bad port in m= line", 5},
    {"m_port_count_zero", HEAD "m=audio 49170/0 RTP/AVP 0\r\n", "Bad port count in m= line", 5},
    {"m_bad_proto", HEAD "m=audio 49170 RTP//AVP 0\r\n", "Bad protocol in m= line", 5},
    {"m_bad_media", HEAD "m=au(dio 49170 RTP/AVP 0\r\n", "Bad media type in m= line", 5},
    {"t_after_m", HEAD "m=audio 49170 RTP/AVP 0\r\nt=0 0\r\n",
     "t= line after m= (session-level only)", 6},
    {"o_after_m", HEAD "m=audio 49170 RTP/AVP 0\r\no=- 1 1 IN IP4 192.0.2.1\r\n",
     "o= line after m= (session-level only)", 6},
    // Line numbers count every line, blank ones and LF-only ones included.
    {"line_numbers_count_blank_lines", "v=0\n\r\no=- 1 1 IN IP4 192.0.2.1\n\ns=-\nm=audio x RTP/AVP 0\n",
     "Bad port in m= line", 6},
};

#undef HEAD

class SdpMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(SdpMalformed, RejectedWithReasonAndLine) {
  const Malformed& c = GetParam();
  ParseError err = parse_error(c.text);
  EXPECT_EQ(err.reason, c.reason);
  EXPECT_EQ(err.line, c.line);
}

INSTANTIATE_TEST_SUITE_P(Cases, SdpMalformed, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SdpLimits, EachBoundIsEnforced) {
  const std::string body =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
      "m=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\nm=audio 3 RTP/AVP 0\r\n";
  Limits size;
  size.max_bytes = body.size() - 1;
  EXPECT_EQ(parse_error(body, size).reason, "SDP body too large");
  Limits lines;
  lines.max_lines = 6;
  ParseError e = parse_error(body, lines);
  EXPECT_EQ(e.reason, "Too many lines");
  EXPECT_EQ(e.line, 7u);
  Limits media;
  media.max_media = 2;
  e = parse_error(body, media);
  EXPECT_EQ(e.reason, "Too many m= lines");
  EXPECT_EQ(e.line, 7u);
  // Exactly at each bound is fine.
  Limits exact;
  exact.max_bytes = body.size();
  exact.max_lines = 7;
  exact.max_media = 3;
  EXPECT_TRUE(std::holds_alternative<SessionDescription>(parse(body, exact)));
}

}  // namespace
}  // namespace parley::sdp
