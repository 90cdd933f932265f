// Access levels ([MS-PRES] 2.2.2.3 containers, 3.7.5.x container
// management): who sees which publications. The user moves watchers between
// containers with SERVICE requests whose body is
// application/msrtc-setcontainermembers+xml:
//
//   <setContainerMembers
//       xmlns="http://schemas.microsoft.com/2006/09/sip/container-management">
//     <container id="32000" version="1">
//       <member action="add" type="user" value="bob@x"/></container>
//   </setContainerMembers>
//
// type "user" (value "bob@x", without "sip:") and "domain" (value "x") carry
// a value; "sameEnterprise", "federated", "publicCloud" and "everyone" none.
// A watcher sees the publications of the one container it is in
// (container_for_watcher); 32000 is Blocked (it gets nothing but offline).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"
#include "roles/lync/roaming_self.hpp"

namespace parley::presence {

inline constexpr std::string_view kTypeSetContainerMembers =
    "application/msrtc-setcontainermembers+xml";
inline constexpr std::int64_t kBlockedContainer = 32000;

// At most this many member changes in one request; more is invalid.
inline constexpr std::size_t kMaxMemberChanges = 1000;

struct ContainerMemberChange {
  std::int64_t container = 0;
  std::int64_t version = 0;  // the container version the client believes current
  bool add = true;           // member action="add"; false: "remove"
  lync::ContainerMember member;  // a "user" value is stored without a leading "sip:"
};

// Parses the body, changes in document order. Not well-formed, too large or
// not setContainerMembers: malformed. A container without an integer id or
// version, a member action other than add/remove, an unknown member type, a
// user/domain member without value, or more than kMaxMemberChanges: invalid.
// A value on the other types is ignored (dropped).
std::variant<std::vector<ContainerMemberChange>, lync::BodyError> parse_set_container_members(
    std::string_view body);

// Applies `changes` to `containers`, all or nothing:
//  - every change must carry the current version of its container (a
//    container that does not exist yet has version 0); otherwise false is
//    returned and nothing changes (the caller answers 409, see
//    category_publish.hpp wrong_delta_fault, with the container's version);
//  - a missing container is created (version 0, appended);
//  - "add" of a member already present (type equal, value equal ignoring case)
//    and "remove" of an absent member change nothing;
//  - each container whose members changed gets version + 1, once per call.
// A user is not removed from other containers on add: the client sends the
// remove itself (pidgin-sipe does), and container_for_watcher picks one.
bool apply_container_changes(std::vector<lync::Container>& containers,
                             const std::vector<ContainerMemberChange>& changes);

// The container a watcher is in ([MS-PRES] 3.7.5.x access levels; the client's
// view is pidgin-sipe's sipe_ocs2007_find_access_level). Member types are tried
// in this order, the first match wins:
//   1. "user" whose value equals the watcher (both without "sip:"/"sips:" and
//      URI parameters, compared ignoring case);
//   2. "domain" equal to the watcher's domain (ignoring case);
//   3. "sameEnterprise" when the watcher's domain equals `presentity_domain`;
//   4. "federated" when it does not;
//   5. "publicCloud" when it does not (we cannot tell public-cloud domains from
//      other federated ones, so every foreign domain qualifies);
//   6. "everyone".
// Within one member type the containers are tried in the order 32000, 400,
// 300, 200, 100 (other ids never match). 0 when nothing matches.
std::int64_t container_for_watcher(const std::vector<lync::Container>& containers,
                                   std::string_view watcher_uri,
                                   std::string_view presentity_domain);

}  // namespace parley::presence
