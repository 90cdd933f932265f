// The conferencing role (focus factory, Focus, IM MCU) behind the real proxy
// and transaction layer (the proxy fixture's cast), driven by raw SIP text with
// Digest credentials, as pidgin-sipe drives it
// (docs/research/issue7-conferencing-sipe.md section 5).
//
//   alice  UDP 192.0.2.10:5070 (flow 1), contact sip:alice@192.0.2.10:5070
//   bob    UDP 192.0.2.20:5080 (flow 11), contact sip:bob@192.0.2.20:5080
//   carol  UDP 192.0.2.30:5090 (flow 31), contact sip:carol@192.0.2.30:5090
//
// What the role sends goes through the RecordingSender: responses to the
// request's Via, NOTIFY / MESSAGE / BYE over the participant's flow.
#pragma once

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../proxy/proxy_fixture.hpp"
#include "roles/conferencing/c3p.hpp"
#include "roles/conferencing/conference_info.hpp"
#include "roles/conferencing/conference_uri.hpp"
#include "roles/conferencing/service/conference_service.hpp"

namespace parley::conf::test {

using proxy::test::parse_or_fail;
using proxy::test::Request;
using proxy::test::same_peer;
using proxy::test::Sent;
using proxy::test::value;
using sip::HeaderId;
using sip::Message;
using sip::Peer;
using sip::Transport;

inline constexpr const char* kFactory = "sip:alice@parley.test;gruu;opaque=app:conf:focusfactory";
inline constexpr const char* kFocusPrefix = "sip:alice@parley.test;gruu;opaque=app:conf:focus:id:";

// A C3P request body as pidgin-sipe's cccp_request writes it (research doc 1).
inline std::string c3p(const std::string& user, const std::string& to, const std::string& op,
                       int id = 1) {
  return "<?xml version=\"1.0\"?><request xmlns=\"urn:ietf:params:xml:ns:cccp\" "
         "xmlns:mscp=\"http://schemas.microsoft.com/rtc/2005/08/cccpextensions\" "
         "C3PVersion=\"1\" to=\"" + to + "\" from=\"sip:" + user + "@parley.test\" requestId=\"" +
         std::to_string(id) + "\">" + op + "</request>";
}
inline std::string add_conference_op() {
  return "<addConference><ci:conference-info xmlns:ci=\"urn:ietf:params:xml:ns:conference-info\" "
         "entity=\"\" xmlns:msci=\"http://schemas.microsoft.com/rtc/2005/08/confinfoextensions\">"
         "<ci:conference-description><ci:subject/>"
         "<msci:conference-id>0123456789ABCDEF0123456789ABCDEF</msci:conference-id>"
         "<msci:expiry-time>2030-01-01T07:00:00Z</msci:expiry-time>"
         "<msci:admission-policy>openAuthenticated</msci:admission-policy>"
         "</ci:conference-description><msci:conference-view><msci:entity-view entity=\"chat\"/>"
         "</msci:conference-view></ci:conference-info></addConference>";
}
inline std::string add_user_op(const std::string& focus, const std::string& user,
                               const std::string& guid) {
  return "<addUser><conferenceKeys confEntity=\"" + focus + "\"/>"
         "<ci:user xmlns:ci=\"urn:ietf:params:xml:ns:conference-info\" entity=\"sip:" + user +
         "@parley.test\"><ci:roles><ci:entry>attendee</ci:entry></ci:roles>"
         "<ci:endpoint entity=\"" + guid + "\" "
         "xmlns:msci=\"http://schemas.microsoft.com/rtc/2005/08/confinfoextensions\"/>"
         "</ci:user></addUser>";
}
inline std::string lock_op(const std::string& focus, bool locked) {
  return "<modifyConferenceLock><conferenceKeys confEntity=\"" + focus + "\"/><locked>" +
         (locked ? "true" : "false") + "</locked></modifyConferenceLock>";
}
inline std::string delete_user_op(const std::string& focus, const std::string& user) {
  return "<deleteUser><userKeys confEntity=\"" + focus + "\" userEntity=\"sip:" + user +
         "@parley.test\"/></deleteUser>";
}

// A C3P response, as pidgin-sipe reads it.
struct C3PSeen {
  bool parsed = false;
  std::string code;    // response@code
  std::string reason;  // the operation element's reason
  pugi::xml_document doc;
  pugi::xml_node op;   // the operation element
};
inline std::unique_ptr<C3PSeen> c3p_of(const Message& m) {
  auto s = std::make_unique<C3PSeen>();
  EXPECT_EQ(m.content_type(), "application/cccp+xml");
  std::string body(m.body());
  s->parsed = static_cast<bool>(s->doc.load_string(body.c_str()));
  EXPECT_TRUE(s->parsed) << body;
  pugi::xml_node root = s->doc.document_element();
  EXPECT_STREQ(root.name(), "response") << body;
  s->code = root.attribute("code").value();
  s->op = root.first_child();
  s->reason = s->op.attribute("reason").value();
  return s;
}

inline ConferenceState roster_of(const Message& m) {
  EXPECT_EQ(value(m, HeaderId::Event), "conference");
  EXPECT_EQ(m.content_type(), kTypeConferenceInfo);
  auto r = parse_conference_info(m.body());
  if (auto* e = std::get_if<lync::BodyError>(&r)) {
    ADD_FAILURE() << "bad conference-info: " << e->reason << "\n" << m.body();
    return {};
  }
  return std::get<ConferenceState>(std::move(r));
}
inline const User* user_in(const ConferenceState& s, const std::string& entity) {
  for (const User& u : s.users)
    if (u.entity == entity) return &u;
  return nullptr;
}
inline bool has_chat(const User& u) {
  for (const Endpoint& e : u.endpoints)
    if (e.session_type == "chat" && e.status == "connected") return true;
  return false;
}

// What one request caused: its final response and the requests the role sent.
struct Outcome {
  std::optional<Message> response;
  std::string status_line;
  std::vector<Sent> requests;  // NOTIFY, MESSAGE, BYE
  std::vector<Sent> all;
  int status() const { return response ? response->status() : 0; }
  std::vector<Sent> of(const std::string& method, const Peer& to) const {
    std::vector<Sent> out;
    for (const Sent& s : requests)
      if (s.bytes.rfind(method + " ", 0) == 0 && same_peer(s.to, to)) out.push_back(s);
    return out;
  }
  std::vector<Sent> to_peer(const Peer& to) const {
    std::vector<Sent> out;
    for (const Sent& s : requests)
      if (same_peer(s.to, to)) out.push_back(s);
    return out;
  }
};

// A participant's dialog as the client keeps it.
struct ClientDialog {
  std::string call_id;
  std::string our_tag;    // the client's tag
  std::string their_tag;  // the role's To tag
  std::string target;     // the role's Contact URI
  unsigned cseq = 1;
};

class ConferenceTest : public proxy::test::ProxyTest {
 protected:
  const Peer carol_udp{Transport::Udp, "192.0.2.30", 5090, 31};

  static ConferenceOptions local_options() {
    ConferenceOptions o;
    o.domains = {kDomain};
    return o;
  }
  explicit ConferenceTest(ConferenceOptions o = local_options())
      : conf_(std::move(o), identity_, layer_, clock_) {
    proxy_.add_local_service(&conf_);
    conf_.set_record_sink([this](const ConferenceRecord& r) { records_.push_back(r); });
  }
  ~ConferenceTest() override { proxy_.set_local_service(nullptr); }

  std::string next(const char* prefix) { return prefix + std::to_string(++counter_); }

  const Peer& peer_of(const std::string& user) const {
    if (user == "alice") return alice_udp;
    if (user == "bob") return bob_udp;
    return carol_udp;
  }
  std::string ip_of(const std::string& user) const { return peer_of(user).ip; }
  std::string contact_of(const std::string& user) const {
    const Peer& p = peer_of(user);
    return "sip:" + user + "@" + p.ip + ":" + std::to_string(p.port);
  }

  static Outcome split(std::vector<Sent> s) {
    Outcome o;
    for (const Sent& x : s) {
      if (x.bytes.rfind("SIP/2.0 ", 0) == 0) {
        Message m = x.msg();
        if (m.status() >= 200) {
          o.response = std::move(m);
          o.status_line = x.line();
        }
      } else {
        o.requests.push_back(x);
      }
    }
    o.all = std::move(s);
    return o;
  }

  // `r` with credentials of `user`, received from `user`'s peer.
  Outcome send_as(Request r, const std::string& user) {
    r.branch(next("z9hG4bKc"));
    receive(authorized(r, user, user + "-pw"), peer_of(user));
    return split(sent());
  }

  // An out-of-dialog request from `user` to `ruri`.
  Request request(const std::string& method, const std::string& user, const std::string& ruri,
                  const std::string& content_type = "", const std::string& body = "") {
    Request r;
    r.method = method;
    r.ruri = ruri;
    const Peer& p = peer_of(user);
    r.vias = {"SIP/2.0/UDP " + p.ip + ":" + std::to_string(p.port) + ";branch=z9hG4bKx"};
    r.from = "<sip:" + user + "@parley.test>;tag=" + next("t");
    r.to = "<" + ruri + ">";
    r.call_id = next("c") + "@" + p.ip;
    r.with("Contact: <" + contact_of(user) + ">");
    if (!body.empty()) r.with("Supported: ms-sender");
    r.content_type = content_type;
    r.body = body;
    return r;
  }
  // A request in dialog `d` of `user`.
  Request in_dialog(const std::string& method, const std::string& user, ClientDialog& d,
                    const std::string& to_uri, const std::string& content_type = "",
                    const std::string& body = "") {
    Request r = request(method, user, d.target, content_type, body);
    r.from = "<sip:" + user + "@parley.test>;tag=" + d.our_tag;
    r.to = "<" + to_uri + ">;tag=" + d.their_tag;
    r.call_id = d.call_id;
    r.cseq = ++d.cseq;
    return r;
  }
  static ClientDialog dialog_of(const Request& r, const Message& ok) {
    ClientDialog d;
    d.call_id = r.call_id;
    d.our_tag = r.from.substr(r.from.find("tag=") + 4);
    d.their_tag = ok.to() ? std::string(ok.to()->tag()) : "";
    std::string contact = value(ok, HeaderId::Contact);
    auto c = sip::parse_name_addr(contact);
    d.target = c ? std::string(c->uri.text) : "";
    d.cseq = r.cseq;
    return d;
  }

  // addConference from alice: the focus URI (empty on failure).
  std::string create_conference() {
    Outcome o = send_as(request("SERVICE", "alice", kFactory, std::string(kTypeCccp),
                                c3p("alice", kFactory, add_conference_op())),
                        "alice");
    EXPECT_EQ(o.status(), 200) << o.status_line;
    if (!o.response) return {};
    auto s = c3p_of(*o.response);
    return s->op.child("conference-info").attribute("entity").value();
  }
  static std::string mcu_of(const std::string& focus) {
    std::string m = focus;
    auto at = m.find(":focus:");
    if (at != std::string::npos) m.replace(at, 7, ":chat:");
    return m;
  }

  // The addUser INVITE of `user` to `focus`.
  Request focus_invite(const std::string& user, const std::string& focus) {
    return request("INVITE", user, focus, std::string(kTypeCccp),
                   c3p(user, focus, add_user_op(focus, user, "{GUID-" + user + "}")));
  }
  // `user` joins: INVITE addUser (200), SUBSCRIBE (200 + NOTIFY), INVITE MCU
  // (200). Returns the MCU dialog; the focus dialog goes to focus_[user].
  ClientDialog join(const std::string& user, const std::string& focus, bool mcu = true) {
    Request inv = focus_invite(user, focus);
    Outcome o = send_as(inv, user);
    EXPECT_EQ(o.status(), 200) << user << " focus INVITE: " << o.status_line;
    if (o.response) focus_dialog_[user] = dialog_of(inv, *o.response);
    o = send_as(subscribe(user, focus), user);
    EXPECT_EQ(o.status(), 200) << user << " SUBSCRIBE: " << o.status_line;
    EXPECT_EQ(o.of("NOTIFY", peer_of(user)).size(), 1u) << describe(o.all);
    if (!mcu) return {};
    return join_mcu(user, focus);
  }
  ClientDialog join_mcu(const std::string& user, const std::string& focus) {
    Request inv = mcu_invite(user, mcu_of(focus));
    last_ = send_as(inv, user);
    EXPECT_EQ(last_.status(), 200) << user << " MCU INVITE: " << last_.status_line;
    return last_.response ? dialog_of(inv, *last_.response) : ClientDialog{};
  }
  Request subscribe(const std::string& user, const std::string& focus, unsigned expires = 3600) {
    Request r = request("SUBSCRIBE", user, focus);
    r.with("Event: conference").with("Accept: application/conference-info+xml");
    r.with("Supported: ms-benotify").with("Proxy-Require: ms-benotify");
    if (expires != 3600) r.with("Expires: " + std::to_string(expires));
    return r;
  }
  Request mcu_invite(const std::string& user, const std::string& mcu) {
    std::string ip = ip_of(user);
    return request("INVITE", user, mcu, "application/sdp",
                   "v=0\r\no=- 0 0 IN IP4 " + ip + "\r\ns=session\r\nc=IN IP4 " + ip +
                       "\r\nt=0 0\r\nm=message 5060 sip null\r\n"
                       "a=accept-types:text/plain text/html\r\n");
  }
  // An INFO with C3P `op` in `user`'s focus dialog.
  Outcome info(const std::string& user, const std::string& focus, const std::string& op) {
    return send_as(in_dialog("INFO", user, focus_dialog_[user], focus, std::string(kTypeCccp),
                             c3p(user, focus, op, ++request_id_)),
                   user);
  }

  ConferenceService conf_;
  std::vector<ConferenceRecord> records_;
  std::map<std::string, ClientDialog> focus_dialog_;
  Outcome last_;
  int counter_ = 0;
  int request_id_ = 10;
};

}  // namespace parley::conf::test
