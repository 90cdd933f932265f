// The vnd-microsoft-roaming-contacts event ([MS-SIP] 2.2.4.1, 3.7.5.2): the
// first notification (piggybacked on the 200 OK to the SUBSCRIBE, or the first
// NOTIFY) carries the full list, <contactList deltaNum="N">; every later change
// is a <contactDelta deltaNum="N+1" prevDeltaNum="N"> sent in a NOTIFY or
// BENOTIFY to each of the user's subscriptions.
//
// What pidgin-sipe reads (sipe-notify.c, sipe_process_roaming_contacts), only
// with subscription-state absent or "active":
//   - deltaNum (non-zero) from either root: the value it sends back in the
//     next SOAP request (and then counts up by one per request);
//   - contactList/group (id, name; "~" shows as "Other Contacts") and
//     contactList/contact (uri WITHOUT "sip:" - it prepends one -, name,
//     groups as space-separated ids);
//   - contactDelta/addedGroup, modifiedGroup, deletedGroup (id) and
//     addedContact, modifiedContact, deletedContact whose uri it uses AS IS, so
//     those carry "sip:";
//   - an ucsmode attribute on contactList marks a Lync 2013+ server (and sets
//     its LYNC2013 flag: RFC 5245 ICE, Lync file transfer); ucsmode="migrated"
//     sends it to the Unified Contact Store in Exchange instead, which Parley
//     does not have. It sends "Supported: ms-ucs" in its SUBSCRIBE; a 488
//     answer also means "use UCS", so answer 200.
// After the full list it subscribes to its contacts' presence.
#pragma once

#include <optional>
#include <string>

#include "store/contact_store.hpp"

namespace parley::lync {

struct ContactListOptions {
  // The contactList ucsmode attribute ([MS-PRES] 10): unset writes none (an
  // OCS 2007 R2 / Lync 2010 list). Never "migrated" (see above).
  std::optional<std::string> ucs_mode;
};

// <contactList deltaNum="N"> with every group then every contact.
std::string build_contact_list(const store::ContactList& list, const ContactListOptions& options = {});

// <contactDelta deltaNum= prevDeltaNum=> in the [MS-SIP] 9.1 order: added and
// modified groups, added and modified contacts, deleted groups, deleted contacts.
std::string build_contact_delta(const store::ContactDelta& delta);

}  // namespace parley::lync
