// In-band provisioning ([MS-SIPREGE] 2.2.2, 3.1.5): the client's one-off
// SUBSCRIBE for vnd-microsoft-provisioning-v2 names the provisioning groups it
// wants in a provisioningGroupList body; the server answers with a
// provisionGroupList document.
//
// Answering ([MS-SIPREGE] 2.2.2.2): the document goes in the 200 OK to the
// SUBSCRIBE when the request has "Supported: ms-piggyback-first-notify", else
// in one NOTIFY. Either way: Event: vnd-microsoft-provisioning-v2,
// Content-Type: application/vnd-microsoft-roaming-provisioning-v2+xml,
// Expires: 0 and subscription-state: terminated;expires=0 (no dialog is kept).
// pidgin-sipe reads a body in a SUBSCRIBE response only when the response has
// an "ms-piggyback-cseq: <CSeq number>" header.
//
// What pidgin-sipe reads (sipe-notify.c, sipe_process_provisioning_v2):
//   ServerConfiguration: focusFactoryUri (enables conferencing: it then sends
//     getConferencingCapabilities to that URI, whose C3P answer carries the
//     mcu-types), dlxInternalUrl/dlxExternalUrl, absInternalServerUrl/
//     absExternalServerUrl (photo and address book), mrasUri (A/V edge
//     credentials), botSipUriForTestCall, ucPC2PCAVEncryption (absent or unknown
//     means RequireEncryption), ucPortRangeEnabled and the uc*Port ranges;
//   persistentChatConfiguration: propertyEntryList/property EnablePersistentChat
//     and DefaultPersistentChatPoolUri.
// An element is written only when its value is set: an address book URL that
// answers nothing would cost the client failed HTTP fetches.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "roles/lync/lync_events.hpp"

namespace parley::lync {

// The provisioning groups this module answers ([MS-SIPREGE] 2.2.2.5).
inline constexpr std::string_view kGroupServerConfiguration = "ServerConfiguration";
inline constexpr std::string_view kGroupMeetingPolicy = "meetingPolicy";
inline constexpr std::string_view kGroupUcPolicy = "ucPolicy";
inline constexpr std::string_view kGroupPersistentChat = "persistentChatConfiguration";

using Properties = std::vector<std::pair<std::string, std::string>>;  // name, value

struct ProvisioningConfig {
  // ServerConfiguration ([MS-SIPREGE] 2.2.2.5.1)
  std::string focus_factory_uri;  // focus_factory_uri_for(aor); empty: no conferencing
  std::string server_fqdn;        // written as poolUri (Standard Edition: the server)
  std::string organization;
  std::string abs_internal_url, abs_external_url;  // address book web service
  std::string dlx_internal_url, dlx_external_url;  // distribution list expansion
  std::string mras_uri;                            // A/V edge credentials service
  std::string test_call_bot_uri;                   // botSipUriForTestCall
  // ucPC2PCAVEncryption: RequireEncryption | SupportEncryption | DoNotSupportEncryption
  std::string av_encryption = "SupportEncryption";
  Properties server_configuration_extra;  // further elements: <name>value</name>

  // meetingPolicy and ucPolicy ([MS-SIPREGE] 2.2.2.5.2, 2.2.2.5.3): one instance
  // of <property name="...">value</property>.
  Properties meeting_policy;
  Properties uc_policy;

  // persistentChatConfiguration: always answered when asked for, with
  // EnablePersistentChat false when disabled.
  bool persistent_chat_enabled = false;
  std::string persistent_chat_pool_uri;  // DefaultPersistentChatPoolUri, "sip:..."
};

// The user's focus factory: "sip:<aor>;gruu;opaque=app:conf:focusfactory"
// (the per-user GRUU form a Lync Front End provisions; [MS-CONFPRO] 4.7 sends
// C3P requests to it). `aor` is "user@domain".
std::string focus_factory_uri_for(std::string_view aor);

// A parsed provisioningGroupList ([MS-SIPREGE] 2.2.2.4).
struct ProvisioningRequest {
  std::vector<std::string> groups;  // provisioningGroup names, in request order
  std::string subnet;               // the optional subnet attribute
};

// Parses the SUBSCRIBE body. An empty body asks for the four groups above
// (pidgin-sipe's request). Malformed XML or another root element: BodyError.
std::variant<ProvisioningRequest, BodyError> parse_provisioning_request(std::string_view body);

// The provisionGroupList document answering `request`: one provisionGroup per
// requested group this module knows, in request order; unknown names are left
// out (the client falls back to its defaults).
std::string build_provision_group_list(const ProvisioningConfig& config,
                                       const ProvisioningRequest& request);

}  // namespace parley::lync
