// The SDP bodies of the RFC 4475 (SIP torture) and RFC 5118 (SIP IPv6
// torture) messages in tests/data, parsed on their own.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp_test_util.hpp"

namespace parley::sdp {
namespace {

namespace fs = std::filesystem;
using test::parse_error;
using test::parse_ok;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The SDP body of a message file: from the "v=0" that follows the blank line
// ending a header section, to the end of the file. Empty when there is none.
// (dblreq.sip holds two messages; this is the second one's body.)
std::string sdp_body(const std::string& message) {
  auto at = message.find("\r\n\r\nv=0");
  return at == std::string::npos ? std::string() : message.substr(at + 4);
}

std::string body_of(const std::string& corpus, const std::string& name) {
  auto body = sdp_body(read_file(fs::path(PARLEY_TEST_DATA) / corpus / (name + ".sip")));
  EXPECT_FALSE(body.empty()) << corpus << "/" << name << " has no SDP body";
  return body;
}

// Every SDP body in both corpora parses, except the two the RFCs break on
// purpose, and every one that parses survives the round trip.
TEST(SdpVectors, EveryBodyInTheTortureCorpora) {
  const std::set<std::string> broken = {"rfc4475/dblreq", "rfc4475/mismatch02"};
  int bodies = 0;
  for (const char* corpus : {"rfc4475", "rfc5118"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(PARLEY_TEST_DATA) / corpus)) {
      if (entry.path().extension() != ".sip") continue;
      std::string body = sdp_body(read_file(entry.path()));
      if (body.empty()) continue;
      ++bodies;
      std::string key = std::string(corpus) + "/" + entry.path().stem().string();
      auto r = parse(body);
      if (broken.count(key)) {
        EXPECT_TRUE(std::holds_alternative<ParseError>(r)) << key;
        continue;
      }
      ASSERT_TRUE(std::holds_alternative<SessionDescription>(r))
          << key << ": " << std::get<ParseError>(r).reason;
      const auto& sd = std::get<SessionDescription>(r);
      EXPECT_EQ(parse_ok(to_string(sd)), sd) << key;
    }
  }
  EXPECT_EQ(bodies, 23);  // 20 in RFC 4475, 3 in RFC 5118
}

// RFC 4475 3.1.1.8: the INVITE hidden behind the REGISTER has "m =video".
TEST(SdpVectors, Rfc4475DblreqBadMediaLine) {
  ParseError e = parse_error(body_of("rfc4475", "dblreq"));
  EXPECT_EQ(e.reason, "Malformed line (expected <type>=<value>)");
  EXPECT_EQ(e.line, 7u);
}

// RFC 4475 3.1.2.18 (mismatch02): a body without s= (and t=).
TEST(SdpVectors, Rfc4475Mismatch02MissingSessionName) {
  ParseError e = parse_error(body_of("rfc4475", "mismatch02"));
  EXPECT_EQ(e.reason, "Missing s= line");
  EXPECT_EQ(e.line, 0u);
}

// RFC 4475 3.3.15 (sdp01): the body most of the torture messages carry.
TEST(SdpVectors, Rfc4475Sdp01) {
  const std::string body = body_of("rfc4475", "sdp01");
  auto sd = parse_ok(body);
  EXPECT_EQ(sd.origin.username, "mhandley");
  EXPECT_EQ(sd.origin.address, "192.0.2.5");
  EXPECT_EQ(sd.session_name, "-");
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "192.0.2.5");
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.media[0].port, 49217);
  EXPECT_EQ(sd.media[0].formats, (std::vector<std::string_view>{"0", "12"}));
  EXPECT_EQ(sd.media[1].port, 3227);
  auto lpc = sd.media[1].rtpmap("31");
  ASSERT_TRUE(lpc);
  EXPECT_EQ(lpc->encoding, "LPC");
}

// RFC 4475 3.1.1.1 (wsinv): o= and c= name different hosts.
TEST(SdpVectors, Rfc4475WsinvOriginAndConnectionDiffer) {
  const std::string body = body_of("rfc4475", "wsinv");
  auto sd = parse_ok(body);
  EXPECT_EQ(sd.origin.address, "192.0.2.3");
  ASSERT_TRUE(sd.connection);
  EXPECT_EQ(sd.connection->address, "192.0.2.4");
}

// RFC 5118 4.6: IPv6 in SDP, session-level c= for both media.
TEST(SdpVectors, Rfc5118Ipv6InSdp) {
  const std::string body = body_of("rfc5118", "ipv6-in-sdp");
  auto sd = parse_ok(body);
  EXPECT_EQ(sd.origin.addrtype, "IP6");
  EXPECT_EQ(sd.origin.address, "2001:db8::20");
  EXPECT_EQ(sd.session_name, "Live video feed for today's meeting");
  ASSERT_EQ(sd.media.size(), 2u);
  for (const auto& m : sd.media) {
    const Connection* c = sd.connection_for(m);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->is_ip6());
    EXPECT_EQ(c->address, "2001:db8::20");
    EXPECT_EQ(c->form, AddressForm::IPv6);
  }
  EXPECT_EQ(sd.media[0].rtpmap("2")->encoding, "G726-32");
  EXPECT_EQ(sd.media[1].rtpmap("107")->clock_rate, 90000u);
}

// RFC 5118 4.8: one IPv4 and one IPv6 media stream, each with its own c=;
// no session-level c= and an empty session name.
TEST(SdpVectors, Rfc5118MultipleIpInSdp) {
  const std::string body = body_of("rfc5118", "mult-ip-in-sdp");
  auto sd = parse_ok(body);
  EXPECT_EQ(sd.origin.address, "host.example.com");
  EXPECT_EQ(sd.session_name, "");
  EXPECT_FALSE(sd.connection);
  ASSERT_EQ(sd.media.size(), 2u);
  const Connection* audio = sd.connection_for(sd.media[0]);
  ASSERT_NE(audio, nullptr);
  EXPECT_TRUE(audio->is_ip4());
  EXPECT_EQ(audio->address, "192.0.2.1");
  EXPECT_EQ(audio->form, AddressForm::IPv4);
  const Connection* video = sd.connection_for(sd.media[1]);
  ASSERT_NE(video, nullptr);
  EXPECT_TRUE(video->is_ip6());
  EXPECT_EQ(video->address, "2001:db8::1");
  EXPECT_EQ(video->form, AddressForm::IPv6);
}

// RFC 5118 4.9: IPv4-mapped IPv6 addresses in o= and c=.
TEST(SdpVectors, Rfc5118Ipv4MappedIpv6) {
  const std::string body = body_of("rfc5118", "ipv4-mapped-ipv6");
  auto sd = parse_ok(body);
  EXPECT_EQ(sd.origin.address, "::ffff:192.0.2.2");
  ASSERT_TRUE(sd.connection);
  EXPECT_TRUE(sd.connection->is_ip6());
  EXPECT_EQ(sd.connection->address, "::ffff:192.0.2.2");
  EXPECT_EQ(sd.connection->form, AddressForm::IPv6);
  EXPECT_EQ(sd.session_name, "Call me soon, please!");
}

}  // namespace
}  // namespace parley::sdp
