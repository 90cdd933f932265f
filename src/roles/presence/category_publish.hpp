// Category publication ([MS-PRES] 2.2.2.x publish, 3.7.5.x): the client sends
// SERVICE with an application/msrtc-category-publish+xml body listing the
// category instances it publishes (or removes, expires="0"):
//
//   <publish xmlns="http://schemas.microsoft.com/2006/09/sip/rich-presence">
//     <publications uri="sip:alice@x">
//       <publication categoryName="state" instance="926460663" container="2"
//                    version="0" expireType="endpoint"><state .../></publication>
//       <publication categoryName="note" instance="0" container="400"
//                    version="0" expireType="static" expires="0"/>
//     </publications></publish>
//
// Each publication carries the version the client believes current (0 for a
// new instance). When one does not match, the server changes nothing and
// answers 409 Conflict with an application/msrtc-fault+xml body
// (lync::kTypeMsrtcFault, [MS-PRES] 2.2.2.10.4):
//
//   <Fault><Faultcode>Client.BadCall.WrongDelta</Faultcode>
//     <Faultstring>...</Faultstring>
//     <details><operation index="N" curVersion="V"/>...</details></Fault>
//
// pidgin-sipe (sipe-ocs2007.c, process_send_presence_category_publish_response)
// reads Faultcode and details/operation@index/@curVersion, by local name
// (no namespace), then republishes the failing publications with curVersion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"
#include "roles/lync/roaming_self.hpp"

namespace parley::presence {

inline constexpr std::string_view kTypeCategoryPublish = "application/msrtc-category-publish+xml";
inline constexpr std::string_view kNsRichPresence =
    "http://schemas.microsoft.com/2006/09/sip/rich-presence";

// At most this many publications in one request; more is invalid (a Lync
// client publishes a dozen at sign-in).
inline constexpr std::size_t kMaxPublications = 256;

struct PublicationOp {
  std::size_t index = 0;  // 1-based position in the request (the fault's operation index)
  // name, container, instance, version (the version the client believes
  // current; 0 for new), expire_type ("static", "user", "endpoint", "time";
  // empty when absent), payload_xml = the publication's child element
  // serialized raw, empty when none. publish_time is left empty (the server
  // stamps it).
  lync::Category category;
  std::optional<std::uint32_t> expires;  // the expires attribute in seconds; 0 means remove
};

struct CategoryPublish {
  std::string uri;  // publications@uri, "sip:alice@x"; empty when absent
  std::vector<PublicationOp> publications;
};

// Parses the publish body. Not well-formed, over lync::kMaxRequestBodyBytes or
// another root than publish: malformed. A publication missing categoryName,
// instance, container or version, with a non-integer among them, a bad
// expireType or expires, a payload of more than one element, or more than
// kMaxPublications: invalid. instance is read as unsigned 32-bit when it does
// not fit a signed one (Lync uses instance ids up to 0xFFFFFFFF).
std::variant<CategoryPublish, lync::BodyError> parse_category_publish(std::string_view body);

// The 409 body for a version mismatch: one details/operation per
// (1-based publication index, the instance's current version).
std::string wrong_delta_fault(
    const std::vector<std::pair<std::size_t, std::int64_t>>& index_and_current_version);

}  // namespace parley::presence
