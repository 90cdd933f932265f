#include "roles/conferencing/conference_info.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <string>
#include <vector>

namespace parley::conf {
namespace {

const std::string kFocus = "sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12";
const std::string kMcu = "sip:alice@dom;gruu;opaque=app:conf:chat:id:C0FFEE12";

// pidgin-sipe's sipe_xml_child: prefixes dropped, first child of each name.
pugi::xml_node sipe_child(pugi::xml_node n, std::string_view path) {
  while (n && !path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view step = path.substr(0, slash);
    pugi::xml_node found;
    for (pugi::xml_node c = n.first_child(); c && !found; c = c.next_sibling()) {
      std::string_view name = c.name();
      if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
        name = name.substr(colon + 1);
      }
      if (c.type() == pugi::node_element && name == step) found = c;
    }
    n = found;
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return n;
}

// sipe_xml_attribute with the prefix dropped ("msci:session-type" -> "session-type").
std::string sipe_attr(pugi::xml_node n, std::string_view name) {
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    std::string_view an = a.name();
    if (const std::size_t colon = an.find(':'); colon != std::string_view::npos) {
      an = an.substr(colon + 1);
    }
    if (an == name) return a.value();
  }
  return {};
}

// The sibling elements named like `n` (sipe_xml_twin), `n` included.
std::vector<pugi::xml_node> twins(pugi::xml_node n) {
  std::vector<pugi::xml_node> out;
  for (; n; n = n.next_sibling(n.name())) out.push_back(n);
  return out;
}

// The roster pidgin-sipe derives from a NOTIFY (research doc 1.3, item 6):
// users with a connected chat endpoint, operators = first roles/entry presenter.
struct SipeView {
  std::vector<std::string> in_chat;
  std::vector<std::string> operators;
  std::vector<std::string> removed;
  std::string mcu;
  std::string locked;
};

SipeView sipe_read(const std::string& doc) {
  pugi::xml_document d;
  EXPECT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.document_element();
  SipeView v;
  for (pugi::xml_node e : twins(sipe_child(root, "conference-description/conf-uris/entry"))) {
    if (std::string(sipe_child(e, "purpose").text().get()) == "chat") {
      v.mcu = sipe_child(e, "uri").text().get();
      break;
    }
  }
  for (pugi::xml_node u : twins(sipe_child(root, "users/user"))) {
    const std::string entity = sipe_attr(u, "entity");
    if (sipe_attr(u, "state") == "deleted") {
      v.removed.push_back(entity);
      continue;
    }
    const bool presenter = std::string(sipe_child(u, "roles/entry").text().get()) == "presenter";
    bool chat = false;
    for (pugi::xml_node e : twins(sipe_child(u, "endpoint"))) {
      if (std::string(sipe_child(e, "status").text().get()) != "connected") continue;
      if (sipe_attr(e, "session-type") == "chat") chat = true;
    }
    if (chat) {
      v.in_chat.push_back(entity);
      if (presenter) v.operators.push_back(entity);
    } else {
      v.removed.push_back(entity);
    }
  }
  for (pugi::xml_node ev : twins(sipe_child(root, "conference-view/entity-view"))) {
    if (std::string(sipe_child(ev, "entity-state/media/entry/type").text().get()) == "chat") {
      v.locked = sipe_child(ev, "entity-state/locked").text().get();
    }
  }
  return v;
}

ConferenceState three_users() {
  ConferenceState s;
  s.focus_uri = kFocus;
  s.mcu_uri = kMcu;
  s.subject = "Plans";
  s.version = 4;
  s.users = {
      {"sip:alice@dom", "Alice", {"presenter"},
       {{"{A-GUID}", "focus", "connected", false}, {"sip:alice@dom", "chat", "connected", true}}},
      {"sip:bob@dom", "", {"attendee"},
       {{"{B-GUID}", "focus", "connected", false}, {"sip:bob@dom", "chat", "connected", true}}},
      {"sip:carol@dom", "", {}, {}, true},
  };
  return s;
}

// Research doc section 5 step 4: the full state, element by element.
TEST(ConferenceInfo, FullStateHasTheShapeSipeReads) {
  ConferenceState s;
  s.focus_uri = kFocus;
  s.mcu_uri = kMcu;
  s.users = {{"sip:alice@dom", "", {"presenter"}, {{"{A-GUID}", "focus"}}}};
  const std::string doc = build_conference_info(s);
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.document_element();
  EXPECT_STREQ(root.name(), "conference-info");
  EXPECT_STREQ(root.attribute("xmlns").value(), "urn:ietf:params:xml:ns:conference-info");
  EXPECT_STREQ(root.attribute("xmlns:msci").value(),
               "http://schemas.microsoft.com/rtc/2005/08/confinfoextensions");
  EXPECT_EQ(root.attribute("entity").value(), kFocus);
  EXPECT_STREQ(root.attribute("state").value(), "full");
  EXPECT_STREQ(root.attribute("version").value(), "1");

  pugi::xml_node desc = root.child("conference-description");
  ASSERT_TRUE(desc.child("subject"));
  EXPECT_STREQ(desc.child("subject").text().get(), "");
  pugi::xml_node entry = desc.child("conf-uris").child("entry");
  EXPECT_EQ(entry.child("uri").text().get(), kMcu);
  EXPECT_STREQ(entry.child("display-text").text().get(), "chat");
  EXPECT_STREQ(entry.child("purpose").text().get(), "chat");

  EXPECT_STREQ(root.child("conference-state").child("active").text().get(), "true");
  EXPECT_STREQ(root.child("conference-state").child("locked").text().get(), "false");

  pugi::xml_node user = root.child("users").child("user");
  EXPECT_STREQ(user.attribute("entity").value(), "sip:alice@dom");
  EXPECT_STREQ(user.attribute("state").value(), "full");
  EXPECT_STREQ(user.first_child().name(), "roles");  // roles first
  EXPECT_STREQ(user.child("roles").child("entry").text().get(), "presenter");
  pugi::xml_node ep = user.child("endpoint");
  EXPECT_STREQ(ep.attribute("entity").value(), "{A-GUID}");
  EXPECT_STREQ(ep.attribute("msci:session-type").value(), "focus");
  EXPECT_STREQ(ep.child("status").text().get(), "connected");
  EXPECT_FALSE(ep.child("media"));

  pugi::xml_node view = root.child("msci:conference-view").child("msci:entity-view");
  EXPECT_EQ(view.attribute("entity").value(), kMcu);
  pugi::xml_node es = view.child("msci:entity-state");
  EXPECT_STREQ(es.child("locked").text().get(), "false");
  EXPECT_STREQ(es.child("media").child("entry").child("type").text().get(), "chat");

  // Before the MCU join, pidgin-sipe finds the MCU and nobody in the chat.
  SipeView v = sipe_read(doc);
  EXPECT_EQ(v.mcu, kMcu);
  EXPECT_TRUE(v.in_chat.empty());
  EXPECT_EQ(v.locked, "false");
}

// Research doc 5 step 5 / 10: both endpoints per user, chat media, deletions.
TEST(ConferenceInfo, RosterAsSipeDerivesIt) {
  const std::string doc = build_conference_info(three_users());
  SipeView v = sipe_read(doc);
  EXPECT_EQ(v.in_chat, (std::vector<std::string>{"sip:alice@dom", "sip:bob@dom"}));
  EXPECT_EQ(v.operators, (std::vector<std::string>{"sip:alice@dom"}));
  EXPECT_EQ(v.removed, (std::vector<std::string>{"sip:carol@dom"}));

  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str()));
  pugi::xml_node alice = d.document_element().child("users").child("user");
  EXPECT_STREQ(alice.first_child().name(), "display-text");
  EXPECT_STREQ(alice.first_child().next_sibling().name(), "roles");
  pugi::xml_node chat_ep = alice.child("endpoint").next_sibling("endpoint");
  EXPECT_STREQ(chat_ep.attribute("msci:session-type").value(), "chat");
  pugi::xml_node media = chat_ep.child("media");
  EXPECT_STREQ(media.attribute("id").value(), "1");
  EXPECT_STREQ(media.child("type").text().get(), "chat");
  EXPECT_STREQ(media.child("status").text().get(), "sendrecv");
  // status precedes media (RFC 4575 endpoint-type order)
  EXPECT_STREQ(chat_ep.first_child().name(), "status");

  pugi::xml_node carol = alice.next_sibling("user").next_sibling("user");
  EXPECT_STREQ(carol.attribute("state").value(), "deleted");
  EXPECT_FALSE(carol.first_child());
}

TEST(ConferenceInfo, LockIsSentInBothPlaces) {
  ConferenceState s = three_users();
  s.locked = true;
  const std::string doc = build_conference_info(s);
  EXPECT_EQ(sipe_read(doc).locked, "true");
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str()));
  EXPECT_STREQ(d.document_element().child("conference-state").child("locked").text().get(), "true");
}

TEST(ConferenceInfo, PartialAndNoMcu) {
  ConferenceState s;
  s.focus_uri = kFocus;
  s.full = false;
  s.version = 4294967295u;
  const std::string doc = build_conference_info(s);
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.document_element();
  EXPECT_STREQ(root.attribute("state").value(), "partial");
  EXPECT_STREQ(root.attribute("version").value(), "4294967295");
  EXPECT_FALSE(root.child("conference-description").child("conf-uris"));
  EXPECT_FALSE(root.child("msci:conference-view"));
  EXPECT_TRUE(root.child("users"));
}

TEST(ConferenceInfo, HostileValuesAreEscapedAndCleaned) {
  ConferenceState s;
  s.focus_uri = "sip:a@x\"><evil/>";
  s.mcu_uri = "sip:m@x</uri><purpose>chat</purpose>";
  s.subject = "Tom & Jerry <b>\x01\x0B";
  s.users = {{"sip:<u>@x\x02", "D\xFF", {"presenter</entry><entry>x"},
              {{"{G}\"", "chat\" evil=\"1", "connected\x1F", true}}}};
  const std::string doc = build_conference_info(s);
  EXPECT_EQ(doc.find('\x01'), std::string::npos);
  EXPECT_EQ(doc.find('\x0B'), std::string::npos);
  EXPECT_EQ(doc.find('\x1F'), std::string::npos);
  pugi::xml_document d;
  ASSERT_TRUE(d.load_string(doc.c_str())) << doc;
  pugi::xml_node root = d.document_element();
  EXPECT_FALSE(root.child("evil"));
  EXPECT_STREQ(root.attribute("entity").value(), "sip:a@x\"><evil/>");
  EXPECT_STREQ(root.child("conference-description").child("subject").text().get(), "Tom & Jerry <b>");
  pugi::xml_node user = root.child("users").child("user");
  EXPECT_STREQ(user.attribute("entity").value(), "sip:<u>@x");
  EXPECT_STREQ(user.child("display-text").text().get(), "D\xEF\xBF\xBD");
  EXPECT_STREQ(user.child("roles").child("entry").text().get(), "presenter</entry><entry>x");
  EXPECT_STREQ(user.child("endpoint").attribute("msci:session-type").value(), "chat\" evil=\"1");
  EXPECT_TRUE(user.child("endpoint").attribute("evil").empty());

  auto parsed = parse_conference_info(doc);
  ASSERT_TRUE(std::holds_alternative<ConferenceState>(parsed));
  EXPECT_EQ(std::get<ConferenceState>(parsed).mcu_uri, s.mcu_uri);
}

TEST(ConferenceInfo, RoundTrip) {
  ConferenceState s = three_users();
  s.locked = true;
  auto r = parse_conference_info(build_conference_info(s));
  ASSERT_TRUE(std::holds_alternative<ConferenceState>(r));
  const ConferenceState& p = std::get<ConferenceState>(r);
  EXPECT_EQ(p.focus_uri, kFocus);
  EXPECT_EQ(p.mcu_uri, kMcu);
  EXPECT_EQ(p.subject, "Plans");
  EXPECT_TRUE(p.locked);
  EXPECT_EQ(p.version, 4u);
  EXPECT_TRUE(p.full);
  ASSERT_EQ(p.users.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.users[i].entity, s.users[i].entity);
    EXPECT_EQ(p.users[i].display_text, s.users[i].display_text);
    EXPECT_EQ(p.users[i].roles, s.users[i].roles);
    EXPECT_EQ(p.users[i].deleted, s.users[i].deleted);
    ASSERT_EQ(p.users[i].endpoints.size(), s.users[i].endpoints.size());
    for (std::size_t k = 0; k < p.users[i].endpoints.size(); ++k) {
      EXPECT_EQ(p.users[i].endpoints[k].entity, s.users[i].endpoints[k].entity);
      EXPECT_EQ(p.users[i].endpoints[k].session_type, s.users[i].endpoints[k].session_type);
      EXPECT_EQ(p.users[i].endpoints[k].status, s.users[i].endpoints[k].status);
      EXPECT_EQ(p.users[i].endpoints[k].chat_media, s.users[i].endpoints[k].chat_media);
    }
  }
}

// A Lync-style document in our own wording: every extension prefixed, the
// chat MCU given only by its entity-view, RFC 4575 partial state.
TEST(ConferenceInfo, ParsesPrefixedPartialDocument) {
  constexpr std::string_view kDoc = R"(<?xml version="1.0" encoding="utf-8"?>
<ci:conference-info xmlns:ci="urn:ietf:params:xml:ns:conference-info"
    xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"
    entity="sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12" state="partial" version="7">
  <ci:users>
    <ci:user entity="sip:bob@dom" state="partial">
      <ci:roles><ci:entry>attendee</ci:entry></ci:roles>
      <ci:endpoint entity="sip:bob@dom" msci:session-type="chat">
        <ci:status>disconnected</ci:status>
      </ci:endpoint>
      <ci:endpoint entity="{B}"/>
    </ci:user>
  </ci:users>
  <msci:conference-view>
    <msci:entity-view entity="sip:alice@dom;gruu;opaque=app:conf:audio-video:id:C0FFEE12">
      <msci:entity-state><msci:locked>false</msci:locked><msci:media><msci:entry><msci:type>audio</msci:type></msci:entry></msci:media></msci:entity-state>
    </msci:entity-view>
    <msci:entity-view entity="sip:alice@dom;gruu;opaque=app:conf:chat:id:C0FFEE12">
      <msci:entity-state><msci:locked>true</msci:locked><msci:media><msci:entry><msci:type>chat</msci:type></msci:entry></msci:media></msci:entity-state>
    </msci:entity-view>
  </msci:conference-view>
</ci:conference-info>)";
  auto r = parse_conference_info(kDoc);
  ASSERT_TRUE(std::holds_alternative<ConferenceState>(r));
  const ConferenceState& p = std::get<ConferenceState>(r);
  EXPECT_FALSE(p.full);
  EXPECT_EQ(p.version, 7u);
  EXPECT_EQ(p.mcu_uri, kMcu);
  EXPECT_TRUE(p.locked);
  ASSERT_EQ(p.users.size(), 1u);
  ASSERT_EQ(p.users[0].endpoints.size(), 2u);
  EXPECT_EQ(p.users[0].endpoints[0].session_type, "chat");
  EXPECT_EQ(p.users[0].endpoints[0].status, "disconnected");
  EXPECT_EQ(p.users[0].endpoints[1].status, "");
}

TEST(ConferenceInfo, MalformedAndInvalid) {
  using K = lync::BodyError::Kind;
  const auto kind = [](std::string_view body) {
    auto r = parse_conference_info(body);
    EXPECT_TRUE(std::holds_alternative<lync::BodyError>(r)) << body;
    auto* e = std::get_if<lync::BodyError>(&r);
    return e ? e->kind : K::unsupported;
  };
  EXPECT_EQ(kind(""), K::malformed);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"1\">"), K::malformed);
  EXPECT_EQ(kind("<watcherinfo version=\"1\"/>"), K::malformed);
  EXPECT_EQ(kind("<conference-info version=\"1\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"x\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"-1\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"4294967296\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"1\" state=\"odd\"/>"), K::invalid);
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"1\"><users><user/></users></conference-info>"),
            K::invalid);
  std::string eps;
  for (std::size_t i = 0; i <= kMaxUserEndpoints; ++i) eps += "<endpoint entity=\"e\"/>";
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"1\"><users><user entity=\"u\">" + eps +
                 "</user></users></conference-info>"),
            K::invalid);
  std::string big(kMaxConferenceInfoBytes + 1, ' ');
  EXPECT_EQ(kind("<conference-info entity=\"f\" version=\"1\"/>" + big), K::malformed);
}

}  // namespace
}  // namespace parley::conf
