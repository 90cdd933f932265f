#include "roles/lync/roaming_self.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace parley::lync {
namespace {

pugi::xml_document parse(const std::string& body) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(body.c_str())) << body;
  return doc;
}

TEST(RoamingSelf, ParsesSipeAndDocumentRequests) {
  // pidgin-sipe (sipe-subscriptions.c).
  auto sipe = parse_roaming_list(
      "<roamingList xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\">"
      "<roaming type=\"categories\"/><roaming type=\"containers\"/>"
      "<roaming type=\"subscribers\"/></roamingList>");
  ASSERT_TRUE(std::holds_alternative<RoamingScope>(sipe));
  auto s = std::get<RoamingScope>(sipe);
  EXPECT_TRUE(s.categories && s.containers && s.subscribers);
  EXPECT_FALSE(s.delegates);

  // [MS-PRES] 4.4.1 (Communicator): with roamingEx delegates.
  auto oc = parse_roaming_list(
      "<roamingList xmlns=\"http://schemas.microsoft.com/2006/09/sip/roaming-self\">\n"
      "  <roaming type=\"categories\"/>\n  <roaming type=\"containers\"/>\n"
      "  <roaming type=\"subscribers\"/>\n"
      "  <roamingEx xmlns=\"http://schemas.microsoft.com/2007/09/sip/roaming-self-ex\" type=\"delegates\"/>\n"
      "</roamingList>");
  ASSERT_TRUE(std::holds_alternative<RoamingScope>(oc));
  EXPECT_TRUE(std::get<RoamingScope>(oc).delegates);

  auto only = std::get<RoamingScope>(parse_roaming_list(
      "<roamingList><roaming type=\"subscribers\"/></roamingList>"));
  EXPECT_FALSE(only.categories);
  EXPECT_TRUE(only.subscribers);

  auto empty = std::get<RoamingScope>(parse_roaming_list(""));
  EXPECT_TRUE(empty.categories && empty.containers && empty.subscribers);

  EXPECT_TRUE(std::holds_alternative<BodyError>(parse_roaming_list("<roamingData/>")));
  EXPECT_TRUE(std::holds_alternative<BodyError>(parse_roaming_list("<roamingList>")));
}

TEST(RoamingSelf, EmptyUserGetsEmptyCategoriesAndDefaultContainers) {
  RoamingSelf self;
  self.uri = "sip:alice@parley.test";
  self.containers = default_containers();
  auto doc = parse(build_roaming_data(self, {true, true, true, false}));
  pugi::xml_node root = doc.child("roamingData");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://schemas.microsoft.com/2006/09/sip/roaming-self");
  pugi::xml_node cats = root.child("categories");
  ASSERT_TRUE(cats);
  EXPECT_STREQ(cats.attribute("uri").value(), "sip:alice@parley.test");
  EXPECT_STREQ(cats.attribute("xmlns").value(), "http://schemas.microsoft.com/2006/09/sip/categories");
  EXPECT_FALSE(cats.child("category"));
  ASSERT_TRUE(root.child("subscribers"));
  EXPECT_FALSE(root.child("subscribers").child("subscriber"));

  // sipe looks for a sameEnterprise member and a federated member (sipe-ocs2007.c);
  // finding both, it sends no setContainerMembers.
  bool same_enterprise = false;
  bool federated = false;
  for (pugi::xml_node c : root.child("containers").children("container")) {
    for (pugi::xml_node m : c.children("member")) {
      const std::string type = m.attribute("type").value();
      if (type == "sameEnterprise") {
        same_enterprise = true;
        EXPECT_EQ(c.attribute("id").as_int(), 200);
      }
      if (type == "federated") {
        federated = true;
        EXPECT_EQ(c.attribute("id").as_int(), 100);
      }
      EXPECT_FALSE(m.attribute("value"));
    }
    EXPECT_EQ(c.attribute("version").as_int(), 1);
  }
  EXPECT_TRUE(same_enterprise);
  EXPECT_TRUE(federated);
}

TEST(RoamingSelf, CategoriesContainersSubscribersAsSipeReadsThem) {
  RoamingSelf self;
  self.uri = "sip:alice@contoso.com";
  // [MS-PRES] 4.4.3: an aggregateState publication.
  self.categories.push_back(
      {"state", 2, 1, 1, "2008-01-22T23:41:05.450", "user",
       "<state xsi:type=\"aggregateState\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
       " xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\"><availability>3500</availability></state>"});
  self.categories.push_back({"note", 200, 0, 3, "", "", "<note><body>broken"});  // not XML: dropped
  self.containers = {{32000, 4, {{"user", "mallory@evil.test"}, {"domain", "spam.test"}}}};
  self.subscribers = {{"bob@contoso.com", "Bob", false, "sameEnterprise"},
                      {"carol@fabrikam.com", "Carol", true, ""}};
  auto doc = parse(build_roaming_data(self, {true, true, true, false}));
  pugi::xml_node root = doc.child("roamingData");

  pugi::xml_node state = root.child("categories").child("category");
  EXPECT_STREQ(state.attribute("name").value(), "state");
  EXPECT_EQ(state.attribute("container").as_int(), 2);
  EXPECT_EQ(state.attribute("instance").as_int(), 1);
  EXPECT_EQ(state.attribute("version").as_int(), 1);
  EXPECT_STREQ(state.attribute("publishTime").value(), "2008-01-22T23:41:05.450");
  EXPECT_STREQ(state.attribute("expireType").value(), "user");
  EXPECT_STREQ(state.child("state").attribute("xsi:type").value(), "aggregateState");
  EXPECT_STREQ(state.child("state").child_value("availability"), "3500");
  pugi::xml_node note = state.next_sibling("category");
  EXPECT_STREQ(note.attribute("name").value(), "note");
  EXPECT_FALSE(note.first_child());
  EXPECT_FALSE(note.attribute("publishTime"));

  pugi::xml_node blocked = root.child("containers").child("container");
  EXPECT_EQ(blocked.attribute("id").as_int(), 32000);
  EXPECT_EQ(blocked.attribute("version").as_int(), 4);
  EXPECT_STREQ(blocked.child("member").attribute("type").value(), "user");
  EXPECT_STREQ(blocked.child("member").attribute("value").value(), "mallory@evil.test");

  pugi::xml_node bob = root.child("subscribers").child("subscriber");
  EXPECT_STREQ(root.child("subscribers").attribute("xmlns").value(),
               "http://schemas.microsoft.com/2006/09/sip/presence-subscribers");
  EXPECT_STREQ(bob.attribute("user").value(), "bob@contoso.com");  // without sip:
  EXPECT_STREQ(bob.attribute("displayName").value(), "Bob");
  EXPECT_STREQ(bob.attribute("acknowledged").value(), "false");
  EXPECT_STREQ(bob.attribute("type").value(), "sameEnterprise");
  EXPECT_FALSE(bob.next_sibling("subscriber").attribute("type"));
}

TEST(RoamingSelf, OnlyTheAskedScopes) {
  RoamingSelf self;
  self.uri = "sip:a@b";
  auto doc = parse(build_roaming_data(self, {false, false, true, false}));
  EXPECT_FALSE(doc.child("roamingData").child("categories"));
  EXPECT_FALSE(doc.child("roamingData").child("containers"));
  EXPECT_TRUE(doc.child("roamingData").child("subscribers"));
}

}  // namespace
}  // namespace parley::lync
