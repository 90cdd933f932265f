#include "roles/presence/categories_document.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "roles/presence/aggregation.hpp"
#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace {

TEST(CategoriesDocument, BuildsCategoriesWithVerbatimPayload) {
  lync::Category state;
  state.name = "state";
  state.instance = 0;
  state.container = 200;
  state.version = 3;
  state.publish_time = "2024-01-02T03:04:05Z";
  state.payload_xml = aggregate_state_payload(kBusy);
  lync::Category note;
  note.name = "note";
  note.instance = 0;
  note.container = 200;
  note.version = 1;
  note.payload_xml = "<note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\"><body type=\"personal\" uri=\"\">a &amp; b</body></note>";
  lync::Category empty;
  empty.name = "contactCard";
  empty.container = 200;
  const std::string body = build_categories("sip:bob@x\"", {state, note, empty});
  EXPECT_NE(body.find(note.payload_xml), std::string::npos);

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body.c_str())) << body;
  pugi::xml_node root = doc.child("categories");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://schemas.microsoft.com/2006/09/sip/categories");
  EXPECT_STREQ(root.attribute("uri").value(), "sip:bob@x\"");
  pugi::xml_node c = root.child("category");
  EXPECT_STREQ(c.attribute("name").value(), "state");
  EXPECT_EQ(c.attribute("instance").as_int(), 0);
  EXPECT_EQ(c.attribute("container").as_int(), 200);
  EXPECT_EQ(c.attribute("version").as_int(), 3);
  EXPECT_STREQ(c.attribute("publishTime").value(), "2024-01-02T03:04:05Z");
  EXPECT_STREQ(c.child("state").child_value("availability"), "6500");
  c = c.next_sibling("category");
  EXPECT_STREQ(c.child("note").child_value("body"), "a & b");
  EXPECT_FALSE(c.attribute("publishTime"));
  c = c.next_sibling("category");
  EXPECT_STREQ(c.attribute("name").value(), "contactCard");
  EXPECT_FALSE(c.first_child());
}

TEST(CategoriesDocument, AggregateStateIsWhatSipeReads) {
  for (std::uint32_t a : {kAvailable, kAvailableIdle, kBusy, kBusyIdle, kDoNotDisturb, kBeRightBack,
                          kAway, kOffline}) {
    const std::string s = aggregate_state_payload(a);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(s.c_str())) << s;
    pugi::xml_node st = doc.child("state");
    EXPECT_STREQ(st.attribute("xmlns").value(), "http://schemas.microsoft.com/2006/09/sip/state");
    EXPECT_STREQ(st.attribute("xsi:type").value(), "aggregateState");
    EXPECT_STREQ(st.attribute("xmlns:xsi").value(), "http://www.w3.org/2001/XMLSchema-instance");
    EXPECT_EQ(std::stoul(st.child_value("availability")), a);
    EXPECT_EQ(std::string_view(st.child("activity").attribute("token").value()),
              activity_token(band_of(a)));
  }
  // Not a machine/user state: aggregation ignores its own output.
  EXPECT_FALSE(parse_state(aggregate_state_payload(kBusy)).has_value());
}

// Splits a multipart body at `boundary` into (headers, content) pairs.
std::vector<std::pair<std::string, std::string>> split(const std::string& body,
                                                       const std::string& boundary) {
  std::vector<std::pair<std::string, std::string>> parts;
  const std::string delim = "--" + boundary;
  std::size_t pos = body.find(delim);
  while (pos != std::string::npos) {
    pos += delim.size();
    if (body.compare(pos, 2, "--") == 0) break;
    pos += 2;  // CRLF
    const std::size_t hdr_end = body.find("\r\n\r\n", pos);
    const std::size_t next = body.find("\r\n" + delim, hdr_end);
    parts.emplace_back(body.substr(pos, hdr_end - pos), body.substr(hdr_end + 4, next - hdr_end - 4));
    pos = next == std::string::npos ? next : next + 2;
  }
  return parts;
}

std::string header(const std::string& headers, const std::string& name) {
  const std::size_t p = headers.find(name + ": ");
  if (p == std::string::npos) return {};
  const std::size_t e = headers.find("\r\n", p);
  return headers.substr(p + name.size() + 2, e == std::string::npos ? e : e - p - name.size() - 2);
}

TEST(CategoriesDocument, RlmiMultipartListsEachResourceWithItsPart) {
  const std::string bob = build_categories("sip:bob@x", {});
  const std::string carol = build_categories("sip:carol@x", {});
  MultipartBody m = build_rlmi_multipart("sip:alice@x", 2, true, {{"sip:bob@x", bob}, {"sip:carol@x", carol}});

  const std::string& ct = m.content_type;
  ASSERT_EQ(ct.rfind("multipart/related;", 0), 0u) << ct;
  EXPECT_NE(ct.find("type=\"application/rlmi+xml\""), std::string::npos);
  // A bare boundary token as the last parameter: libpurple takes everything
  // after the last '=' as the boundary.
  const std::size_t bpos = ct.rfind("boundary=");
  ASSERT_NE(bpos, std::string::npos);
  const std::string boundary = ct.substr(bpos + 9);
  EXPECT_EQ(boundary.find_first_of("\";= "), std::string::npos) << ct;
  EXPECT_EQ(ct.rfind('='), bpos + 8) << ct;
  const std::size_t spos = ct.find("start=\"<");
  ASSERT_NE(spos, std::string::npos);
  const std::string start = ct.substr(spos + 8, ct.find('>', spos) - spos - 8);

  auto parts = split(m.body, boundary);
  ASSERT_EQ(parts.size(), 3u) << m.body;
  EXPECT_EQ(header(parts[0].first, "Content-Type"), "application/rlmi+xml");
  EXPECT_EQ(header(parts[0].first, "Content-ID"), "<" + start + ">");
  EXPECT_NE(m.body.find("--" + boundary + "--\r\n"), std::string::npos);

  pugi::xml_document rlmi;
  ASSERT_TRUE(rlmi.load_string(parts[0].second.c_str())) << parts[0].second;
  pugi::xml_node list = rlmi.child("list");
  EXPECT_STREQ(list.attribute("xmlns").value(), "urn:ietf:params:xml:ns:rlmi");
  EXPECT_STREQ(list.attribute("uri").value(), "sip:alice@x");
  EXPECT_EQ(list.attribute("version").as_int(), 2);
  EXPECT_STREQ(list.attribute("fullState").value(), "true");
  std::vector<std::string> uris;
  std::size_t i = 1;
  for (pugi::xml_node r : list.children("resource")) {
    uris.push_back(r.attribute("uri").value());
    pugi::xml_node inst = r.child("instance");
    EXPECT_STREQ(inst.attribute("state").value(), "active");
    ASSERT_LT(i, parts.size());
    EXPECT_EQ(header(parts[i].first, "Content-ID"), "<" + std::string(inst.attribute("cid").value()) + ">");
    EXPECT_EQ(header(parts[i].first, "Content-Type"), "application/msrtc-event-categories+xml");
    ++i;
  }
  EXPECT_EQ(uris, (std::vector<std::string>{"sip:bob@x", "sip:carol@x"}));
  // Each part ends in a blank line before the delimiter: a conforming reader
  // sees the XML and one CRLF, and libpurple (which drops the four bytes
  // before a delimiter) sees the XML whole.
  EXPECT_EQ(parts[1].second, bob + "\r\n");
  EXPECT_EQ(parts[2].second, carol + "\r\n");
  std::size_t d = m.body.find("\r\n--" + boundary, 1);
  while (d != std::string::npos) {
    EXPECT_EQ(m.body.compare(d - 2, 4, "\r\n\r\n"), 0) << m.body.substr(d - 10, 20);
    d = m.body.find("\r\n--" + boundary, d + 2);
  }

  MultipartBody partial = build_rlmi_multipart("sip:alice@x", 3, false, {});
  EXPECT_NE(partial.body.find("fullState=\"false\""), std::string::npos);
}

TEST(CategoriesDocument, BoundaryNeverOccursInAPart) {
  const std::string evil = "<categories>--parley-rlmi-0 --parley-rlmi-0-0</categories>";
  MultipartBody m = build_rlmi_multipart("sip:a@x", 0, true, {{"sip:b@x", evil}});
  const std::string boundary = m.content_type.substr(m.content_type.rfind("boundary=") + 9);
  EXPECT_EQ(evil.find(boundary), std::string::npos) << boundary;
  EXPECT_EQ(split(m.body, boundary).size(), 2u);
}

}  // namespace
}  // namespace parley::presence
