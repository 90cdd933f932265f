#include "roles/lync/roaming_contacts.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace parley::lync {
namespace {

pugi::xml_document parse(const std::string& body) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(body.c_str())) << body;
  return doc;
}

// The [MS-SIP] 3.7.5.2 example list.
store::ContactList example() {
  store::ContactList l;
  l.delta_num = 685;
  l.groups = {{1, "~", ""}, {2, "Team", ""}, {3, "External", ""}};
  l.contacts = {{"contact1@tradewind.com", "", {1, 3}, true, "", ""},
                {"contact2@tradewind.com", "", {1, 2}, true, "", ""},
                {"contact3@tradewind.com", "", {1}, true, "", ""},
                {"contact4@tradewind.com", "", {1}, true, "", ""}};
  return l;
}

TEST(RoamingContacts, FullListHasTheDocumentShape) {
  auto doc = parse(build_contact_list(example()));
  pugi::xml_node root = doc.child("contactList");
  ASSERT_TRUE(root);
  EXPECT_EQ(root.attribute("deltaNum").as_int(), 685);
  EXPECT_FALSE(root.attribute("ucsmode"));  // pidgin-sipe would otherwise consider UCS
  std::vector<std::string> groups;
  for (pugi::xml_node g : root.children("group")) {
    groups.push_back(std::string(g.attribute("id").value()) + ":" + g.attribute("name").value());
    EXPECT_TRUE(g.attribute("externalURI"));
  }
  EXPECT_EQ(groups, (std::vector<std::string>{"1:~", "2:Team", "3:External"}));
  pugi::xml_node c1 = root.child("contact");
  // sipe prepends "sip:" to contactList uris: they carry none.
  EXPECT_STREQ(c1.attribute("uri").value(), "contact1@tradewind.com");
  EXPECT_STREQ(c1.attribute("name").value(), "");
  EXPECT_STREQ(c1.attribute("groups").value(), "1 3");
  EXPECT_STREQ(c1.attribute("subscribed").value(), "true");
  EXPECT_TRUE(c1.attribute("externalURI"));
  EXPECT_EQ(std::distance(root.children("contact").begin(), root.children("contact").end()), 4);
  // Groups come before contacts ([MS-SIP] 9.1 fullContactList sequence).
  EXPECT_STREQ(root.first_child().name(), "group");
  EXPECT_STREQ(root.last_child().name(), "contact");
}

TEST(RoamingContacts, EmptyListHasTheDefaultGroup) {
  store::ContactList l;
  l.groups = {{1, "~", ""}};
  auto doc = parse(build_contact_list(l));
  EXPECT_EQ(doc.child("contactList").attribute("deltaNum").as_int(), 1);
  EXPECT_STREQ(doc.child("contactList").child("group").attribute("name").value(), "~");
  EXPECT_FALSE(doc.child("contactList").child("contact"));
}

TEST(RoamingContacts, UcsModeAndExtensionAndEscaping) {
  store::ContactList l = example();
  l.contacts.resize(1);
  l.contacts[0].name = "Bob \"B\" <&>";
  l.contacts[0].subscribed = false;
  l.contacts[0].extension = "<contactSettings contactId=\"1\"><x>y</x></contactSettings>";
  auto doc = parse(build_contact_list(l, {"none"}));
  pugi::xml_node root = doc.child("contactList");
  EXPECT_STREQ(root.attribute("ucsmode").value(), "none");
  pugi::xml_node c = root.child("contact");
  EXPECT_STREQ(c.attribute("name").value(), "Bob \"B\" <&>");
  EXPECT_STREQ(c.attribute("subscribed").value(), "false");
  EXPECT_STREQ(c.child("contactExtension").child("contactSettings").child_value("x"), "y");

  // An extension that is not XML is left out rather than breaking the list.
  l.contacts[0].extension = "<unclosed>";
  auto doc2 = parse(build_contact_list(l));
  EXPECT_FALSE(doc2.child("contactList").child("contact").child("contactExtension"));
}

TEST(RoamingContacts, DeltaCarriesSipUrisAndOrder) {
  store::ContactDelta d;
  d.prev_delta_num = 16;
  d.delta_num = 17;
  d.added_groups = {{4, "Friends", ""}};
  d.modified_groups = {{2, "Core", ""}};
  d.added_contacts = {{"dave@tradewind.com", "Dave", {4}, true, "", ""}};
  d.modified_contacts = {{"bob@tradewind.com", "", {1}, true, "", ""}};
  d.deleted_groups = {3};
  d.deleted_contacts = {"carol@tradewind.com"};
  auto doc = parse(build_contact_delta(d));
  pugi::xml_node root = doc.child("contactDelta");
  ASSERT_TRUE(root);
  EXPECT_EQ(root.attribute("deltaNum").as_int(), 17);
  EXPECT_EQ(root.attribute("prevDeltaNum").as_int(), 16);
  std::vector<std::string> order;
  for (pugi::xml_node n : root.children()) order.push_back(n.name());
  EXPECT_EQ(order, (std::vector<std::string>{"addedGroup", "modifiedGroup", "addedContact",
                                             "modifiedContact", "deletedGroup", "deletedContact"}));
  EXPECT_EQ(root.child("addedGroup").attribute("id").as_int(), 4);
  EXPECT_STREQ(root.child("addedGroup").attribute("name").value(), "Friends");
  // sipe uses delta uris as they are: with "sip:".
  EXPECT_STREQ(root.child("addedContact").attribute("uri").value(), "sip:dave@tradewind.com");
  EXPECT_STREQ(root.child("addedContact").attribute("groups").value(), "4");
  EXPECT_STREQ(root.child("modifiedContact").attribute("uri").value(), "sip:bob@tradewind.com");
  EXPECT_EQ(root.child("deletedGroup").attribute("id").as_int(), 3);
  EXPECT_STREQ(root.child("deletedContact").attribute("uri").value(), "sip:carol@tradewind.com");
}

TEST(RoamingContacts, InvalidCharactersNeverReachTheDocument) {
  store::ContactList l;
  l.groups = {{1, std::string("bad\x01group\xff", 11), ""}};
  const std::string body = build_contact_list(l);
  EXPECT_EQ(body.find('\x01'), std::string::npos);
  EXPECT_EQ(body.find("&#1;"), std::string::npos);
  auto doc = parse(body);
  EXPECT_STREQ(doc.child("contactList").child("group").attribute("name").value(),
               "badgroup\xEF\xBF\xBD");
}

}  // namespace
}  // namespace parley::lync
