// Conference state for the "conference" event package: RFC 4575
// (application/conference-info+xml) with the Microsoft extensions of
// [MS-CONFBAS] 2.2.2.2 and 6.3.1 (namespace msci). The Focus sends it in the
// NOTIFY/BENOTIFY to every subscriber, and piggybacked on the SUBSCRIBE 200.
//
// The shape, which is what pidgin-sipe's sipe_process_conference reads
// (docs/research/issue7-conferencing-sipe.md section 1.3 and section 5 step 4):
//
//   <conference-info xmlns="urn:ietf:params:xml:ns:conference-info"
//       xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"
//       entity="<focus>" state="full" version="1">
//     <conference-description>                              RFC 4575 5.2
//       <subject>...</subject>
//       <conf-uris><entry><uri><mcu></uri><display-text>chat</display-text>
//         <purpose>chat</purpose></entry></conf-uris>
//     </conference-description>
//     <conference-state><active>true</active><locked>false</locked></conference-state>
//     <users>
//       <user entity="sip:alice@dom" state="full">
//         <roles><entry>presenter</entry></roles>
//         <endpoint entity="{GUID}" msci:session-type="focus"><status>connected</status></endpoint>
//         <endpoint entity="sip:alice@dom" msci:session-type="chat"><status>connected</status>
//           <media id="1"><type>chat</type><status>sendrecv</status></media></endpoint>
//       </user>
//       <user entity="sip:carol@dom" state="deleted"/>
//     </users>
//     <msci:conference-view>
//       <msci:entity-view entity="<mcu>">
//         <msci:entity-state><locked>false</locked>
//           <media><entry><type>chat</type></entry></media></msci:entity-state>
//       </msci:entity-view>
//     </msci:conference-view>
//   </conference-info>
//
// What the builder guarantees, because pidgin-sipe depends on it:
//  - every user element that is not deleted lists ALL the user's endpoints (a
//    user sent without a connected chat endpoint is removed from the chat);
//  - a departure is state="deleted" (a user merely missing is not removed);
//  - the user's roles come first and the first roles/entry is the one that
//    counts (presenter = chat operator);
//  - the lock is sent both as RFC 4575 conference-state/locked and as the MCU
//    entity-view's entity-state/locked (the only one pidgin-sipe reads);
//  - the chat conf-uris entry is present in every document that has an MCU
//    URI (the client only joins the MCU once it has seen it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::conf {

inline constexpr std::string_view kTypeConferenceInfo = "application/conference-info+xml";
inline constexpr std::string_view kNsConferenceInfo = "urn:ietf:params:xml:ns:conference-info";
inline constexpr std::string_view kNsMsci =
    "http://schemas.microsoft.com/rtc/2005/08/confinfoextensions";

// parse_conference_info refuses larger documents, and more users or more
// endpoints per user than these.
inline constexpr std::size_t kMaxConferenceInfoBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConferenceUsers = 10000;
inline constexpr std::size_t kMaxUserEndpoints = 64;

// RFC 4575 endpoint-type, with msci:session-type ("focus", "chat").
struct Endpoint {
  std::string entity;        // "{GUID}" for the focus session, the user's URI for chat
  std::string session_type;  // msci:session-type; empty: attribute omitted
  std::string status = "connected";  // RFC 4575 endpoint status: connected, disconnected, ...
  bool chat_media = false;   // adds <media id="1"><type>chat</type><status>sendrecv</status></media>
};

// RFC 4575 user-type.
struct User {
  std::string entity;        // "sip:bob@dom"; pidgin-sipe shows it and matches Ms-Sender
  std::string display_text;  // empty: omitted
  std::vector<std::string> roles;  // "presenter", "attendee"; the first one counts
  std::vector<Endpoint> endpoints;
  bool deleted = false;      // state="deleted", no children
};

struct ConferenceState {
  std::string focus_uri;  // conference-info@entity
  std::string mcu_uri;    // the IM MCU; empty: no conf-uris entry and no entity-view
  std::string subject;
  bool locked = false;
  std::uint32_t version = 1;  // RFC 4575: +1 per notification within a subscription
  bool full = true;           // state="full"; false: "partial"
  std::vector<User> users;
};

// The document for `s`. Every value is escaped and cleaned of characters XML
// 1.0 cannot carry (lync::xml::clean). Users with deleted=true are written as
// <user entity="..." state="deleted"/>; the others with state="full".
std::string build_conference_info(const ConferenceState& s);

// Reads a conference-info document back (for tests and fuzzing; the server
// never parses one). Elements are matched by local name, in the paths the
// builder writes. Not well-formed, larger than kMaxConferenceInfoBytes or
// another root element: malformed. No entity (or one empty once cleaned of
// what XML 1.0 cannot carry), a version that is not an
// integer in [0, 2^32), a state other than full/partial, a user without
// entity, or more than kMaxConferenceUsers users / kMaxUserEndpoints endpoints
// of one user: invalid.
//  - mcu_uri: the uri of the conf-uris entry whose purpose is "chat", else the
//    entity of the entity-view whose entity-state media has type chat;
//  - locked: that entity-view's entity-state/locked if present, else
//    conference-state/locked, else false;
//  - an endpoint without status has status "";
//  - roles/entry beyond the first kMaxUserEndpoints of a user are ignored.
std::variant<ConferenceState, lync::BodyError> parse_conference_info(std::string_view body);

}  // namespace parley::conf
