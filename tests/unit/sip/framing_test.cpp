#include "sip/framing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace parley::sip {
namespace {

constexpr std::size_t kMax = 65535;

const std::string kOptions =
    "OPTIONS sip:parley.test SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
    "Call-ID: a\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

std::string with_body(std::string_view length_header, std::string_view body) {
  std::string m = "MESSAGE sip:bob@parley.test SIP/2.0\r\nCall-ID: b\r\n";
  m += length_header;
  m += "\r\n\r\n";
  m += body;
  return m;
}

template <class T>
T as(const FrameResult& r) {
  EXPECT_TRUE(std::holds_alternative<T>(r)) << "variant index " << r.index();
  if (auto* v = std::get_if<T>(&r)) return *v;
  return T{};
}

TEST(Framing, CompleteMessageWithoutBody) {
  auto c = as<frame::Complete>(find_message(kOptions, kMax));
  EXPECT_EQ(c.offset, 0u);
  EXPECT_EQ(c.length, kOptions.size());
}

TEST(Framing, BodyIsCountedFromContentLength) {
  std::string m = with_body("Content-Length: 5", "hello");
  auto c = as<frame::Complete>(find_message(m + "INVITE", kMax));
  EXPECT_EQ(c.length, m.size());
}

TEST(Framing, CompactFormAnyCaseAnyWhitespace) {
  for (std::string_view h : {"l: 5", "L:5", "content-LENGTH   :\t5  ", "Content-Length : 005"}) {
    std::string m = with_body(h, "hello");
    auto c = as<frame::Complete>(find_message(m, kMax));
    EXPECT_EQ(c.length, m.size()) << h;
  }
}

TEST(Framing, FoldedContentLength) {
  std::string m = with_body("Content-Length:\r\n   5", "hello");
  auto c = as<frame::Complete>(find_message(m, kMax));
  EXPECT_EQ(c.length, m.size());
}

TEST(Framing, OtherHeadersEndingInLAreNotContentLength) {
  std::string m = with_body("Call-Info: 7\r\nUrl: 9\r\nl: 2", "hi");
  auto c = as<frame::Complete>(find_message(m, kMax));
  EXPECT_EQ(c.length, m.size());
}

TEST(Framing, MissingContentLengthMeansEmptyBodyOnStreams) {
  // RFC 3261 18.3
  std::string m = "BYE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";
  auto c = as<frame::Complete>(find_message(m + "junk", kMax));
  EXPECT_EQ(c.length, m.size());
}

TEST(Framing, BareLineFeedsAreTolerated) {
  std::string m = "SIP/2.0 200 OK\nCall-ID: x\nContent-Length: 2\n\nok";
  auto c = as<frame::Complete>(find_message(m, kMax));
  EXPECT_EQ(c.length, m.size());
  std::string mixed = "SIP/2.0 200 OK\r\nl: 0\r\n\n";
  EXPECT_EQ(as<frame::Complete>(find_message(mixed, kMax)).length, mixed.size());
}

TEST(Framing, IncompleteHeadersAndBody) {
  for (std::size_t n = 1; n < kOptions.size(); ++n) {
    auto r = find_message(std::string_view(kOptions).substr(0, n), kMax);
    EXPECT_TRUE(std::holds_alternative<frame::Incomplete>(r)) << n;
  }
  std::string m = with_body("Content-Length: 5", "hello");
  auto i = as<frame::Incomplete>(find_message(m.substr(0, m.size() - 2), kMax));
  EXPECT_EQ(i.needed, m.size());
}

TEST(Framing, ResumeGivesTheSameAnswerAsAFullScan) {
  std::string m = with_body("Content-Length: 5", "hello");
  std::size_t resume = 0;
  std::string buf;
  for (std::size_t n = 0; n < m.size(); ++n) {
    buf += m[n];
    auto r = find_message(buf, kMax, resume);
    if (n + 1 < m.size()) {
      ASSERT_TRUE(std::holds_alternative<frame::Incomplete>(r)) << n;
      resume = std::get<frame::Incomplete>(r).resume;
      EXPECT_LE(resume, buf.size());
    } else {
      EXPECT_EQ(as<frame::Complete>(r).length, m.size());
    }
  }
}

TEST(Framing, DoubleCrlfIsAPing) {
  // RFC 5626 3.5.1
  auto k = as<frame::KeepAlive>(find_message("\r\n\r\n", kMax));
  EXPECT_EQ(k.consumed, 4u);
  EXPECT_TRUE(k.ping);
  auto k2 = as<frame::KeepAlive>(find_message("\r\n\r\n" + kOptions, kMax));
  EXPECT_EQ(k2.consumed, 4u);
}

TEST(Framing, HalfAPingWaits) {
  for (std::string_view s : {"\r", "\r\n", "\r\n\r"}) {
    EXPECT_TRUE(std::holds_alternative<frame::Incomplete>(find_message(s, kMax))) << s.size();
  }
  EXPECT_TRUE(std::holds_alternative<frame::Incomplete>(find_message("", kMax)));
}

TEST(Framing, SingleCrlfBeforeAMessageIsSkipped) {
  // RFC 3261 7.5
  auto c = as<frame::Complete>(find_message("\r\n" + kOptions, kMax));
  EXPECT_EQ(c.offset, 2u);
  EXPECT_EQ(c.length, kOptions.size());
  EXPECT_EQ(c.consumed(), kOptions.size() + 2);
}

TEST(Framing, StrayLineEndsAreDroppedWithoutPong) {
  auto k = as<frame::KeepAlive>(find_message("\n\n\n", kMax));
  EXPECT_EQ(k.consumed, 3u);
  EXPECT_FALSE(k.ping);
}

TEST(Framing, TwoMessagesBackToBack) {
  std::string two = kOptions + "\r\n" + kOptions;
  auto c1 = as<frame::Complete>(find_message(two, kMax));
  EXPECT_EQ(c1.consumed(), kOptions.size());
  auto c2 = as<frame::Complete>(find_message(std::string_view(two).substr(c1.consumed()), kMax));
  EXPECT_EQ(c2.offset, 2u);
  EXPECT_EQ(c2.length, kOptions.size());
}

TEST(Framing, NonSipInputIsRefusedEarly) {
  EXPECT_EQ(as<frame::Error>(find_message("\x16\x03\x01\x02", kMax)).reason, "not SIP");
  EXPECT_EQ(as<frame::Error>(find_message("GET / HTTP/1.1\r\n", kMax)).reason, "not SIP");
  EXPECT_EQ(as<frame::Error>(find_message("hello world\r\n\r\n", kMax)).reason, "not SIP");
}

TEST(Framing, BadContentLength) {
  for (std::string_view h : {"Content-Length: abc", "Content-Length: -1", "Content-Length:",
                             "l: 1 2", "Content-Length: 0x10"}) {
    EXPECT_EQ(as<frame::Error>(find_message(with_body(h, ""), kMax)).reason,
              "bad Content-Length")
        << h;
  }
}

TEST(Framing, ConflictingContentLength) {
  EXPECT_EQ(as<frame::Error>(find_message(with_body("l: 1\r\nContent-Length: 2", "xy"), kMax))
                .reason,
            "conflicting Content-Length");
  // The same value twice is tolerated.
  std::string same = with_body("l: 2\r\nContent-Length: 2", "xy");
  EXPECT_EQ(as<frame::Complete>(find_message(same, kMax)).length, same.size());
}

TEST(Framing, MessageLargerThanLimit) {
  EXPECT_EQ(as<frame::Error>(find_message(with_body("Content-Length: 200", ""), 100)).reason,
            "message too large");
  EXPECT_EQ(as<frame::Error>(find_message(with_body("Content-Length: 99999999999999999999999",
                                                    ""),
                                          kMax))
                .reason,
            "message too large");
  // Exactly at the limit is fine.
  std::string m = with_body("Content-Length: 3", "abc");
  EXPECT_EQ(as<frame::Complete>(find_message(m, m.size())).length, m.size());
  EXPECT_TRUE(std::holds_alternative<frame::Error>(find_message(m, m.size() - 1)));
}

TEST(Framing, HeadersWithoutEndLargerThanLimit) {
  std::string m = "INVITE sip:a@b SIP/2.0\r\n";
  while (m.size() <= 200) m += "X-Filler: aaaaaaaaaa\r\n";
  EXPECT_EQ(as<frame::Error>(find_message(m, 200)).reason, "headers too large");
  std::string no_line_end = "INVITE " + std::string(300, 'a');
  EXPECT_EQ(as<frame::Error>(find_message(no_line_end, 200)).reason, "headers too large");
  EXPECT_TRUE(std::holds_alternative<frame::Incomplete>(find_message(no_line_end, 1000)));
}

// Random input built from the bytes the framer cares about: every answer stays
// inside the buffer, and feeding the bytes one at a time with the resume hint
// reaches the same first answer as a scan of the whole buffer.
TEST(Framing, RandomInputKeepsInvariants) {
  const std::vector<std::string> pieces = {
      "\r\n", "\n", "\r", " ", "\t", ":", "l", "L", "Content-Length", "0", "1", "7",
      "12", "x", "INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", "Via: v", "\x16", "\r\n\r\n"};
  std::mt19937 rng(5626);
  for (int round = 0; round < 3000; ++round) {
    std::string buf;
    int n = std::uniform_int_distribution<int>(0, 30)(rng);
    for (int i = 0; i < n; ++i) {
      buf += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
    }
    const std::size_t max = 200;
    FrameResult whole = find_message(buf, max);
    if (auto* c = std::get_if<frame::Complete>(&whole)) {
      ASSERT_LE(c->consumed(), buf.size());
      ASSERT_GT(c->length, 0u);
    } else if (auto* k = std::get_if<frame::KeepAlive>(&whole)) {
      ASSERT_GT(k->consumed, 0u);
      ASSERT_LE(k->consumed, buf.size());
    } else if (auto* i = std::get_if<frame::Incomplete>(&whole)) {
      ASSERT_LE(i->resume, buf.size());
    }
    // Incremental: the first non-Incomplete answer on a growing prefix.
    std::size_t resume = 0;
    for (std::size_t len = 1; len <= buf.size(); ++len) {
      FrameResult r = find_message(std::string_view(buf).substr(0, len), max, resume);
      if (auto* i = std::get_if<frame::Incomplete>(&r)) {
        resume = i->resume;
        continue;
      }
      if (auto* c = std::get_if<frame::Complete>(&r)) {
        auto* w = std::get_if<frame::Complete>(&whole);
        ASSERT_TRUE(w) << buf;
        EXPECT_EQ(c->offset, w->offset) << buf;
        EXPECT_EQ(c->length, w->length) << buf;
      } else if (std::holds_alternative<frame::Error>(r)) {
        EXPECT_TRUE(std::holds_alternative<frame::Error>(whole)) << buf;
      }
      break;
    }
  }
}

TEST(StartLine, Shapes) {
  EXPECT_TRUE(looks_like_start_line("INVITE sip:bob@biloxi.com SIP/2.0"));
  EXPECT_TRUE(looks_like_start_line("SIP/2.0 180 Ringing"));
  EXPECT_TRUE(looks_like_start_line("sip/2.0 200 OK"));
  EXPECT_TRUE(looks_like_start_line("NEWMETHOD sip:x SIP/2.0"));
  EXPECT_FALSE(looks_like_start_line("SIP/2.0"));
  EXPECT_FALSE(looks_like_start_line("INVITE SIP/2.0"));
  EXPECT_FALSE(looks_like_start_line("GET / HTTP/1.1"));
  EXPECT_FALSE(looks_like_start_line(""));
  EXPECT_FALSE(looks_like_start_line("IN<VITE sip:x SIP/2.0"));
}

TEST(Datagram, KeepAlivesAndNoiseAreDropped) {
  EXPECT_FALSE(datagram_message(""));
  EXPECT_FALSE(datagram_message("\r\n"));
  EXPECT_FALSE(datagram_message("\r\n\r\n"));
  // A STUN binding request header (RFC 5389 6): type 0x0001, magic cookie.
  const char stun[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, static_cast<char>(0xa4), 0x42};
  EXPECT_FALSE(datagram_message(std::string_view(stun, sizeof stun)));
  EXPECT_FALSE(datagram_message("hello"));
}

TEST(Datagram, SipMessageIsReturnedWithoutLeadingLineEnds) {
  const std::string datagram = "\r\n" + kOptions;
  auto m = datagram_message(datagram);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, kOptions);
  EXPECT_EQ(datagram_message("SIP/2.0 200 OK"), std::optional<std::string_view>("SIP/2.0 200 OK"));
}

}  // namespace
}  // namespace parley::sip
