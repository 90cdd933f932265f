#include "roles/lync/xml_util.hpp"

#include <gtest/gtest.h>

namespace parley::lync::xml {
namespace {

TEST(XmlUtil, CleanKeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(clean("plain \t\r\n text"), "plain \t\r\n text");
  EXPECT_EQ(clean("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(clean(std::string("a\0b\x01\x1f", 5)), "ab");
  EXPECT_EQ(clean("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(clean("\xC3"), "\xEF\xBF\xBD");                    // truncated sequence
  EXPECT_EQ(clean("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");    // overlong '/'
  EXPECT_EQ(clean("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(clean("\xEF\xBF\xBF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFF
}

TEST(XmlUtil, LocalNamesAndNumbers) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string("<a:root xmlns:a='x'><b:kid> 42 </b:kid><kid2>true</kid2></a:root>"));
  pugi::xml_node root = doc.document_element();
  EXPECT_EQ(local_name(root), "root");
  EXPECT_EQ(to_int(text(child(root, "kid"))), 42);
  EXPECT_EQ(to_bool(text(child(root, "kid2"))), true);
  EXPECT_FALSE(child(root, "missing"));
  EXPECT_FALSE(to_int("4 2").has_value());
  EXPECT_FALSE(to_int("").has_value());
  EXPECT_FALSE(to_int("0x10").has_value());
  EXPECT_FALSE(to_bool("yes").has_value());
}

TEST(XmlUtil, LoadLimitsAndErrors) {
  pugi::xml_document doc;
  std::string error;
  EXPECT_FALSE(load(doc, "<a>", 100, error));
  EXPECT_NE(error.find("XML"), std::string::npos);
  EXPECT_FALSE(load(doc, "<a/>", 3, error));
  EXPECT_FALSE(load(doc, "   ", 100, error));
  // No entity expansion beyond the five predefined ones.
  EXPECT_TRUE(load(doc, "<!DOCTYPE a [<!ENTITY x 'yyyy'>]><a>&x;</a>", 1000, error));
  EXPECT_EQ(text(doc.document_element()), "&x;");
}

TEST(XmlUtil, AppendFragmentCleansAndRejects) {
  pugi::xml_document doc;
  pugi::xml_node n = doc.append_child("n");
  EXPECT_FALSE(append_fragment(n, "<open>"));
  EXPECT_FALSE(n.first_child());
  EXPECT_TRUE(append_fragment(n, "<a v='&#1;x'>t&#2;</a><b/>"));
  EXPECT_STREQ(n.child("a").attribute("v").value(), "x");
  EXPECT_STREQ(n.child("a").child_value(), "t");
  EXPECT_TRUE(n.child("b"));
  EXPECT_EQ(inner_xml(n), "<a v=\"x\">t</a><b/>");
}

}  // namespace
}  // namespace parley::lync::xml
