// Parsing an SDP body (RFC 8866 5; RFC 4566 5) into a SessionDescription.
//
// Untrusted input never throws: parse() returns the description or a
// ParseError naming the first bad line. The result's views point into `text`
// (see session_description.hpp for the lifetime).
//
// What is accepted, beyond the letter of RFC 8866:
//  - lines end in CRLF or a bare LF (RFC 8866 5: parsers SHOULD accept LF);
//    the last line may lack its end; empty lines are skipped;
//  - fields of structured lines may be separated by several SP / HTAB;
//  - session-level lines (o s i u e p c b t r z k a) in any order after v=,
//    as long as they come before the first m= (r= after a t=); no t= at all;
//  - an empty session name ("s=", RFC 5118 4.8);
//  - lines of an unknown lowercase type letter, kept (RFC 8866 5 lets a
//    parser ignore them);
//  - an attribute name padded with SP / HTAB ("a=sendrecv ").
// What is rejected (each with its own reason):
//  - a first line other than v=0; a second v= (one description per body);
//  - no o= or no s=; two o=, s=, u=, session-level c=, or two i= or k= at one level;
//  - a line without '=' as its second character ("m =video", RFC 4475
//    3.1.1.8), a type that is not a lowercase letter, NUL or a bare CR;
//  - a session-only line (o s u e p t r z) after the first m=; r= before t=;
//  - a malformed value: see fields.hpp (bad port, m= without formats, c=
//    address not of its addrtype, ...);
//  - input over a Limits bound.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "sdp/session_description.hpp"

namespace parley::sdp {

struct ParseError {
  std::string reason;    // e.g. "Missing s= line", "Bad port in m= line"
  std::size_t line = 0;  // 1-based line of the input; 0 when the error is about
                         // the description as a whole (a missing line, size)
};

using ParseResult = std::variant<SessionDescription, ParseError>;

// Bounds on what one body may cost. SIP message limits already bound the
// body; these keep a description's own memory in proportion.
struct Limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_lines = 4096;  // counting empty ones
  std::size_t max_media = 128;   // m= lines
};

ParseResult parse(std::string_view text, const Limits& limits = {});
// The result would point into a temporary: keep the body alive, then parse it.
template <typename S>
  requires std::same_as<S, std::string>
ParseResult parse(S&& temporary, const Limits& limits = {}) = delete;

}  // namespace parley::sdp
