// Character classes of the SIP grammar (RFC 3261 25.1), shared by every parser.
#pragma once

#include "base/ascii.hpp"

namespace parley::sip {

// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`':
    case '\'': case '~':
      return true;
    default:
      return false;
  }
}

// Linear whitespace inside a header value: SP, HTAB, and the CR LF of folding.
constexpr bool is_lws_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// ASCII case folding (base/ascii.hpp), used throughout the SIP parsers.
using base::ascii_lower;
using base::iequals;

}  // namespace parley::sip
