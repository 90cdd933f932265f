#include "roles/conferencing/conference_uri.hpp"

#include <gtest/gtest.h>

#include <set>

#include "roles/lync/provisioning.hpp"

namespace parley::conf {
namespace {

// docs/research/issue7-conferencing-sipe.md section 5, "URIs".
TEST(ConferenceUri, BuildsTheThreeGruuForms) {
  EXPECT_EQ(focus_factory_uri("alice@dom"), "sip:alice@dom;gruu;opaque=app:conf:focusfactory");
  EXPECT_EQ(focus_uri("alice@dom", "C0FFEE12"), "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12");
  EXPECT_EQ(mcu_uri("alice@dom", "C0FFEE12"), "sip:alice@dom;gruu;opaque=app:conf:chat:id:C0FFEE12");
  // The provisioning document advertises the same factory URI.
  EXPECT_EQ(focus_factory_uri("alice@dom"), lync::focus_factory_uri_for("alice@dom"));
}

TEST(ConferenceUri, ClassifiesFactoryFocusAndMcu) {
  auto f = classify("app:conf:focusfactory", "alice@dom");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, ConfTarget::focus_factory);
  EXPECT_EQ(f->organizer, "alice@dom");
  EXPECT_EQ(f->id, "");

  auto focus = classify("app:conf:focus:id:C0FFEE12", "alice@dom");
  ASSERT_TRUE(focus);
  EXPECT_EQ(focus->kind, ConfTarget::focus);
  EXPECT_EQ(focus->id, "C0FFEE12");

  auto mcu = classify("app:conf:chat:id:C0FFEE12", "alice@dom");
  ASSERT_TRUE(mcu);
  EXPECT_EQ(mcu->kind, ConfTarget::chat_mcu);
  EXPECT_EQ(mcu->id, "C0FFEE12");
}

// [MS-CONFIM] 4.3.1 "A User Is Ejected from an IM Conference": the INFO goes to
//   INFO sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:7ECB5F9BFFB1F343B36775DBA09E8038 SIP/2.0
TEST(ConferenceUri, ClassifiesTheConfimExampleFocus) {
  auto t = classify("app:conf:focus:id:7ECB5F9BFFB1F343B36775DBA09E8038", "alice@contoso.com");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, ConfTarget::focus);
  EXPECT_EQ(t->id, "7ECB5F9BFFB1F343B36775DBA09E8038");
}

TEST(ConferenceUri, PrefixIgnoresCaseIdIsKept) {
  auto t = classify("APP:Conf:Chat:ID:abcDEF12", "alice@dom");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, ConfTarget::chat_mcu);
  EXPECT_EQ(t->id, "abcDEF12");
  EXPECT_TRUE(classify("App:Conf:FocusFactory", "alice@dom"));
}

TEST(ConferenceUri, RejectsWhatWeCouldNotHaveIssued) {
  // [MS-CONFBAS] 2.2.3.14 shows "app:conf:focus:id:5D3747C": 7 characters,
  // under the 8 that [MS-CONFPRO] 2.2.1.2 asks for. Parley never issues it.
  EXPECT_FALSE(classify("app:conf:focus:id:5D3747C", "alice@fabrikam.com"));
  EXPECT_FALSE(classify("", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:focus:id:", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:focusfactoryX", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:audio-video:id:C0FFEE12", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:focus:id:C0FFEE12;x", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:focus:id:C0FFEE1\xC3\xA9", "alice@dom"));
  EXPECT_FALSE(classify("app:conf:chat:id:" + std::string(33, 'A'), "alice@dom"));
  EXPECT_TRUE(classify("app:conf:chat:id:" + std::string(32, 'A'), "alice@dom"));
  EXPECT_FALSE(classify("app:conf:focusfactory", ""));
  EXPECT_FALSE(classify(std::string_view("app:conf:focus:id:C0FFEE12\0", 27), "alice@dom"));
}

TEST(ConferenceUri, ValidConferenceId) {
  EXPECT_TRUE(valid_conference_id("C0FFEE12"));
  EXPECT_TRUE(valid_conference_id("abcdefghijABCDEFGHIJ0123456789zz"));
  EXPECT_FALSE(valid_conference_id("C0FFEE1"));
  EXPECT_FALSE(valid_conference_id("C0FFEE12-"));
  EXPECT_FALSE(valid_conference_id("C0FFEE 12"));
}

TEST(ConferenceUri, NewIdsAreValidUpperHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = new_conference_id();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_TRUE(valid_conference_id(id)) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789ABCDEF"), std::string::npos) << id;
    seen.insert(id);
    auto t = classify("app:conf:focus:id:" + id, "alice@dom");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->id, id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace parley::conf
