#include "roles/lync/provisioning.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <string>

namespace parley::lync {
namespace {

// pidgin-sipe's SUBSCRIBE body (sipe-subscriptions.c).
constexpr std::string_view kSipeRequest =
    "<provisioningGroupList xmlns=\"http://schemas.microsoft.com/2006/09/sip/provisioninggrouplist\">"
    " <provisioningGroup name=\"ServerConfiguration\"/>"
    " <provisioningGroup name=\"meetingPolicy\"/>"
    " <provisioningGroup name=\"persistentChatConfiguration\"/>"
    " <provisioningGroup name=\"ucPolicy\"/>"
    "</provisioningGroupList>";

pugi::xml_document parse(const std::string& body) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(body.c_str())) << body;
  return doc;
}

// What pidgin-sipe's sipe_process_provisioning_v2 does: find the group by name.
pugi::xml_node group(const pugi::xml_document& doc, const char* name) {
  return doc.child("provisionGroupList").find_child_by_attribute("provisionGroup", "name", name);
}

TEST(Provisioning, ParsesSipeRequest) {
  auto r = parse_provisioning_request(kSipeRequest);
  ASSERT_TRUE(std::holds_alternative<ProvisioningRequest>(r));
  const auto& req = std::get<ProvisioningRequest>(r);
  EXPECT_EQ(req.groups, (std::vector<std::string>{"ServerConfiguration", "meetingPolicy",
                                                  "persistentChatConfiguration", "ucPolicy"}));
  EXPECT_TRUE(req.subnet.empty());
}

TEST(Provisioning, ParsesDocumentExampleWithSubnetAndDuplicates) {
  // [MS-SIPREGE] 2.2.2.4: a subnet attribute and further groups.
  auto r = parse_provisioning_request(
      "<provisioningGroupList xmlns=\"http://schemas.microsoft.com/2006/09/sip/provisioninggrouplist\""
      " subnet=\"172.24.32.0\"><provisioningGroup name=\"ServerConfiguration\"/>"
      "<provisioningGroup name=\"endpointConfiguration\"/><provisioningGroup name=\"ServerConfiguration\"/>"
      "<provisioningGroup/></provisioningGroupList>");
  ASSERT_TRUE(std::holds_alternative<ProvisioningRequest>(r));
  const auto& req = std::get<ProvisioningRequest>(r);
  EXPECT_EQ(req.subnet, "172.24.32.0");
  EXPECT_EQ(req.groups, (std::vector<std::string>{"ServerConfiguration", "endpointConfiguration"}));
}

TEST(Provisioning, EmptyBodyAsksForTheFourGroups) {
  auto r = parse_provisioning_request("  \r\n");
  ASSERT_TRUE(std::holds_alternative<ProvisioningRequest>(r));
  EXPECT_EQ(std::get<ProvisioningRequest>(r).groups.size(), 4u);
}

TEST(Provisioning, BadBodiesAreErrors) {
  for (std::string_view body : {"<provisioningGroupList>", "<other/>", "not xml", "<a><b></a>"}) {
    auto r = parse_provisioning_request(body);
    ASSERT_TRUE(std::holds_alternative<BodyError>(r)) << body;
    EXPECT_EQ(std::get<BodyError>(r).kind, BodyError::Kind::malformed);
    EXPECT_FALSE(std::get<BodyError>(r).reason.empty());
  }
  EXPECT_TRUE(std::holds_alternative<BodyError>(
      parse_provisioning_request(std::string(kMaxRequestBodyBytes + 1, ' ') + "<x/>")));
}

TEST(Provisioning, ServerConfigurationAsSipeReadsIt) {
  ProvisioningConfig c;
  c.focus_factory_uri = focus_factory_uri_for("alice@parley.test");
  c.server_fqdn = "sip.parley.test";
  c.organization = "Parley & Co";
  c.server_configuration_extra = {{"helpdeskInternalUrl", "https://help"}, {"bad name", "x"}};
  auto req = std::get<ProvisioningRequest>(parse_provisioning_request(kSipeRequest));
  auto doc = parse(build_provision_group_list(c, req));

  pugi::xml_node root = doc.child("provisionGroupList");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(),
               "http://schemas.microsoft.com/2006/09/sip/provisiongrouplist-notification");
  pugi::xml_node sc = group(doc, "ServerConfiguration");
  ASSERT_TRUE(sc);
  EXPECT_STREQ(sc.child_value("focusFactoryUri"),
               "sip:alice@parley.test;gruu;opaque=app:conf:focusfactory");
  EXPECT_STREQ(sc.child_value("poolUri"), "sip.parley.test");
  EXPECT_STREQ(sc.child_value("organization"), "Parley & Co");
  EXPECT_STREQ(sc.child_value("ucPC2PCAVEncryption"), "SupportEncryption");
  EXPECT_STREQ(sc.child_value("ucPortRangeEnabled"), "false");
  EXPECT_STREQ(sc.child_value("helpdeskInternalUrl"), "https://help");
  // Unset services are not advertised.
  EXPECT_FALSE(sc.child("absInternalServerUrl"));
  EXPECT_FALSE(sc.child("dlxInternalUrl"));
  EXPECT_FALSE(sc.child("mrasUri"));
  // Groups answered in request order.
  std::vector<std::string> names;
  for (pugi::xml_node g : root.children("provisionGroup")) names.push_back(g.attribute("name").value());
  EXPECT_EQ(names, (std::vector<std::string>{"ServerConfiguration", "meetingPolicy",
                                             "persistentChatConfiguration", "ucPolicy"}));
}

TEST(Provisioning, NoConferencingWithoutFocusFactory) {
  auto doc = parse(build_provision_group_list({}, {{"ServerConfiguration"}, ""}));
  EXPECT_FALSE(group(doc, "ServerConfiguration").child("focusFactoryUri"));
}

TEST(Provisioning, PersistentChat) {
  ProvisioningConfig c;
  ProvisioningRequest req{{"persistentChatConfiguration"}, ""};
  // Disabled: answered, EnablePersistentChat false, no pool.
  auto off = parse(build_provision_group_list(c, req));
  pugi::xml_node entries = group(off, "persistentChatConfiguration").child("propertyEntryList");
  ASSERT_TRUE(entries);
  EXPECT_STREQ(entries.find_child_by_attribute("property", "name", "EnablePersistentChat").child_value(),
               "false");
  EXPECT_FALSE(entries.find_child_by_attribute("property", "name", "DefaultPersistentChatPoolUri"));

  c.persistent_chat_enabled = true;
  c.persistent_chat_pool_uri = "sip:pchat@parley.test";
  auto on = parse(build_provision_group_list(c, req));
  // sipe: propertyEntryList/property by name.
  entries = group(on, "persistentChatConfiguration").child("propertyEntryList");
  EXPECT_STREQ(entries.find_child_by_attribute("property", "name", "EnablePersistentChat").child_value(),
               "true");
  EXPECT_STREQ(
      entries.find_child_by_attribute("property", "name", "DefaultPersistentChatPoolUri").child_value(),
      "sip:pchat@parley.test");
}

TEST(Provisioning, PoliciesAreInstanceProperties) {
  ProvisioningConfig c;
  c.meeting_policy = {{"AllowIPAudio", "true"}, {"AllowIPVideo", "true"}};
  c.uc_policy = {{"EnableCallForwarding", "false"}};
  auto doc = parse(build_provision_group_list(c, {{"meetingPolicy", "ucPolicy", "unknownGroup"}, ""}));
  pugi::xml_node mp = group(doc, "meetingPolicy").child("instance");
  ASSERT_TRUE(mp);
  EXPECT_STREQ(mp.find_child_by_attribute("property", "name", "AllowIPVideo").child_value(), "true");
  pugi::xml_node uc = group(doc, "ucPolicy").child("instance");
  EXPECT_STREQ(uc.find_child_by_attribute("property", "name", "EnableCallForwarding").child_value(),
               "false");
  EXPECT_FALSE(group(doc, "unknownGroup"));
}

}  // namespace
}  // namespace parley::lync
