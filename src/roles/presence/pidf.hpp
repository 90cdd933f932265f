// PIDF (RFC 3863) with RPID (RFC 4480) for SIMPLE clients (baresip, Linphone,
// Jitsi ...): PUBLISH/NOTIFY bodies of Event: presence, application/pidf+xml.
//
//   <presence xmlns="urn:ietf:params:xml:ns:pidf"
//             xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
//             xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@x">
//     <tuple id="t1"><status><basic>open</basic></status></tuple>
//     <note>In a meeting</note>
//     <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities>
//       <rpid:user-input>idle</rpid:user-input></dm:person></presence>
//
// Elements are matched by namespace URI and local name, never by prefix.
//
// Availability from PIDF (availability_from_pidf), first match:
//   no tuple open (RFC 3863 4.1.4 basic)            -> 18500 offline
//   activity "do-not-disturb" (*)                   ->  9500 DND
//   activity "be-right-back" (*)                    -> 12500 BRB
//   the highest of the activities' classes:
//     away class: away, breakfast, dinner, holiday, in-transit,
//       looking-for-work, meal, permanent-absence, shopping, sleeping,
//       travel, vacation                            -> 15500 away
//     busy class: appointment, busy, meeting, on-the-phone, performance,
//       presentation, steering, worship             ->  6500 busy
//       (+ user-input idle, RFC 4480 3.12           ->  7500 busy-idle)
//     others (working, playing, tv, spectator, unknown, ...) no class
//   no class, user-input idle                       ->  4500 available-idle
//   otherwise (open)                                ->  3500 available
//
// PIDF from availability (pidf_from_availability), by band:
//   offline (and < 3000)  closed, no activities
//   available             open
//   available_idle        open, user-input idle
//   busy                  open, busy
//   busy_idle             open, busy, user-input idle
//   dnd                   open, busy + "do-not-disturb" (*)
//   brb                   open, away + "be-right-back" (*)
//   away                  open, away
// (*) RPID has no DND nor BRB: they travel as <rpid:other>do-not-disturb</rpid:other>
//     / <rpid:other>be-right-back</rpid:other> (RFC 4480 3.2 "other") next to
//     the nearest standard activity, so a plain RPID watcher still sees busy
//     / away and a Parley-aware one the exact band. Every band round-trips.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::presence {

inline constexpr std::string_view kTypePidf = "application/pidf+xml";
inline constexpr std::string_view kNsPidf = "urn:ietf:params:xml:ns:pidf";
inline constexpr std::string_view kNsPidfDataModel = "urn:ietf:params:xml:ns:pidf:data-model";
inline constexpr std::string_view kNsRpid = "urn:ietf:params:xml:ns:pidf:rpid";

struct PidfPresence {
  std::string entity;  // presence@entity, "sip:bob@x" (RFC 3863 4.1.1: pres: or sip:)
  bool open = false;   // some tuple's basic status is open
  // RPID activity element names in document order ("away", "busy",
  // "on-the-phone", "meeting", ...); an <rpid:other> activity contributes its
  // text ("do-not-disturb"), or "other" when it has none.
  std::vector<std::string> activities;
  std::string note;    // the first non-empty pidf note (presence or tuple) or dm:note
  bool idle = false;   // a person's <rpid:user-input>idle</rpid:user-input> (RFC 4480 3.12)
};

// Parses a PIDF document. Not well-formed, too large (lync::kMaxRequestBodyBytes)
// or a root other than pidf presence: malformed. No entity: invalid. No tuple:
// open = false.
std::variant<PidfPresence, lync::BodyError> parse_pidf(std::string_view body);

// A PIDF document (with XML declaration): one tuple "t1" with basic open or
// closed, the note as pidf <note> when not empty, and a dm:person "p1" with
// rpid:activities (standard RPID names as elements, any other name as
// <rpid:other>name</rpid:other>) and rpid:user-input idle when set; the person
// is omitted when it has neither. Values are XML-escaped.
std::string build_pidf(const PidfPresence& p);

// The mappings of the table above.
std::uint32_t availability_from_pidf(const PidfPresence& p);
PidfPresence pidf_from_availability(std::string entity, std::uint32_t availability, std::string note);

}  // namespace parley::presence
