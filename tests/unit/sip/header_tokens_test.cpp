#include "sip/header_tokens.hpp"

#include <gtest/gtest.h>

namespace parley::sip {
namespace {

Message parse_or_die(std::string text) {
  auto r = Message::parse(std::move(text));
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "parse failed: " << e->reason;
    return Message{};
  }
  return std::get<Message>(std::move(r));
}

Message subscribe(const std::string& extra) {
  return parse_or_die(
      "SUBSCRIBE sip:alice@x SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKt\r\n"
      "From: <sip:bob@x>;tag=1\r\nTo: <sip:alice@x>\r\nCall-ID: c1\r\nCSeq: 1 SUBSCRIBE\r\n" +
      extra + "Content-Length: 0\r\n\r\n");
}

TEST(HeaderTokens, SupportedOptionTagsInAnyHeaderAnyCase) {
  Message m = subscribe("Supported: gruu, EventList\r\nSupported: ms-benotify\r\n");
  EXPECT_TRUE(supports_option(m, "eventlist"));
  EXPECT_TRUE(supports_option(m, "ms-benotify"));
  EXPECT_TRUE(supports_option(m, "gruu"));
  EXPECT_FALSE(supports_option(m, "timer"));
  EXPECT_FALSE(supports_option(subscribe(""), "gruu"));
}

TEST(HeaderTokens, AcceptIgnoresParametersAndCase) {
  Message m = subscribe("Accept: application/PIDF+xml;q=0.5, multipart/related\r\n");
  EXPECT_TRUE(accepts_type(m, "application/pidf+xml"));
  EXPECT_TRUE(accepts_type(m, "multipart/related"));
  EXPECT_FALSE(accepts_type(m, "application/rlmi+xml"));
  EXPECT_FALSE(accepts_type(subscribe(""), "application/pidf+xml"));
}

TEST(HeaderTokens, EventPackageWithoutParameters) {
  EXPECT_EQ(event_package(subscribe("Event: presence ; id=7\r\n")), "presence");
  EXPECT_EQ(event_package(subscribe("Event: presence.winfo\r\n")), "presence.winfo");
  EXPECT_EQ(event_package(subscribe("")), "");
}

}  // namespace
}  // namespace parley::sip
