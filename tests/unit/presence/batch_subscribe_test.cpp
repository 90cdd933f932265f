#include "roles/presence/batch_subscribe.hpp"

#include <gtest/gtest.h>

namespace parley::presence {
namespace {

// pidgin-sipe's batched subscription (sipe-subscriptions.c).
constexpr std::string_view kSipeBatch =
    "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" "
    "uri=\"sip:alice@x\" name=\"\"><action name=\"subscribe\" id=\"63792024\"><adhocList>"
    "<resource uri=\"sip:bob@x\"/><resource uri=\"sip:carol@x\"><context/></resource></adhocList>"
    "<categoryList xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\">"
    "<category name=\"calendarData\"/><category name=\"contactCard\"/><category name=\"note\"/>"
    "<category name=\"state\"/></categoryList></action></batchSub>";

lync::BodyError::Kind error_of(std::string_view body) {
  auto r = parse_batch_subscribe(body);
  EXPECT_TRUE(std::holds_alternative<lync::BodyError>(r)) << body;
  return std::holds_alternative<lync::BodyError>(r) ? std::get<lync::BodyError>(r).kind
                                                     : lync::BodyError::Kind::unsupported;
}

TEST(BatchSubscribe, ParsesSipeBody) {
  auto r = parse_batch_subscribe(kSipeBatch);
  ASSERT_TRUE(std::holds_alternative<BatchSubscribe>(r));
  const auto& b = std::get<BatchSubscribe>(r);
  EXPECT_EQ(b.list_uri, "sip:alice@x");
  EXPECT_EQ(b.action, "subscribe");
  EXPECT_EQ(b.resources, (std::vector<std::string>{"sip:bob@x", "sip:carol@x"}));
  EXPECT_EQ(b.categories,
            (std::vector<std::string>{"calendarData", "contactCard", "note", "state"}));
}

TEST(BatchSubscribe, UnsubscribeAndDuplicates) {
  auto r = parse_batch_subscribe(
      "<batchSub uri=\"sip:alice@x\"><action name=\"unsubscribe\" id=\"1\"><adhocList>"
      "<resource uri=\"sip:bob@x\"/><resource uri=\"sip:BOB@x\"/></adhocList></action></batchSub>");
  ASSERT_TRUE(std::holds_alternative<BatchSubscribe>(r));
  const auto& b = std::get<BatchSubscribe>(r);
  EXPECT_EQ(b.action, "unsubscribe");
  EXPECT_EQ(b.resources, std::vector<std::string>{"sip:bob@x"});
  EXPECT_TRUE(b.categories.empty());
}

TEST(BatchSubscribe, RefusesBadBodies) {
  using K = lync::BodyError::Kind;
  EXPECT_EQ(error_of(""), K::malformed);
  EXPECT_EQ(error_of("<batchSub"), K::malformed);
  EXPECT_EQ(error_of("<publish/>"), K::malformed);
  EXPECT_EQ(error_of("<batchSub uri=\"sip:a@x\"/>"), K::invalid);
  EXPECT_EQ(error_of("<batchSub><action name=\"refresh\"/></batchSub>"), K::invalid);
  EXPECT_EQ(error_of("<batchSub><action name=\"subscribe\"><adhocList><resource/></adhocList></action></batchSub>"),
            K::invalid);
  EXPECT_EQ(error_of("<batchSub><action name=\"subscribe\"><categoryList><category/></categoryList></action></batchSub>"),
            K::invalid);
}

TEST(BatchSubscribe, CapsResources) {
  const auto body = [](std::size_t n) {
    std::string s = "<batchSub uri=\"sip:a@x\"><action name=\"subscribe\"><adhocList>";
    for (std::size_t i = 0; i < n; ++i) s += "<resource uri=\"sip:u" + std::to_string(i) + "@x\"/>";
    return s + "</adhocList></action></batchSub>";
  };
  auto ok = parse_batch_subscribe(body(kMaxBatchResources));
  ASSERT_TRUE(std::holds_alternative<BatchSubscribe>(ok));
  EXPECT_EQ(std::get<BatchSubscribe>(ok).resources.size(), kMaxBatchResources);
  EXPECT_EQ(error_of(body(kMaxBatchResources + 1)), lync::BodyError::Kind::invalid);
}

}  // namespace
}  // namespace parley::presence
