// Watcher information (RFC 3857/3858) and SIMPLE resource lists (RFC 4662).
#include <pugixml.hpp>

#include "presence_fixture.hpp"
#include "roles/presence/watcherinfo.hpp"

namespace parley::presence::test {
namespace {

std::vector<std::string> watchers_in(const Message& n) {
  pugi::xml_document d;
  std::string body(n.body());
  EXPECT_TRUE(d.load_string(body.c_str())) << body;
  std::vector<std::string> out;
  for (pugi::xml_node w : d.child("watcherinfo").child("watcher-list").children("watcher"))
    out.push_back(w.text().get());
  return out;
}

int winfo_version(const Message& n) {
  pugi::xml_document d;
  std::string body(n.body());
  d.load_string(body.c_str());
  return d.child("watcherinfo").attribute("version").as_int(-1);
}

// The parts of a multipart/related body: (Content-Type, content) in order.
std::vector<std::pair<std::string, std::string>> parts_of(const Message& m) {
  std::string ct = value(m, HeaderId::ContentType);
  EXPECT_NE(ct.rfind("boundary="), std::string::npos) << ct;
  if (ct.rfind("boundary=") == std::string::npos) return {};
  const std::string boundary = "--" + ct.substr(ct.rfind("boundary=") + 9);
  std::string body(m.body());
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = body.find(boundary);
  while (pos != std::string::npos) {
    pos += boundary.size();
    if (body.compare(pos, 2, "--") == 0) break;
    std::size_t head_end = body.find("\r\n\r\n", pos);
    std::size_t next = body.find("\r\n" + boundary, head_end);
    std::string head = body.substr(pos, head_end - pos);
    std::size_t t = head.find("Content-Type: ");
    EXPECT_NE(t, std::string::npos) << head;
    if (t == std::string::npos) return out;
    std::string type = head.substr(t + 14, head.find("\r\n", t) - t - 14);
    out.emplace_back(type, body.substr(head_end + 4, next - head_end - 4));
    pos = next == std::string::npos ? next : next + 2;  // past the CRLF, at the delimiter
  }
  return out;
}

class PresenceListsTest : public PresenceTest {
 protected:
  Request alice_winfo(unsigned expires = 600) {
    Request r = alice_self("SUBSCRIBE", "", "");
    r.with("Event: presence.winfo")
        .with("Accept: application/watcherinfo+xml")
        .with(std::string("Contact: <") + kAliceContact + ">")
        .with("Expires: " + std::to_string(expires));
    return r;
  }
  Request alice_list() {
    Request r = alice_self("SUBSCRIBE", "", "");
    r.with("Event: presence")
        .with("Supported: eventlist")
        .with("Accept: application/pidf+xml, application/rlmi+xml, multipart/related")
        .with(std::string("Contact: <") + kAliceContact + ">")
        .with("Expires: 600");
    return r;
  }
  Outcome bob_publishes(const std::string& activity) {
    Request r = pidf_publish(pidf_doc(true, activity, ""));
    r.ruri = "sip:bob@parley.test";
    r.from = "<sip:bob@parley.test>;tag=" + next("bp");
    r.to = "<sip:bob@parley.test>";
    return send_as(r, bob_udp, "bob");
  }
};

TEST_F(PresenceListsTest, WinfoListsWatchersAsTheyComeAndGo) {
  Outcome o = send_as(alice_winfo(), alice_udp);
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Event), "presence.winfo");
  Message n = only_notify(o);
  EXPECT_EQ(n.content_type(), "application/watcherinfo+xml");
  EXPECT_EQ(value(n, HeaderId::Event), "presence.winfo");
  EXPECT_TRUE(watchers_in(n).empty());
  EXPECT_EQ(winfo_version(n), 0);

  // bob starts watching: alice's watcher list says so.
  Request sub = bob_subscribe();
  Outcome b = send_as(sub, bob_udp, "bob");
  ASSERT_EQ(b.status(), 200);
  ASSERT_EQ(b.notifies.size(), 2u) << describe(b.all);  // bob's PIDF, alice's winfo
  Message winfo;
  for (const Sent& x : b.notifies) {
    Message m = x.msg();
    if (m.content_type() == "application/watcherinfo+xml") winfo = m;
    reply_notify(x, 200);
  }
  EXPECT_EQ(watchers_in(winfo), (std::vector<std::string>{"sip:bob@parley.test"}));
  EXPECT_EQ(winfo_version(winfo), 1);

  // bob stops (Expires: 0 in the dialog): the list is empty again.
  Request end = sub;
  end.to += ";tag=" + std::string(b.response->to()->tag());
  end.cseq = 2;
  end.branch("z9hG4bKend");
  end.extra.back() = "Expires: 0";
  Outcome e = send_as(end, bob_udp, "bob");
  ASSERT_EQ(e.status(), 200) << e.status_line;
  bool emptied = false;
  for (const Sent& x : e.notifies) {
    Message m = x.msg();
    if (m.content_type() == "application/watcherinfo+xml") emptied = watchers_in(m).empty();
  }
  EXPECT_TRUE(emptied) << describe(e.all);
}

TEST_F(PresenceListsTest, WinfoOfSomeoneElseIsForbidden) {
  Request r = bob_subscribe();
  r.extra = {"Event: presence.winfo", std::string("Contact: <") + kBobUdpContact + ">",
             "Expires: 600"};
  Outcome o = send_as(r, bob_udp, "bob");
  EXPECT_EQ(o.status(), 403) << o.status_line;
  EXPECT_TRUE(o.notifies.empty());
}

TEST_F(PresenceListsTest, ListSubscriptionGivesEveryContactThenTheOneThatChanged) {
  presence_.set_contact_list([](const std::string& aor) {
    return aor == "alice@parley.test"
               ? std::vector<std::string>{"bob@parley.test", "carol@parley.test",
                                          "dave@elsewhere.test"}
               : std::vector<std::string>{};
  });
  ASSERT_EQ(bob_publishes("away").status(), 200);
  Outcome o = send_as(alice_list(), alice_udp);
  ASSERT_EQ(o.status(), 200) << o.status_line;
  EXPECT_EQ(value(*o.response, HeaderId::Require), "eventlist");
  Message n = only_notify(o);
  EXPECT_EQ(value(n, HeaderId::Require), "eventlist");
  EXPECT_EQ(std::string(n.content_type()).rfind("multipart/related;type=\"application/rlmi+xml\"", 0),
            0u)
      << n.content_type();
  auto parts = parts_of(n);
  ASSERT_EQ(parts.size(), 3u) << n.body();  // RLMI, bob, carol (another domain is left out)
  EXPECT_EQ(parts[0].first, "application/rlmi+xml");
  EXPECT_NE(parts[0].second.find("fullState=\"true\""), std::string::npos);
  EXPECT_EQ(parts[1].first, "application/pidf+xml");
  auto bob = parse_pidf(parts[1].second);
  ASSERT_TRUE(std::holds_alternative<PidfPresence>(bob)) << parts[1].second;
  EXPECT_EQ(std::get<PidfPresence>(bob).entity, "sip:bob@parley.test");
  EXPECT_EQ(availability_from_pidf(std::get<PidfPresence>(bob)), kAway);
  auto carol = parse_pidf(parts[2].second);
  ASSERT_TRUE(std::holds_alternative<PidfPresence>(carol));
  EXPECT_FALSE(std::get<PidfPresence>(carol).open);

  // bob changes: one partial NOTIFY naming only him.
  Outcome c = bob_publishes("busy");
  ASSERT_EQ(c.status(), 200);
  Message p = only_notify(c);
  auto changed = parts_of(p);
  ASSERT_EQ(changed.size(), 2u) << p.body();
  EXPECT_NE(changed[0].second.find("fullState=\"false\""), std::string::npos);
  EXPECT_NE(changed[0].second.find("version=\"1\""), std::string::npos);
  auto now = parse_pidf(changed[1].second);
  ASSERT_TRUE(std::holds_alternative<PidfPresence>(now));
  EXPECT_EQ(availability_from_pidf(std::get<PidfPresence>(now)), kBusy);
}

TEST_F(PresenceListsTest, WithoutEventlistASelfSubscriptionIsAnOrdinaryOne) {
  presence_.set_contact_list(
      [](const std::string&) { return std::vector<std::string>{"bob@parley.test"}; });
  Request r = alice_list();
  r.extra.erase(r.extra.begin() + 1);  // no Supported: eventlist
  Outcome o = send_as(r, alice_udp);
  ASSERT_EQ(o.status(), 200);
  Message n = only_notify(o);
  EXPECT_EQ(n.content_type(), "application/pidf+xml");
  EXPECT_EQ(pidf_of(n).entity, "sip:alice@parley.test");
}

}  // namespace
}  // namespace parley::presence::test
