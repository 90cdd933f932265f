// C3P, the Centralized Conference Control Protocol ([MS-CONFBAS] 2.2.1,
// [MS-CONFPRO] 2.2.2 requests / 2.2.3 responses): XML bodies of type
// application/cccp+xml that a client sends to the Focus Factory (SERVICE),
// to the Focus in the INVITE that joins it (addUser), and to the Focus in its
// dialog (INFO). The response body goes in the SIP 200 (or 202, see
// [MS-CONFIM] 4.3.1, where the focus answers a deleteUser INFO with 202).
//
//   <request xmlns="urn:ietf:params:xml:ns:cccp" C3PVersion="1"
//            requestId="5" from="sip:alice@dom" to="<focus or factory URI>">
//     <addUser>...</addUser>            exactly one operation element
//   </request>
//
//   <response xmlns="urn:ietf:params:xml:ns:cccp" C3PVersion="1" requestId="5"
//             from="<the request's to>" to="<the request's from>" code="success">
//     <addUser>...</addUser>            the same operation; on failure with
//   </response>                         code="failure" and reason="..."
//
// The operations pidgin-sipe sends (docs/research/issue7-conferencing-sipe.md
// sections 1 and 3), in the shapes parse_c3p_request reads:
//   getConferencingCapabilities  (empty)
//   addConference   conference-info/conference-description/{subject,
//                   msci:conference-id, msci:expiry-time, msci:admission-policy},
//                   conference-info/msci:conference-view/msci:entity-view@entity
//   addUser         conferenceKeys@confEntity, user@entity, user/roles/entry,
//                   user/endpoint@entity                     ([MS-CONFBAS] 2.2.3.4)
//   modifyConferenceLock  conferenceKeys@confEntity, locked (xs:boolean)
//   deleteUser      userKeys@confEntity @userEntity          ([MS-CONFIM] 4.3.1)
//   modifyUserRoles userKeys@confEntity @userEntity, user-roles/entry
//   getConference   conferenceKeys@confEntity or @msci:conference-id ([MS-CONFPRO] 4.5)
//   deleteConference conferenceKeys@confEntity               ([MS-CONFBAS] 2.2.3.14)
// Any other operation parses as C3POp::other (the Focus answers it with
// ms-diagnostics 3004, "The requested C3P command is not implemented",
// [MS-OCER] 7.4). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::conf {

inline constexpr std::string_view kTypeCccp = "application/cccp+xml";
inline constexpr std::string_view kNsCccp = "urn:ietf:params:xml:ns:cccp";
inline constexpr std::string_view kNsCccpExt = "http://schemas.microsoft.com/rtc/2005/08/cccpextensions";

// At most this many roles/entry or entity-view elements are accepted in one
// request; more is invalid.
inline constexpr std::size_t kMaxC3PListEntries = 32;

enum class C3POp {
  getConferencingCapabilities,
  addConference,
  getConference,
  deleteConference,
  addUser,
  deleteUser,
  modifyUserRoles,
  modifyConferenceLock,
  other,
};

// The operation element's name ("addUser"); "" for other.
std::string_view c3p_op_name(C3POp op);

struct C3PRequest {
  C3POp op = C3POp::other;
  std::string op_name;      // the operation element's local name, also for other
  std::string request_id;   // request@requestId, echoed in the response
  std::string from;         // request@from ("sip:alice@dom")
  std::string to;           // request@to (the factory or focus URI)
  std::string c3p_version;  // request@C3PVersion ("1"); may be empty

  // addConference: what the client asked for.
  std::string subject;
  std::string conference_id;     // msci:conference-id (also getConference's key)
  std::string expiry_time;       // msci:expiry-time, as sent (xs:dateTime)
  std::string admission_policy;  // msci:admission-policy ("openAuthenticated")
  std::vector<std::string> mcu_types;  // conference-view/entity-view@entity ("chat", ...)

  // addUser / deleteUser / modifyUserRoles / modifyConferenceLock /
  // getConference / deleteConference: the conference and the user.
  std::string conf_entity;      // conferenceKeys@confEntity or userKeys@confEntity
  std::string user_entity;      // addUser: user@entity; deleteUser/modifyUserRoles: userKeys@userEntity
  std::vector<std::string> roles;  // addUser: user/roles/entry; modifyUserRoles: user-roles/entry
  std::string endpoint_entity;  // addUser: user/endpoint@entity ("{GUID}"); may be empty

  // modifyConferenceLock
  std::optional<bool> locked;
};

// Parses a C3P request body. Elements are matched by local name (pidgin-sipe
// writes ci:user, Lync user xmlns=...), attributes by name.
//  - malformed: not well-formed, larger than lync::kMaxRequestBodyBytes, or the
//    root is not `request`;
//  - invalid: no requestId, from or to attribute; not exactly one operation
//    element; and per operation: addUser without conferenceKeys@confEntity or
//    user@entity; deleteUser/modifyUserRoles without userKeys@confEntity or
//    @userEntity; modifyUserRoles without a user-roles/entry;
//    modifyConferenceLock without conferenceKeys@confEntity or without a
//    boolean `locked`; deleteConference without conferenceKeys@confEntity;
//    getConference with neither key; more than kMaxC3PListEntries roles or
//    entity-views.
// An unknown operation is not an error: op = other, op_name set.
std::variant<C3PRequest, lync::BodyError> parse_c3p_request(std::string_view body);

struct C3PResponse {
  std::string request_id;  // the request's requestId
  std::string from;        // the request's `to`  ([MS-CONFPRO] 2.2.3)
  std::string to;          // the request's `from`
  std::string op_name;     // the request's operation element name
  bool success = true;     // code="success" / "failure"
  // On failure, the operation element's reason attribute ([MS-CONFPRO] 2.2.3.8
  // puts it there: "otherFailure" when nothing more specific fits). Empty: no
  // attribute. Ignored when success.
  std::string reason;
  // The operation element's content, an XML fragment (see the helpers below).
  // Not well-formed: left out (the operation element is written empty).
  std::string inner_xml;
};

// The response document (root also declares xmlns:msci, so a fragment may use
// the msci prefix). Values are escaped and cleaned (lync::xml::clean).
// An op_name that is not an XML name ([A-Za-z_][A-Za-z0-9._-]*) gives a
// response without operation element rather than a broken document.
std::string build_c3p_response(const C3PResponse& r);

// Response bodies of the operations (the operation element's content):

// getConferencingCapabilities ([MS-CONFPRO] 2.2.3.8):
//   <mcu-types><mcuType>chat</mcuType>...</mcu-types>
// pidgin-sipe reads getConferencingCapabilities/mcu-types/mcuType; give it only
// "chat" unless there really is an A/V MCU.
std::string capabilities_inner(const std::vector<std::string>& mcu_types);

// addConference: <conference-info xmlns="urn:ietf:params:xml:ns:conference-info"
// entity="<focus>"/>; pidgin-sipe takes the focus URI from addConference/
// conference-info@entity (the same form as [MS-CONFBAS] 2.2.3.14's
// deleteConference response).
std::string add_conference_inner(std::string_view focus_uri);

// addUser in the focus INVITE 200 ([MS-CONFBAS] 2.2.3.4): conferenceKeys
// echoing the focus URI, exactly one user with the same entity, its granted
// roles (one entry SHOULD be present), and the endpoint (omitted when
// `endpoint` is empty: "If the user is not joining the conference, the
// endpoint element SHOULD NOT be present").
std::string add_user_inner(std::string_view focus_uri, std::string_view user,
                           const std::vector<std::string>& roles, std::string_view endpoint);

// deleteConference ([MS-CONFBAS] 2.2.3.14): <conference-info entity="<focus>"/>.
std::string delete_conference_inner(std::string_view focus_uri);

}  // namespace parley::conf
