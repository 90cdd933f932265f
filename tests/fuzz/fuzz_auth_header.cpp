// Fuzz target: the credentials and challenge parsers of src/sip/auth on the
// input as one header value: parse_auth_params (RFC 7235 2.1, RFC 3261 25.1;
// Digest, NTLM, Kerberos, TLS-DSK alike) and parse_digest_credentials
// (RFC 3261 22.4, RFC 7616 3.4).
//
// Checks, for every input:
//  - nothing throws or reads out of bounds; a failure comes with a reason;
//  - a value that parses, written back as `scheme name="value", ...` with
//    quote() (or `scheme token68`), parses to the same scheme, parameters and
//    token68 (parameters whose values hold control characters are not written
//    back: quote() does not escape them and a quoted-string cannot carry them
//    raw);
//  - Digest credentials keep the promises of credentials.hpp: Ok only with a
//    username, nc of 8 hex digits matching nonce_count, qop only with cnonce
//    and nc; OtherScheme only for a well-formed non-Digest value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sip/auth/auth_params.hpp"
#include "sip/auth/credentials.hpp"

namespace {

using parley::fuzz::printable;
using namespace parley::sip::auth;

bool has_control(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

std::string write_back(const AuthParams& p) {
  std::string out = p.scheme;
  if (!p.token68.empty()) return out + ' ' + p.token68;
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    out += i == 0 ? " " : ", ";
    out += p.params[i].name;
    out += '=';
    out += quote(p.params[i].value);
  }
  return out;
}

void check_round_trip(const AuthParams& p) {
  for (const auto& param : p.params) {
    if (has_control(param.value)) return;
  }
  std::string text = write_back(p);
  std::string error;
  auto again = parse_auth_params(text, &error);
  PARLEY_FUZZ_CHECK_MSG(again.has_value(), "written back, does not parse (" + error + "): " +
                                               printable(text));
  PARLEY_FUZZ_CHECK(again->scheme == p.scheme);
  PARLEY_FUZZ_CHECK(again->token68 == p.token68);
  PARLEY_FUZZ_CHECK(again->params.size() == p.params.size());
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    PARLEY_FUZZ_CHECK(again->params[i].name == p.params[i].name);
    PARLEY_FUZZ_CHECK_MSG(again->params[i].value == p.params[i].value,
                          printable(p.params[i].value) + " vs " +
                              printable(again->params[i].value));
  }
}

bool is_hex8(std::string_view s) {
  if (s.size() != 8) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string owned(reinterpret_cast<const char*>(data), size);
  const std::string_view value = owned;

  std::string error;
  auto params = parse_auth_params(value, &error);
  if (params) {
    PARLEY_FUZZ_CHECK(!params->scheme.empty());
    PARLEY_FUZZ_CHECK(params->token68.empty() || params->params.empty());
    for (const auto& p : params->params) {
      PARLEY_FUZZ_CHECK(!p.name.empty());
      PARLEY_FUZZ_CHECK(params->find(p.name) != nullptr);
      PARLEY_FUZZ_CHECK(p.quoted || !p.value.empty());
    }
    (void)params->is("Digest");
    (void)params->find("realm");
    check_round_trip(*params);
  } else {
    PARLEY_FUZZ_CHECK(!error.empty());
  }

  DigestParse digest = parse_digest_credentials(value);
  switch (digest.status) {
    case CredentialsStatus::Ok: {
      PARLEY_FUZZ_CHECK(params && params->is("Digest"));
      const DigestCredentials& c = digest.credentials;
      PARLEY_FUZZ_CHECK(c.nc.empty() || is_hex8(c.nc));
      if (!c.nc.empty()) {
        PARLEY_FUZZ_CHECK(c.nonce_count == std::stoul(c.nc, nullptr, 16));
      }
      if (!c.qop.empty()) PARLEY_FUZZ_CHECK(!c.nc.empty());
      PARLEY_FUZZ_CHECK(c.has_opaque || c.opaque.empty());
      break;
    }
    case CredentialsStatus::OtherScheme:
      PARLEY_FUZZ_CHECK(params && !params->is("Digest"));
      PARLEY_FUZZ_CHECK(digest.scheme == params->scheme);
      break;
    case CredentialsStatus::Malformed:
      PARLEY_FUZZ_CHECK(!digest.error.empty());
      break;
  }
  return 0;
}
