// Contact list management over SERVICE ([MS-SIP] 2.2.4.2, 3.7.4.3, 3.7.4.4,
// 4.6-4.10): the client sends a SOAP envelope (Content-Type:
// application/SOAP+xml) to its own AOR, whose Body holds one of setContact,
// deleteContact, addGroup, modifyGroup, deleteGroup or setACE in the
// http://schemas.microsoft.com/winrtc/2002/11/sip namespace, each with the
// deltaNum the client last saw.
//
// pidgin-sipe's envelopes (sip-soap.c, sipe-buddy.c, sipe-group.c):
//   <s:Envelope xmlns:s="...soap/envelope/" xmlns:m="...winrtc/2002/11/sip"><s:Body>
//     <m:setContact><m:displayName>Bob</m:displayName><m:groups>1 2</m:groups>
//       <m:subscribed>true</m:subscribed><m:URI>sip:bob@x</m:URI><m:externalURI />
//       <m:deltaNum>5</m:deltaNum></m:setContact>
//     <m:deleteContact><m:URI>sip:bob@x</m:URI><m:deltaNum>5</m:deltaNum></m:deleteContact>
//     <m:addGroup><m:name>Team</m:name><m:externalURI /><m:deltaNum>5</m:deltaNum></m:addGroup>
//     <m:modifyGroup><m:groupID>2</m:groupID><m:name>T</m:name><m:externalURI />...</m:modifyGroup>
//     <m:deleteGroup><m:groupID>2</m:groupID><m:deltaNum>5</m:deltaNum></m:deleteGroup>
//     <m:setACE><m:type>USER</m:type><m:mask>sip:bob@x</m:mask><m:rights>AA</m:rights>
//       <m:deltaNum>2</m:deltaNum></m:setACE>                  (OCS 2005 mode only)
//   </s:Body></s:Envelope>
// The [MS-SIP] examples use the SOAP-ENV prefix and declare m on the method
// element; elements are matched by local name, so both parse.
//
// Replies ([MS-SIP] 4.6-4.10): 200 OK without a body, except addGroup whose
// 200 OK carries <m:addGroup><m:groupID>N</m:groupID></m:addGroup> in a SOAP
// envelope (pidgin-sipe reads Body/addGroup/groupID and nothing else). The new
// deltaNum reaches the client in the contactDelta NOTIFY/BENOTIFY the caller
// sends to the user's vnd-microsoft-roaming-contacts subscriptions
// (ServiceReply::delta, build_contact_delta); pidgin-sipe ignores SERVICE
// responses other than addGroup's.
// Refusals (nothing changed):
//   stale deltaNum            409 Conflict, application/msrtc-fault+xml
//                             <Fault><Faultcode>Client.BadCall.WrongDelta</Faultcode>
//                             <details><operation index="1" version="sent"
//                             curVersion="current"/></details></Fault>
//                             (the [MS-PRES] 2.2.2.10.4 version-conflict format)
//   default group / limits    403 Forbidden
//   everything else           400 Bad Request (malformed or unsupported body,
//                             no such contact or group, duplicate group name)
// The reason phrase says which; no body.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "roles/lync/lync_events.hpp"
#include "store/contact_store.hpp"

namespace parley::lync {

// The operations. delta_num is the client's <m:deltaNum> (nullopt if absent).
struct SetContactOp {
  store::Contact contact;  // uri as sent ("sip:..."); the store normalizes it
  std::optional<std::int64_t> delta_num;
};
struct DeleteContactOp {
  std::string uri;
  std::optional<std::int64_t> delta_num;
};
struct AddGroupOp {
  std::string name;  // pidgin-sipe sends "~" for its "Other Contacts"
  std::string external_uri;
  std::optional<std::int64_t> delta_num;
};
struct ModifyGroupOp {
  std::int64_t id = 0;
  std::string name;
  std::string external_uri;
  std::optional<std::int64_t> delta_num;
};
struct DeleteGroupOp {
  std::int64_t id = 0;
  std::optional<std::int64_t> delta_num;
};
struct SetAceOp {
  store::AccessControlEntry ace;
  std::optional<std::int64_t> delta_num;  // the ACL's deltaNum
};
using ContactOperation =
    std::variant<SetContactOp, DeleteContactOp, AddGroupOp, ModifyGroupOp, DeleteGroupOp, SetAceOp>;

// Parses a SERVICE body. Errors: malformed (not XML, > kMaxRequestBodyBytes,
// no Envelope/Body/method), unsupported (another SOAP method, e.g. setPresence
// or directorySearch: route it elsewhere), invalid (missing URI/name/groupID,
// a non-numeric deltaNum, groupID or group id, a bad boolean). Never throws on
// input.
std::variant<ContactOperation, BodyError> parse_contact_service(std::string_view body);

// The SERVICE response to send, and what changed.
struct ServiceReply {
  int status = 200;
  std::string reason = "OK";
  std::string content_type;  // empty when body is empty
  std::string body;
  // Set when the contact list changed: send build_contact_delta(*delta) as a
  // vnd-microsoft-roaming-contacts NOTIFY/BENOTIFY to the user's subscriptions.
  std::optional<store::ContactDelta> delta;
  // Set when the ACL changed (setACE): its new deltaNum.
  std::optional<std::int64_t> acl_delta_num;
};

// Applies `op` to `aor`'s list in `store`. Back-end failures throw StoreError
// (answer 500).
ServiceReply apply_contact_operation(store::ContactStore& store, std::string_view aor,
                                     const ContactOperation& op);

// parse_contact_service + apply_contact_operation; a body error becomes 400.
ServiceReply handle_contact_service(store::ContactStore& store, std::string_view aor,
                                    std::string_view body);

}  // namespace parley::lync
