// Fuzz target: the [MS-NLMP] / [MS-SIPAE] parsers a Lync-protocol client feeds
// (src/sip/auth/ntlm.hpp, sipae.hpp). The input is tried as the binary NTLM
// messages (AUTHENTICATE, CHALLENGE, NTLMv2 response) and as the text of the
// NTLM header values and their base64 gssapi-data.
//
// Checks, for every input:
//  - nothing throws, aborts or reads out of bounds;
//  - what parses is consistent: strings decoded from UTF-16LE re-encode to
//    UTF-16LE that decodes to the same string; each of the AUTHENTICATE's
//    responses is no longer than the message that carried them;
//  - base64 that decodes re-encodes to the same text (decoding is strict);
//  - a signature in hex parses back from its own formatting.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sip/auth/ntlm.hpp"
#include "sip/auth/sipae.hpp"

namespace {

using namespace parley::sip::auth;
using parley::fuzz::printable;

void check_utf8_round_trip(const std::string& s) {
  auto utf16 = ntlm::to_utf16le(s);
  if (!utf16) parley::fuzz::fail("decoded string is not valid UTF-8", __FILE__, __LINE__, printable(s));
  auto back = ntlm::from_utf16le(*utf16);
  if (!back || *back != s) parley::fuzz::fail("UTF-16LE round trip changed a string", __FILE__, __LINE__, printable(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto a = ntlm::parse_authenticate(bytes)) {
    check_utf8_round_trip(a->user);
    check_utf8_round_trip(a->domain);
    check_utf8_round_trip(a->workstation);
    // Each field lies inside the message (fields may overlap: [MS-NLMP] does
    // not forbid it, and the parser copies each one).
    for (const auto* field : {&a->nt_response, &a->lm_response, &a->encrypted_session_key}) {
      if (field->size() > size)
        parley::fuzz::fail("an AUTHENTICATE field larger than the message", __FILE__, __LINE__);
    }
    (void)ntlm::parse_ntlmv2_response(a->nt_response);
  }
  if (auto c = ntlm::parse_challenge(bytes)) {
    check_utf8_round_trip(c->target_name);
    if (c->target_info.size() > size)
      parley::fuzz::fail("TargetInfo larger than the message", __FILE__, __LINE__);
  }
  (void)ntlm::parse_ntlmv2_response(bytes);

  if (auto decoded = sipae::base64_decode(text)) {
    if (sipae::base64_encode(*decoded) != text)
      parley::fuzz::fail("base64 round trip changed the text", __FILE__, __LINE__, printable(text));
  }
  if (auto sig = sipae::parse_signature_hex(text)) {
    if (sipae::parse_signature_hex(sipae::signature_hex(*sig)) != sig)
      parley::fuzz::fail("signature hex round trip", __FILE__, __LINE__, printable(text));
  }
  std::string error;
  if (auto c = sipae::parse_credentials(text, &error)) {
    // Written back and parsed again, unless a value holds a control character,
    // which a quoted-string cannot carry raw (as in fuzz_auth_header).
    bool writable = true;
    for (const std::string* v : {&c->qop, &c->realm, &c->opaque, &c->targetname, &c->gssapi_data,
                                 &c->crand, &c->cnum, &c->response}) {
      for (char ch : *v) {
        auto u = static_cast<unsigned char>(ch);
        if ((u < 0x20 && ch != '\t') || u == 0x7f) writable = false;
      }
    }
    if (writable) {
      auto again = sipae::parse_credentials(sipae::format_credentials(*c));
      if (!again || again->opaque != c->opaque || again->targetname != c->targetname ||
          again->realm != c->realm || again->response != c->response)
        parley::fuzz::fail("formatted credentials do not parse back the same", __FILE__,
                           __LINE__, printable(text));
    }
  }
  (void)sipae::parse_challenge(text, &error);
  (void)sipae::parse_authentication_info(text, &error);
  return 0;
}
