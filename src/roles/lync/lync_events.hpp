// Event packages and content types of Lync in-band provisioning and roaming
// data, and what a body parser reports when a client's XML is unusable.
//
//   event                             SUBSCRIBE Accept / NOTIFY Content-Type
//   vnd-microsoft-provisioning-v2     application/vnd-microsoft-roaming-provisioning-v2+xml
//                                     ([MS-SIPREGE] 2.2.2; one-off: Expires: 0)
//   vnd-microsoft-roaming-self        application/vnd-microsoft-roaming-self+xml ([MS-PRES] 2.2.2)
//   vnd-microsoft-roaming-contacts    application/vnd-microsoft-roaming-contacts+xml ([MS-SIP] 2.2.4.1)
//   SERVICE (contact management)      application/SOAP+xml ([MS-SIP] 2.2.4.2)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::lync {

inline constexpr std::string_view kEventProvisioningV2 = "vnd-microsoft-provisioning-v2";
inline constexpr std::string_view kTypeProvisioningV2 =
    "application/vnd-microsoft-roaming-provisioning-v2+xml";
inline constexpr std::string_view kEventRoamingSelf = "vnd-microsoft-roaming-self";
inline constexpr std::string_view kTypeRoamingSelf = "application/vnd-microsoft-roaming-self+xml";
inline constexpr std::string_view kEventRoamingContacts = "vnd-microsoft-roaming-contacts";
inline constexpr std::string_view kTypeRoamingContacts =
    "application/vnd-microsoft-roaming-contacts+xml";
inline constexpr std::string_view kTypeSoap = "application/SOAP+xml";
inline constexpr std::string_view kTypeMsrtcFault = "application/msrtc-fault+xml";  // [MS-PRES] 2.2.2.10.4

// XML namespaces of the bodies.
inline constexpr std::string_view kNsSoapEnvelope = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kNsWinrtcSip = "http://schemas.microsoft.com/winrtc/2002/11/sip";
inline constexpr std::string_view kNsProvisioningRequest =
    "http://schemas.microsoft.com/2006/09/sip/provisioninggrouplist";
inline constexpr std::string_view kNsProvisioningNotification =
    "http://schemas.microsoft.com/2006/09/sip/provisiongrouplist-notification";
inline constexpr std::string_view kNsRoamingSelf = "http://schemas.microsoft.com/2006/09/sip/roaming-self";
inline constexpr std::string_view kNsCategories = "http://schemas.microsoft.com/2006/09/sip/categories";
inline constexpr std::string_view kNsContainers =
    "http://schemas.microsoft.com/2006/09/sip/container-management";
inline constexpr std::string_view kNsSubscribers =
    "http://schemas.microsoft.com/2006/09/sip/presence-subscribers";

// Request bodies larger than this are refused unparsed (a contact list change
// or a provisioning request is well under 4 KiB).
inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;

// Why a client's body was not used. Parsers never throw on bad input.
struct BodyError {
  enum class Kind {
    malformed,    // not well-formed XML, too large, or not the expected document
    unsupported,  // well-formed, but a request this module does not handle
                  // (e.g. a SOAP setPresence or directorySearch)
    invalid,      // the expected document with a missing or bad field
  };
  Kind kind = Kind::malformed;
  std::string reason;  // one line for the log and the SIP reason phrase
};

}  // namespace parley::lync
