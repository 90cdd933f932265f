// Self subscription ([MS-PRES] 2.2.2, 3.3.5.1): the client SUBSCRIBEs to
// vnd-microsoft-roaming-self with a roamingList body naming the scopes it wants
// (categories, containers, subscribers; Lync clients also ask for delegates),
// and gets a roamingData document: its own publications, the membership of its
// presence containers (access levels) and its watchers.
//
// What pidgin-sipe reads (sipe-ocs2007.c, sipe_ocs2007_process_roaming_self),
// only from a NOTIFY/BENOTIFY or piggybacked 200 OK whose subscription-state is
// absent or "active":
//   categories/category (name, container, instance, version, publishTime and
//     the payload): its current publications. The first roamingData it gets
//     triggers its initial presence PUBLISH, so an empty categories element is
//     enough to let it publish;
//   containers/container (id, version) with member (type, value): when no
//     member of type sameEnterprise is in any container (or federated, for
//     federated contacts), it sends setContainerMembers SERVICE requests to put
//     them in 200 and 100; default_containers() already has them;
//   subscribers/subscriber (user without "sip:", displayName, acknowledged):
//     acknowledged="false" makes it ask the user to allow the watcher and send
//     setSubscribers.
// Namespaces: roamingData in .../roaming-self, categories in .../categories,
// containers in .../container-management, subscribers in .../presence-subscribers
// ([MS-PRES] 4.4.3, 2.2.2.6.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::lync {

// Which parts a self subscription asked for.
struct RoamingScope {
  bool categories = false;
  bool containers = false;
  bool subscribers = false;
  bool delegates = false;  // asked for via roamingEx; not answered by build_roaming_data
};

// Parses the roamingList body ([MS-PRES] 4.4.1). An empty body means
// categories, containers and subscribers. Malformed XML or another root
// element: BodyError.
std::variant<RoamingScope, BodyError> parse_roaming_list(std::string_view body);

// One published category instance ([MS-PRES] 2.2.2.2).
struct Category {
  std::string name;          // "state", "note", "contactCard", ...
  std::int64_t container = 0;
  std::int64_t instance = 0;
  std::int64_t version = 1;
  std::string publish_time;  // "2008-01-22T23:41:05.450"; omitted when empty
  std::string expire_type;   // "static", "user", "endpoint", "time"; omitted when empty
  std::string payload_xml;   // the category's content, e.g. "<state .../>"; dropped if not XML
};

// A container member ([MS-PRES] 2.2.2.3): type "user" or "domain" with a
// value, or "sameEnterprise", "federated", "publicCloud", "everyone" alone.
struct ContainerMember {
  std::string type;
  std::string value;  // omitted when empty
};

struct Container {
  std::int64_t id = 0;  // 100 external, 200 company, 300 team, 400 personal, 32000 blocked
  std::int64_t version = 0;
  std::vector<ContainerMember> members;
};

// A watcher of the user's presence ([MS-PRES] 2.2.2.6.1).
struct Subscriber {
  std::string user;          // "bob@contoso.com", no "sip:"
  std::string display_name;
  bool acknowledged = true;  // false: the user has not yet allowed or blocked it
  std::string type;          // "sameEnterprise", "federated", "publicCloud"; omitted when empty
};

struct RoamingSelf {
  std::string uri;  // the user, "sip:alice@contoso.com" (categories' uri attribute)
  std::vector<Category> categories;
  std::vector<Container> containers;
  std::vector<Subscriber> subscribers;
};

// The access levels a new Lync user has: Colleagues (200) holds everyone in
// the same enterprise, External (100) federated users; Workgroup (300),
// Friends and Family (400) and Blocked (32000) are empty. Version 1 each.
std::vector<Container> default_containers();

// The roamingData document with the parts `scope` asked for (each present,
// possibly empty, when asked for).
std::string build_roaming_data(const RoamingSelf& self, const RoamingScope& scope);

}  // namespace parley::lync
