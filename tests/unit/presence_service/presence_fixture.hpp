// The presence role behind the real proxy and transaction layer (the proxy
// fixture's cast), driven by raw SIP text with Digest credentials.
//
//   alice  UDP 192.0.2.10:5070 (flow 1), registered as sip:alice@192.0.2.10:5070
//   bob    UDP 192.0.2.20:5080 (flow 11), registered as sip:bob@192.0.2.20:5080
//   carol  no binding
//
// What the role sends goes through the RecordingSender: responses to the
// request's Via, NOTIFYs over the subscriber's flow.
#pragma once

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <optional>
#include <string>
#include <vector>

#include "../proxy/proxy_fixture.hpp"
#include "roles/presence/availability.hpp"
#include "roles/presence/pidf.hpp"
#include "roles/presence/service/presence_service.hpp"

namespace parley::presence::test {

using proxy::test::parse_or_fail;
using proxy::test::Request;
using proxy::test::same_peer;
using proxy::test::Sent;
using proxy::test::value;
using sip::HeaderId;
using sip::Message;
using sip::Peer;
using namespace std::chrono_literals;

inline constexpr const char* kAliceContact = "sip:alice@192.0.2.10:5070";
inline constexpr const char* kTypeCategories = "application/msrtc-event-categories+xml";
inline constexpr const char* kTypeCatPublish = "application/msrtc-category-publish+xml";
inline constexpr const char* kTypeMembers = "application/msrtc-setcontainermembers+xml";

// A PIDF document as a SIMPLE client (baresip, Linphone) publishes it.
inline std::string pidf_doc(bool open, const std::string& activity, const std::string& note,
                            const std::string& entity = "sip:alice@parley.test") {
  std::string d =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
      "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
      "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"" + entity + "\">"
      "<tuple id=\"t1\"><status><basic>" + (open ? "open" : "closed") + "</basic></status></tuple>";
  if (!note.empty()) d += "<note>" + note + "</note>";
  if (!activity.empty())
    d += "<dm:person id=\"p1\"><rpid:activities><rpid:" + activity +
         "/></rpid:activities></dm:person>";
  return d + "</presence>";
}

inline std::string state_xml(const char* type, unsigned availability) {
  return std::string("<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" "
                     "manual=\"false\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                     "xsi:type=\"") + type + "\"><availability>" + std::to_string(availability) +
         "</availability><endpointLocation/></state>";
}

inline std::string publication(const std::string& name, long long instance, int container,
                               int version, const std::string& expire_type,
                               const std::string& payload, const std::string& extra = "") {
  return "<publication categoryName=\"" + name + "\" instance=\"" + std::to_string(instance) +
         "\" container=\"" + std::to_string(container) + "\" version=\"" +
         std::to_string(version) + "\" expireType=\"" + expire_type + "\"" + extra + ">" +
         payload + "</publication>";
}

inline std::string note_xml(const std::string& text) {
  return "<note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\">"
         "<body type=\"personal\" uri=\"\">" + text + "</body></note>";
}

// pidgin-sipe's sign-in publication with a manual busy: machine state
// (endpoint) and user state in containers 2 and 3, a note for colleagues (200).
inline std::string sipe_busy_publish(int version = 0, const std::string& uri = "sip:alice@parley.test") {
  return "<publish xmlns=\"http://schemas.microsoft.com/2006/09/sip/rich-presence\">"
         "<publications uri=\"" + uri + "\">" +
         publication("state", 926460663, 2, version, "endpoint", state_xml("machineState", 3500)) +
         publication("state", 926460663, 3, version, "endpoint", state_xml("machineState", 3500)) +
         publication("state", 536870912, 2, version, "user", state_xml("userState", 6500)) +
         publication("state", 536870912, 3, version, "user", state_xml("userState", 6500)) +
         publication("note", 0, 200, version, "static", note_xml("Back at 3")) +
         "</publications></publish>";
}

inline std::string members_body(int container, int version, const char* action,
                                const std::string& user) {
  return "<setContainerMembers "
         "xmlns=\"http://schemas.microsoft.com/2006/09/sip/container-management\">"
         "<container id=\"" + std::to_string(container) + "\" version=\"" +
         std::to_string(version) + "\"><member action=\"" + action +
         "\" type=\"user\" value=\"" + user + "\"/></container></setContainerMembers>";
}

inline std::string batch_body(const std::vector<std::string>& resources) {
  std::string b =
      "<batchSub xmlns=\"http://schemas.microsoft.com/2006/01/sip/batch-subscribe\" "
      "uri=\"sip:alice@parley.test\" name=\"\"><action name=\"subscribe\" id=\"63792024\">"
      "<adhocList>";
  for (const auto& r : resources) b += "<resource uri=\"" + r + "\"/>";
  return b + "</adhocList><categoryList "
             "xmlns=\"http://schemas.microsoft.com/2006/09/sip/categorylist\">"
             "<category name=\"note\"/><category name=\"state\"/></categoryList>"
             "</action></batchSub>";
}

// The state availability (and its container) of a categories document.
struct StateSeen {
  std::uint32_t availability = 0;
  long long container = -1;
  std::string note;  // the note category's body text, empty when none
  bool found = false;
};
inline StateSeen categories_state(std::string_view doc_text) {
  StateSeen s;
  pugi::xml_document doc;
  if (!doc.load_buffer(doc_text.data(), doc_text.size())) return s;
  for (pugi::xml_node c : doc.document_element().children("category")) {
    std::string_view name = c.attribute("name").value();
    if (name == "state") {
      s.found = true;
      s.availability = c.child("state").child("availability").text().as_uint();
      s.container = c.attribute("container").as_llong();
    } else if (name == "note") {
      s.note = c.child("note").child("body").text().get();
    }
  }
  return s;
}

inline PidfPresence pidf_of(const Message& m) {
  auto r = parse_pidf(m.body());
  if (auto* e = std::get_if<lync::BodyError>(&r)) {
    ADD_FAILURE() << "bad PIDF: " << e->reason << "\n" << m.body();
    return {};
  }
  return std::get<PidfPresence>(std::move(r));
}

// What one request caused: its final response and any NOTIFYs.
struct Outcome {
  std::optional<Message> response;
  std::string status_line;
  std::vector<Sent> notifies;
  std::vector<Sent> all;
  int status() const { return response ? response->status() : 0; }
};

class PresenceTest : public proxy::test::ProxyTest {
 protected:
  static PresenceOptions local_options() {
    PresenceOptions o;
    o.domains = {kDomain};
    return o;
  }
  explicit PresenceTest(PresenceOptions o = local_options())
      : presence_(std::move(o), identity_, location_, layer_, clock_) {
    proxy_.set_local_service(&presence_);
    bind("alice@parley.test", kAliceContact, alice_udp);
  }
  ~PresenceTest() override { proxy_.set_local_service(nullptr); }

  std::string next(const char* prefix) { return prefix + std::to_string(++counter_); }

  static Outcome split(std::vector<Sent> s) {
    Outcome o;
    for (const Sent& x : s) {
      if (x.bytes.rfind("SIP/2.0 ", 0) == 0) {
        o.response = x.msg();
        o.status_line = x.line();
      } else if (x.bytes.rfind("NOTIFY ", 0) == 0) {
        o.notifies.push_back(x);
      }
    }
    o.all = std::move(s);
    return o;
  }

  // `r` with credentials of `user`, received from `from`.
  Outcome send_as(Request r, const Peer& from, const std::string& user = "alice") {
    r.branch(next("z9hG4bKp"));
    receive(authorized(r, user, user + "-pw"), from);
    last_ = split(sent());
    return last_;
  }

  // A request from alice to herself (PUBLISH, SERVICE, SUBSCRIBE).
  Request alice_self(const std::string& method, const std::string& content_type,
                     const std::string& body) {
    Request r;
    r.method = method;
    r.ruri = "sip:alice@parley.test";
    r.vias = {"SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKx"};
    r.from = "<sip:alice@parley.test>;tag=" + next("at");
    r.to = "<sip:alice@parley.test>";
    r.call_id = next("a-call-") + "@192.0.2.10";
    r.content_type = content_type;
    r.body = body;
    return r;
  }
  Request pidf_publish(const std::string& body, unsigned expires = 3600) {
    Request r = alice_self("PUBLISH", "application/pidf+xml", body);
    r.with("Event: presence").with("Expires: " + std::to_string(expires));
    return r;
  }
  // The 200 of a PIDF PUBLISH; its SIP-ETag.
  std::string publish_pidf(bool open, const std::string& activity, const std::string& note,
                           unsigned expires = 3600) {
    Outcome o = send_as(pidf_publish(pidf_doc(open, activity, note), expires), alice_udp);
    EXPECT_EQ(o.status(), 200) << o.status_line;
    return o.response ? value(*o.response, HeaderId::SipETag) : std::string();
  }
  Outcome category_publish(const std::string& body) {
    return send_as(alice_self("SERVICE", kTypeCatPublish, body), alice_udp);
  }
  Outcome set_members(const std::string& body) {
    return send_as(alice_self("SERVICE", kTypeMembers, body), alice_udp);
  }

  // bob's SUBSCRIBE to alice's presence, accepting `accept`.
  Request bob_subscribe(const std::string& accept = "application/pidf+xml",
                        unsigned expires = 600) {
    Request r;
    r.method = "SUBSCRIBE";
    r.ruri = "sip:alice@parley.test";
    r.vias = {"SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bKx"};
    r.from = "<sip:bob@parley.test>;tag=" + next("bt");
    r.to = "<sip:alice@parley.test>";
    r.call_id = next("b-sub-") + "@192.0.2.20";
    r.body.clear();
    r.with("Event: presence")
        .with("Accept: " + accept)
        .with(std::string("Contact: <") + kBobUdpContact + ">")
        .with("Expires: " + std::to_string(expires));
    return r;
  }
  // A subscription of bob's to alice: the 200, and the first NOTIFY answered 200.
  struct Dialog {
    Request request;
    Message ok;
    Sent first_notify;
  };
  Dialog bob_subscribes(const std::string& accept = "application/pidf+xml",
                        unsigned expires = 600) {
    Dialog d{bob_subscribe(accept, expires), {}, {}};
    Outcome o = send_as(d.request, bob_udp, "bob");
    EXPECT_EQ(o.status(), 200) << o.status_line;
    EXPECT_EQ(o.notifies.size(), 1u) << proxy::test::ProxyTest::describe(o.all);
    if (o.response) d.ok = *o.response;
    if (!o.notifies.empty()) {
      d.first_notify = o.notifies.front();
      reply_notify(d.first_notify, 200);
    }
    return d;
  }

  // The subscriber's answer to a NOTIFY: through the layer (ends the client
  // transaction), then to the role as the Router passes it on.
  void reply_notify(const Sent& n, int status) {
    Message req = n.msg();
    Message r = Message::make_response(req, status);
    layer_.receive(parse_or_fail(r.serialize()), n.to);
    presence_.on_notify_result(req.call_id(), status);
    sent();  // nothing is expected from the ACK-less non-INVITE exchange
  }

  // The one NOTIFY in `o` (fails otherwise), answered 200.
  Message only_notify(const Outcome& o) {
    EXPECT_EQ(o.notifies.size(), 1u) << proxy::test::ProxyTest::describe(o.all);
    if (o.notifies.empty()) return Message{};
    reply_notify(o.notifies.front(), 200);
    return o.notifies.front().msg();
  }
  // The NOTIFYs put on the wire since the last look.
  Outcome wire() { return split(sent()); }

  PresenceService presence_;
  Outcome last_;  // what the last send_as() caused
  int counter_ = 0;
};

}  // namespace parley::presence::test
