// Writing a SessionDescription as SDP text (RFC 8866 5).
//
// The output is canonical: lines in the order of RFC 8866 5 (v o s i u e p c
// b, t with its r lines, z k a, unknown lines, then each m= with i c b k a and
// its unknown lines), every line ended by CRLF, structured fields separated
// by one SP, times in plain seconds, numbers without leading zeros. Text
// values (s i u e p k, attribute values, unknown lines) are written as
// parsed. For any parsed description d, parse(to_string(d)) equals d. The
// text may be longer than what d was parsed from (CRLF for a bare LF, "86400"
// for "1d"), never more lines or m= sections: read it back with max_bytes of
// at least its size.
//
// The writer does not check its input: a value holding CR or LF, or an
// attribute name that is not a token, makes text that does not parse back.
#pragma once

#include <string>

#include "sdp/session_description.hpp"

namespace parley::sdp {

std::string to_string(const SessionDescription& sd);

// One c= value ("IN IP4 224.2.1.1/127/3"), without "c=" and CRLF.
std::string to_string(const Connection& c);

}  // namespace parley::sdp
