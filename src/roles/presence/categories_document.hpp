// What a watcher receives for a presentity ([MS-PRES] 2.2.2.x categories,
// 3.7.5.x): NOTIFY/BENOTIFY bodies of the presence event package.
//
//   application/msrtc-event-categories+xml, one presentity:
//     <categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories"
//                 uri="sip:bob@x">
//       <category name="state" instance="0" publishTime="..." container="200"
//                 version="3">PAYLOAD</category>...</categories>
//
//   multipart/related (RFC 4662 5, RFC 2387), a batched subscription: an
//   application/rlmi+xml root (RFC 4662 5.2) listing each resource with one
//   <instance id state="active" cid>, then one
//   application/msrtc-event-categories+xml part per resource whose
//   Content-ID is <cid>. pidgin-sipe walks the parts and reads the
//   categories parts only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roles/lync/roaming_self.hpp"

namespace parley::presence {

inline constexpr std::string_view kTypeEventCategories = "application/msrtc-event-categories+xml";
inline constexpr std::string_view kTypeRlmi = "application/rlmi+xml";
inline constexpr std::string_view kNsRlmi = "urn:ietf:params:xml:ns:rlmi";
inline constexpr std::string_view kNsState = "http://schemas.microsoft.com/2006/09/sip/state";
inline constexpr std::string_view kNsXsi = "http://www.w3.org/2001/XMLSchema-instance";

// The categories document. Attribute values are XML-escaped; publishTime and
// expireType are omitted when empty; each payload_xml is inserted verbatim
// (a fragment the server validated when it was published).
std::string build_categories(std::string_view uri, const std::vector<lync::Category>& categories);

// The aggregated state the server publishes for watchers ([MS-PRES]
// state[@type='aggregateState']; pidgin-sipe reads state/availability and
// state/activity@token):
//   <state xmlns=".../sip/state" xmlns:xsi="...XMLSchema-instance"
//          xsi:type="aggregateState"><availability>N</availability>
//     <activity token="Busy"/></state>
// The token is activity_token(band_of(availability)).
std::string aggregate_state_payload(std::uint32_t availability);

struct MultipartBody {
  std::string content_type;  // multipart/related;type="application/rlmi+xml";start="<cid>";boundary=...
  std::string body;
};

// The RLMI multipart for a batched subscription. `list_uri` is the list's URI
// (the subscriber's batchSub uri), `version` the RLMI version (RFC 4662 5.2:
// +1 per NOTIFY in the dialog, starting at 0), `full_state` RLMI fullState.
// Each pair is (resource URI, its categories document). Parts use CRLF line
// ends; the boundary is chosen not to occur in any part. The resource
// instances are "r1", "r2", ... with cid "r1.<version>@parley" ... . The
// resource parts are of `part_type` (PIDF for a SIMPLE resource list, RFC 4662).
MultipartBody build_rlmi_multipart(
    std::string_view list_uri, std::uint32_t version, bool full_state,
    const std::vector<std::pair<std::string, std::string>>& resource_uri_and_categories_doc,
    std::string_view part_type = kTypeEventCategories);

}  // namespace parley::presence
