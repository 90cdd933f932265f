#include "roles/presence/pidf.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace {

PidfPresence parse_ok(std::string_view body) {
  auto r = parse_pidf(body);
  EXPECT_TRUE(std::holds_alternative<PidfPresence>(r)) << body;
  if (auto* p = std::get_if<PidfPresence>(&r)) return *p;
  return {};
}

TEST(Pidf, ParsesBaresipPublish) {
  // The shape baresip's presence module publishes: a person with an RPID
  // activity and a tuple.
  auto p = parse_ok(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\r\n"
      "    xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\r\n"
      "    xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"\r\n"
      "    entity=\"sip:bob@x\">\r\n"
      "  <dm:person id=\"p4159\"><rpid:activities><rpid:away/></rpid:activities></dm:person>\r\n"
      "  <tuple id=\"t4109\"><status><basic>open</basic></status>"
      "<contact>sip:bob@10.0.0.1</contact></tuple>\r\n"
      "</presence>\r\n");
  EXPECT_EQ(p.entity, "sip:bob@x");
  EXPECT_TRUE(p.open);
  EXPECT_EQ(p.activities, std::vector<std::string>{"away"});
  EXPECT_EQ(availability_from_pidf(p), kAway);
}

TEST(Pidf, MatchesNamespacesNotPrefixes) {
  auto p = parse_ok(
      "<p:presence xmlns:p=\"urn:ietf:params:xml:ns:pidf\" xmlns:a=\"urn:ietf:params:xml:ns:pidf:rpid\" "
      "xmlns:b=\"urn:ietf:params:xml:ns:pidf:data-model\" entity=\"pres:bob@x\">"
      "<p:tuple id=\"a\"><p:status><p:basic>closed</p:basic></p:status></p:tuple>"
      "<p:tuple id=\"b\"><p:status><p:basic> open </p:basic></p:status><p:note>on a call</p:note></p:tuple>"
      "<b:person id=\"x\"><a:activities><a:on-the-phone/><a:meeting/></a:activities>"
      "<a:user-input>idle</a:user-input></b:person>"
      // Same local names in a foreign namespace are ignored.
      "<person xmlns=\"urn:example\"><activities><away/></activities></person>"
      "</p:presence>");
  EXPECT_TRUE(p.open);
  EXPECT_EQ(p.note, "on a call");
  EXPECT_EQ(p.activities, (std::vector<std::string>{"on-the-phone", "meeting"}));
  EXPECT_TRUE(p.idle);
  EXPECT_EQ(availability_from_pidf(p), kBusyIdle);

  // A "basic" outside the pidf namespace does not open.
  auto q = parse_ok(
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@x\"><tuple id=\"t\">"
      "<status><basic xmlns=\"urn:other\">open</basic></status></tuple></presence>");
  EXPECT_FALSE(q.open);
  EXPECT_EQ(availability_from_pidf(q), kOffline);
}

TEST(Pidf, RefusesBadDocuments) {
  const auto kind = [](std::string_view body) {
    auto r = parse_pidf(body);
    EXPECT_TRUE(std::holds_alternative<lync::BodyError>(r)) << body;
    return std::holds_alternative<lync::BodyError>(r) ? std::get<lync::BodyError>(r).kind
                                                       : lync::BodyError::Kind::unsupported;
  };
  EXPECT_EQ(kind(""), lync::BodyError::Kind::malformed);
  EXPECT_EQ(kind("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\""), lync::BodyError::Kind::malformed);
  EXPECT_EQ(kind("<presence entity=\"sip:a@x\"/>"), lync::BodyError::Kind::malformed);  // no namespace
  EXPECT_EQ(kind("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>"), lync::BodyError::Kind::invalid);
  EXPECT_EQ(kind("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@x\">" +
                 std::string(lync::kMaxRequestBodyBytes, ' ') + "</presence>"),
            lync::BodyError::Kind::malformed);
  // No tuple: closed.
  auto p = parse_ok("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@x\"/>");
  EXPECT_FALSE(p.open);
}

TEST(Pidf, AvailabilityFromPidfTable) {
  PidfPresence p;
  p.entity = "sip:a@x";
  EXPECT_EQ(availability_from_pidf(p), kOffline);  // closed
  p.activities = {"busy"};
  EXPECT_EQ(availability_from_pidf(p), kOffline);  // closed wins
  p.open = true;
  p.activities = {};
  EXPECT_EQ(availability_from_pidf(p), kAvailable);
  p.idle = true;
  EXPECT_EQ(availability_from_pidf(p), kAvailableIdle);
  p.idle = false;
  for (const char* a : {"busy", "on-the-phone", "meeting", "appointment", "presentation"}) {
    p.activities = {a};
    EXPECT_EQ(availability_from_pidf(p), kBusy) << a;
  }
  for (const char* a : {"away", "vacation", "sleeping", "travel", "meal"}) {
    p.activities = {a};
    EXPECT_EQ(availability_from_pidf(p), kAway) << a;
  }
  p.activities = {"working"};
  EXPECT_EQ(availability_from_pidf(p), kAvailable);
  p.activities = {"busy", "away"};
  EXPECT_EQ(availability_from_pidf(p), kAway);
  p.activities = {"busy", "do-not-disturb"};
  EXPECT_EQ(availability_from_pidf(p), kDoNotDisturb);
  p.activities = {"away", "be-right-back"};
  EXPECT_EQ(availability_from_pidf(p), kBeRightBack);
}

TEST(Pidf, PidfFromAvailabilityTable) {
  auto p = pidf_from_availability("sip:a@x", kOffline, "");
  EXPECT_FALSE(p.open);
  EXPECT_TRUE(p.activities.empty());
  EXPECT_FALSE(pidf_from_availability("sip:a@x", 0, "").open);
  p = pidf_from_availability("sip:a@x", kAvailable, "hi");
  EXPECT_TRUE(p.open);
  EXPECT_TRUE(p.activities.empty());
  EXPECT_FALSE(p.idle);
  EXPECT_EQ(p.note, "hi");
  EXPECT_EQ(p.entity, "sip:a@x");
  p = pidf_from_availability("sip:a@x", kAvailableIdle, "");
  EXPECT_TRUE(p.open && p.idle && p.activities.empty());
  p = pidf_from_availability("sip:a@x", kBusy, "");
  EXPECT_EQ(p.activities, std::vector<std::string>{"busy"});
  EXPECT_FALSE(p.idle);
  p = pidf_from_availability("sip:a@x", kBusyIdle, "");
  EXPECT_EQ(p.activities, std::vector<std::string>{"busy"});
  EXPECT_TRUE(p.idle);
  p = pidf_from_availability("sip:a@x", kDoNotDisturb, "");
  EXPECT_EQ(p.activities, (std::vector<std::string>{"busy", "do-not-disturb"}));
  p = pidf_from_availability("sip:a@x", kBeRightBack, "");
  EXPECT_EQ(p.activities, (std::vector<std::string>{"away", "be-right-back"}));
  p = pidf_from_availability("sip:a@x", kAway, "");
  EXPECT_EQ(p.activities, std::vector<std::string>{"away"});
}

TEST(Pidf, EveryBandRoundTripsThroughTheDocument) {
  for (std::uint32_t a : {kAvailable, kAvailableIdle, kBusy, kBusyIdle, kDoNotDisturb, kBeRightBack,
                          kAway, kOffline}) {
    const PidfPresence p = pidf_from_availability("sip:bob@x", a, "note <&> \"q\"");
    const std::string doc = build_pidf(p);
    const PidfPresence back = parse_ok(doc);
    EXPECT_EQ(back.entity, "sip:bob@x");
    EXPECT_EQ(back.open, p.open) << a;
    EXPECT_EQ(back.activities, p.activities) << a;
    EXPECT_EQ(back.idle, p.idle) << a;
    EXPECT_EQ(back.note, "note <&> \"q\"");
    EXPECT_EQ(availability_from_pidf(back), a) << doc;
  }
}

TEST(Pidf, BuildsValidRpid) {
  PidfPresence p = pidf_from_availability("sip:bob@x", kDoNotDisturb, "");
  const std::string doc = build_pidf(p);
  EXPECT_EQ(doc.rfind("<?xml", 0), 0u);
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.child("presence");
  EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:pidf");
  EXPECT_STREQ(root.attribute("entity").value(), "sip:bob@x");
  EXPECT_TRUE(root.child("tuple").attribute("id"));
  EXPECT_STREQ(root.child("tuple").child("status").child_value("basic"), "open");
  pugi::xml_node acts = root.child("dm:person").child("rpid:activities");
  EXPECT_TRUE(acts.child("rpid:busy"));
  EXPECT_STREQ(acts.child_value("rpid:other"), "do-not-disturb");
  EXPECT_FALSE(root.child("note"));  // empty note omitted
  // Closed, nothing else: no person.
  pugi::xml_document c;
  ASSERT_TRUE(c.load_string(build_pidf(pidf_from_availability("sip:bob@x", kOffline, "")).c_str()));
  EXPECT_STREQ(c.child("presence").child("tuple").child("status").child_value("basic"), "closed");
  EXPECT_FALSE(c.child("presence").child("dm:person"));
}

}  // namespace
}  // namespace parley::presence
