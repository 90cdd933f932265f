// The conference URIs of the Focus Factory, a Focus and its IM MCU. Lync
// builds all three as the organizer's GRUU with an `opaque` URI parameter that
// names the service ([MS-CONFPRO] 4.1 and 4.5 send SERVICE to
// "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"; [MS-CONFIM] 4.3.1
// sends INFO to "...;gruu;opaque=app:conf:focus:id:7ECB5F9B..."). The MCU URI
// is the focus URI with ":focus:" replaced by ":chat:" (pidgin-sipe's
// convention, docs/research/issue7-conferencing-sipe.md section 1.4):
//
//   focus factory  sip:alice@dom;gruu;opaque=app:conf:focusfactory
//   focus          sip:alice@dom;gruu;opaque=app:conf:focus:id:C0FFEE12
//   IM MCU         sip:alice@dom;gruu;opaque=app:conf:chat:id:C0FFEE12
//
// `aor` is the organizer's address without scheme ("alice@dom"), as
// lync::focus_factory_uri_for takes it. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::conf {

// Conference IDs ([MS-CONFPRO] 2.2.1.2 conference-id: implementations "SHOULD
// allow for a minimum of 8 and a maximum of 32 alpha-numeric characters from
// the ASCII set"; [MS-CONFBAS] 2.2.3.4 repeats it).
inline constexpr std::size_t kMinConferenceIdLength = 8;
inline constexpr std::size_t kMaxConferenceIdLength = 32;

// True when `id` is 8 to 32 ASCII letters and digits.
bool valid_conference_id(std::string_view id);

// 32 upper-case hex digits from 16 random bytes (the kernel's CSPRNG, via
// sip::random_hex); the same form pidgin-sipe generates for its own IDs.
std::string new_conference_id();

// "sip:<aor>;gruu;opaque=app:conf:focusfactory" (equal to
// lync::focus_factory_uri_for).
std::string focus_factory_uri(std::string_view aor);
// "sip:<aor>;gruu;opaque=app:conf:focus:id:<id>".
std::string focus_uri(std::string_view aor, std::string_view id);
// "sip:<aor>;gruu;opaque=app:conf:chat:id:<id>".
std::string mcu_uri(std::string_view aor, std::string_view id);

// What a Request-URI with an `opaque=app:conf:...` parameter addresses.
struct ConfTarget {
  enum Kind { focus_factory, focus, chat_mcu };
  Kind kind = focus_factory;
  std::string organizer;  // the `aor` passed to classify ("alice@dom")
  std::string id;         // the conference ID; empty for focus_factory
};

// Classifies the value of the `opaque` URI parameter ("app:conf:focus:id:ABC",
// without quotes) of a request to `aor`'s GRUU. The "app:conf:" prefixes are
// matched ignoring case; the ID is returned as written. nullopt when `aor` is
// empty, the value is not one of the three forms, or the ID is not a
// valid_conference_id (a URI we could not have issued). Other app:conf
// services (audio-video, applicationsharing, ...) are nullopt too: Parley has
// no such MCU.
std::optional<ConfTarget> classify(std::string_view opaque_param, std::string_view aor);

}  // namespace parley::conf
