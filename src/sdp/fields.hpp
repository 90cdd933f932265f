// The value of each SDP line type, parsed on its own (RFC 8866 5.2-5.14, the
// grammar of RFC 8866 9). sdp::parse() (parse.hpp) calls these for every line;
// they are public so that tests and callers with a single value (an a=rtpmap
// from elsewhere, a c= line to rewrite) can use them.
//
// Each takes the text after "<type>=" (no CR LF) and returns nullopt with
// `error` set when the value is malformed; views in the result point into
// `value`. Fields of the structured lines (o, c, b, t, r, z, m) are separated
// by one or more SP or HTAB (RFC 8866 9 asks for exactly one SP; senders
// that pad are accepted) and surrounding whitespace is ignored.
#pragma once

#include "base/ascii.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/session_description.hpp"

namespace parley::sdp {

// RFC 8866 9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
// %x41-5A / %x5E-7E (what RFC 4566 wrote as a list of symbols).
constexpr bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2a || u == 0x2b || u == 0x2d ||
         u == 0x2e || (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5a) ||
         (u >= 0x5e && u <= 0x7e);
}
bool is_token(std::string_view s);

// ASCII case-insensitive equality (base/ascii.hpp).
using base::iequals;

// SP or HTAB.
constexpr bool is_space(char c) { return c == ' ' || c == '\t'; }

// Splits on runs of SP / HTAB; no empty fields.
std::vector<std::string_view> split_fields(std::string_view value);

// 1*DIGIT no larger than `max`; nullopt otherwise (sign, space, overflow).
std::optional<std::uint64_t> parse_number(std::string_view digits, std::uint64_t max);

// typed-time = 1*DIGIT [fixed-len-time-unit] (RFC 8866 9; "d" "h" "m" "s"),
// in seconds; nullopt when malformed or over 2^63-1 seconds.
std::optional<std::uint64_t> parse_typed_time(std::string_view text);

// How an address reads (see AddressForm): an IPv4 literal (dotted quad), an
// IPv6 literal (RFC 4291 2.2 text forms, no brackets, no zone), an FQDN
// (letters, digits, '-' and '.', last label not all digits), else Other.
AddressForm address_form(std::string_view address);

std::optional<Origin> parse_origin(std::string_view value, std::string* error = nullptr);
std::optional<Connection> parse_connection(std::string_view value, std::string* error = nullptr);
std::optional<Bandwidth> parse_bandwidth(std::string_view value, std::string* error = nullptr);
// t=: two NTP times (the r= lines are added by the caller).
std::optional<TimeDescription> parse_timing(std::string_view value, std::string* error = nullptr);
std::optional<RepeatTimes> parse_repeat(std::string_view value, std::string* error = nullptr);
// z=: one or more <time> <["-"]typed-time> pairs.
std::optional<std::vector<TimeZoneAdjustment>> parse_zone_adjustments(std::string_view value,
                                                                      std::string* error = nullptr);
// a=: the name is trimmed of SP/HTAB (some senders write "a=sendrecv "), the
// value after ':' is kept as written.
std::optional<Attribute> parse_attribute(std::string_view value, std::string* error = nullptr);
// m=: the media line alone (the lines after it are the caller's).
std::optional<MediaDescription> parse_media(std::string_view value, std::string* error = nullptr);
// The value of an a=rtpmap attribute (RFC 8866 6.6).
std::optional<RtpMap> parse_rtpmap(std::string_view value);

}  // namespace parley::sdp
