// SIP URIs, name-addr values and their parameters (RFC 3261 19.1, 20.10, 25.1).
//
// Every string_view in these types points into the text that was parsed; the
// caller keeps that text alive (a Message keeps its buffer for its whole life).
// Escapes (%XX) are kept as written; unescape() decodes on request, and
// uri_equal() compares with the rules of RFC 3261 19.1.4.
#pragma once

#include "sip/chars.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sip {

// One ";name=value" or ";name" parameter. `value` is empty for a flag parameter
// and keeps its quotes when quoted (e.g. +sip.instance="<urn:uuid:...>").
struct Param {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
};
using Params = std::vector<Param>;

// Finds a parameter by name, case-insensitively (RFC 3261 7.3.1). Returns the
// value (possibly empty) or nullopt when absent.
std::optional<std::string_view> find_param(const Params& ps, std::string_view name);

struct Uri {
  std::string_view scheme;    // "sip", "sips", "tel", ... as written
  std::string_view user;      // escaped user part, empty if none
  std::string_view password;  // empty if none
  std::string_view host;      // hostname, IPv4, or IPv6 reference *with* brackets
  std::uint16_t port = 0;     // 0 when absent
  Params params;              // uri-parameters, in order
  std::string_view headers;   // text after '?', without the '?'
  std::string_view text;      // the whole URI as written

  bool is_sip() const;        // scheme sip or sips (case-insensitive)
  bool is_sips() const;
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params, name);
  }
  // The host without IPv6 brackets, lower-cased: the form used for lookups.
  std::string host_lower() const;
  // "user@host" with the user unescaped and the host lower-cased: the key of an
  // address-of-record in the location service (RFC 3261 10.3 step 5).
  std::string aor() const;
};

// Parses an absolute URI. sip/sips URIs are split into their parts; other
// schemes keep only scheme and text. Returns nullopt with `error` set on
// malformed input (bad host, port out of range, bad escape, ...).
std::optional<Uri> parse_uri(std::string_view text, std::string* error = nullptr);

// RFC 3261 19.1.4 URI comparison for sip/sips (user and password case-sensitive
// after unescaping, host case-insensitive, the parameters the section lists).
bool uri_equal(const Uri& a, const Uri& b);

// Decodes %XX escapes. Invalid escapes are kept as written.
std::string unescape(std::string_view s);

// A From, To, Contact, Route, Record-Route or Reply-To value (RFC 3261 20.10):
// either name-addr ("Alice" <sip:a@b>;tag=x) or addr-spec (sip:a@b;tag=x, where
// the parameters after the URI are header parameters, not URI parameters).
struct NameAddr {
  std::string_view display_name;  // without quotes; empty if none
  Uri uri;
  Params params;                  // header parameters (tag, expires, q, +sip.instance...)
  bool wildcard = false;          // Contact: *
  std::string_view text;          // the whole value as written

  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params, name);
  }
  std::string_view tag() const { return param("tag").value_or(std::string_view{}); }
};

std::optional<NameAddr> parse_name_addr(std::string_view text, std::string* error = nullptr);

// Parses ";a=b;c" (starting at the first ';', leading whitespace allowed) into
// `out`. Returns false on malformed input.
bool parse_params(std::string_view text, Params& out);

// Splits a comma-separated header value into its elements, honouring quoted
// strings and <...> (RFC 3261 7.3.1). Elements are trimmed; empty elements are
// dropped.
std::vector<std::string_view> split_comma_list(std::string_view value);

// Trims SP / HTAB / CR / LF on both ends.
std::string_view trim(std::string_view s);
// iequals (ASCII case-insensitive equality) comes from sip/chars.hpp.

}  // namespace parley::sip
