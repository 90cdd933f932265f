#include "roles/presence/category_publish.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "roles/presence/aggregation.hpp"

namespace parley::presence {
namespace {

// pidgin-sipe's initial publication (sipe-ocs2007.c): machine state in 2 and 3,
// a note removal.
constexpr std::string_view kSipePublish =
    "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">"
    "<publications uri=\"sip:alice@x\">"
    "<publication categoryName=\"state\" instance=\"926460663\" container=\"2\" version=\"0\" "
    "expireType=\"endpoint\">"
    "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"false\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"machineState\">"
    "<availability>3500</availability><endpointLocation/></state></publication>"
    "<publication categoryName=\"state\" instance=\"926460663\" container=\"3\" version=\"4\" "
    "expireType=\"endpoint\">"
    "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" manual=\"false\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"machineState\">"
    "<availability>3500</availability><endpointLocation/></state></publication>"
    "<publication categoryName=\"note\" instance=\"0\" container=\"400\" version=\"0\" "
    "expireType=\"static\" expires=\"0\"/>"
    "</publications></publish>";

bool invalid(std::string_view body) {
  auto r = parse_category_publish(body);
  const auto* e = std::get_if<lync::BodyError>(&r);
  return e && e->kind == lync::BodyError::Kind::invalid;
}

bool malformed(std::string_view body) {
  auto r = parse_category_publish(body);
  const auto* e = std::get_if<lync::BodyError>(&r);
  return e && e->kind == lync::BodyError::Kind::malformed;
}

std::string pub(std::string_view attrs) {
  return "<publish><publications uri=\"sip:a@x\"><publication " + std::string(attrs) +
         "/></publications></publish>";
}

TEST(CategoryPublish, ParsesSipeInitialPublication) {
  auto r = parse_category_publish(kSipePublish);
  ASSERT_TRUE(std::holds_alternative<CategoryPublish>(r));
  const auto& p = std::get<CategoryPublish>(r);
  EXPECT_EQ(p.uri, "sip:alice@x");
  ASSERT_EQ(p.publications.size(), 3u);

  const PublicationOp& s = p.publications[0];
  EXPECT_EQ(s.index, 1u);
  EXPECT_EQ(s.category.name, "state");
  EXPECT_EQ(s.category.instance, 926460663);
  EXPECT_EQ(s.category.container, 2);
  EXPECT_EQ(s.category.version, 0);
  EXPECT_EQ(s.category.expire_type, "endpoint");
  EXPECT_FALSE(s.expires.has_value());
  // The payload is the state element alone and still a usable machine state.
  EXPECT_EQ(s.category.payload_xml.rfind("<state", 0), 0u) << s.category.payload_xml;
  auto state = parse_state(s.category.payload_xml);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, StateKind::machine);
  EXPECT_EQ(state->availability, 3500u);

  EXPECT_EQ(p.publications[1].index, 2u);
  EXPECT_EQ(p.publications[1].category.container, 3);
  EXPECT_EQ(p.publications[1].category.version, 4);

  const PublicationOp& note = p.publications[2];
  EXPECT_EQ(note.index, 3u);
  EXPECT_EQ(note.category.name, "note");
  EXPECT_EQ(note.category.container, 400);
  EXPECT_EQ(note.category.expire_type, "static");
  ASSERT_TRUE(note.expires.has_value());
  EXPECT_EQ(*note.expires, 0u);
  EXPECT_TRUE(note.category.payload_xml.empty());
}

TEST(CategoryPublish, PayloadKeepsInheritedNamespaces) {
  auto r = parse_category_publish(
      "<p:publish xmlns:p=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\" "
      "xmlns:st=\"http://schemas.microsoft.com/2006/09/sip/state\"><p:publications uri=\"sip:a@x\">"
      "<p:publication categoryName=\"state\" instance=\"1\" container=\"2\" version=\"1\">"
      "<st:state xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"userState\">"
      "<st:availability>6500</st:availability></st:state></p:publication></p:publications></p:publish>");
  ASSERT_TRUE(std::holds_alternative<CategoryPublish>(r));
  const std::string& payload = std::get<CategoryPublish>(r).publications.at(0).category.payload_xml;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(payload.c_str())) << payload;
  EXPECT_STREQ(doc.document_element().attribute("xmlns:st").value(),
               "http://schemas.microsoft.com/2006/09/sip/state");
  auto state = parse_state(payload);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->kind, StateKind::user);
}

TEST(CategoryPublish, InstanceMayBeAnUnsigned32BitValue) {
  auto r = parse_category_publish(
      pub("categoryName=\"state\" instance=\"4026531840\" container=\"2\" version=\"0\""));
  ASSERT_TRUE(std::holds_alternative<CategoryPublish>(r));
  EXPECT_EQ(std::get<CategoryPublish>(r).publications.at(0).category.instance, 4026531840LL);
}

TEST(CategoryPublish, RefusesMissingOrBadFields) {
  EXPECT_TRUE(invalid(pub("instance=\"0\" container=\"2\" version=\"0\"")));
  EXPECT_TRUE(invalid(pub("categoryName=\"state\" container=\"2\" version=\"0\"")));
  EXPECT_TRUE(invalid(pub("categoryName=\"state\" instance=\"0\" version=\"0\"")));
  EXPECT_TRUE(invalid(pub("categoryName=\"state\" instance=\"0\" container=\"2\"")));
  EXPECT_TRUE(invalid(pub("categoryName=\"state\" instance=\"x\" container=\"2\" version=\"0\"")));
  EXPECT_TRUE(invalid(pub("categoryName=\"state\" instance=\"0\" container=\"2\" version=\"-1\"")));
  EXPECT_TRUE(invalid(
      pub("categoryName=\"state\" instance=\"0\" container=\"2\" version=\"0\" expireType=\"forever\"")));
  EXPECT_TRUE(invalid(
      pub("categoryName=\"state\" instance=\"0\" container=\"2\" version=\"0\" expires=\"soon\"")));
  EXPECT_TRUE(invalid("<publish/>"));
  for (const char* t : {"static", "user", "endpoint", "time"}) {
    EXPECT_FALSE(invalid(pub(std::string("categoryName=\"s\" instance=\"0\" container=\"2\" version=\"0\" expireType=\"") + t + "\""))) << t;
  }
}

TEST(CategoryPublish, RefusesMalformedBodies) {
  EXPECT_TRUE(malformed(""));
  EXPECT_TRUE(malformed("<publish>"));
  EXPECT_TRUE(malformed("<roamingList/>"));
  std::string big = "<publish><publications>" + std::string(lync::kMaxRequestBodyBytes, ' ') +
                    "</publications></publish>";
  EXPECT_TRUE(malformed(big));
}

TEST(CategoryPublish, WrongDeltaFaultIsWhatSipeReads) {
  const std::string body = wrong_delta_fault({{1, 5}, {3, 12}});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body.c_str())) << body;
  pugi::xml_node fault = doc.child("Fault");
  ASSERT_TRUE(fault);
  EXPECT_STREQ(fault.child_value("Faultcode"), "Client.BadCall.WrongDelta");
  pugi::xml_node op = fault.child("details").child("operation");
  ASSERT_TRUE(op);
  EXPECT_EQ(op.attribute("index").as_int(), 1);
  EXPECT_EQ(op.attribute("curVersion").as_int(), 5);
  op = op.next_sibling("operation");
  ASSERT_TRUE(op);
  EXPECT_EQ(op.attribute("index").as_int(), 3);
  EXPECT_EQ(op.attribute("curVersion").as_int(), 12);
  EXPECT_FALSE(op.next_sibling("operation"));
}

}  // namespace
}  // namespace parley::presence

namespace parley::presence {
namespace {

TEST(CategoryPublishClean, ControlCharactersInAPayloadAreDroppedNotRelayed) {
  // One publisher cannot break the documents its watchers parse (fuzz_presence).
  const std::string body =
      "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">"
      "<publications uri=\"sip:a@x\"><publication categoryName=\"note\" instance=\"0\" "
      "container=\"400\" version=\"0\" expireType=\"static\"><note><body a=\"x&#1;y\">"
      "hi&#1;there</body></note></publication></publications></publish>";
  auto r = parse_category_publish(body);
  ASSERT_TRUE(std::holds_alternative<CategoryPublish>(r));
  const std::string& payload = std::get<CategoryPublish>(r).publications.at(0).category.payload_xml;
  EXPECT_EQ(payload.find('\x01'), std::string::npos) << payload;
  EXPECT_EQ(payload.find("&#1;"), std::string::npos) << payload;
  EXPECT_NE(payload.find("hithere"), std::string::npos) << payload;
  EXPECT_NE(payload.find("a=\"xy\""), std::string::npos) << payload;
}

}  // namespace
}  // namespace parley::presence
