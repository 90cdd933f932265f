#include "roles/presence/watcherinfo.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

namespace parley::presence {
namespace {

TEST(Watcherinfo, FullStateListsEveryWatcher) {
  std::string doc = build_watcherinfo(
      "sip:alice@x", 3, {{"w1", "sip:bob@x", "active", "subscribe"}, {"w2", "sip:carol@x"}});
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.child("watcherinfo");
  EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:watcherinfo");
  EXPECT_EQ(root.attribute("version").as_int(), 3);
  EXPECT_STREQ(root.attribute("state").value(), "full");
  pugi::xml_node list = root.child("watcher-list");
  EXPECT_STREQ(list.attribute("resource").value(), "sip:alice@x");
  EXPECT_STREQ(list.attribute("package").value(), "presence");
  std::vector<std::string> seen;
  for (pugi::xml_node w : list.children("watcher")) {
    seen.push_back(w.text().get());
    EXPECT_STREQ(w.attribute("status").value(), "active");
    EXPECT_STREQ(w.attribute("event").value(), "subscribe");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"sip:bob@x", "sip:carol@x"}));
}

TEST(Watcherinfo, EmptyListAndHostileValuesStayWellFormed) {
  std::string doc = build_watcherinfo("sip:a@x\"<&", 0, {{"i\x01", "sip:<b>&@x"}});
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  EXPECT_EQ(doc.find('\x01'), std::string::npos);
  EXPECT_STREQ(d.child("watcherinfo").child("watcher-list").child("watcher").text().get(),
               "sip:<b>&@x");
  EXPECT_TRUE(d.load_string(build_watcherinfo("sip:a@x", 0, {}).c_str()));
}

}  // namespace
}  // namespace parley::presence
