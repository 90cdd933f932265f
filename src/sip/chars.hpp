// Character classes of the SIP grammar (RFC 3261 25.1), shared by every parser.
#pragma once

#include <cstddef>
#include <string_view>

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

// ASCII lower case (SIP's case-insensitive parts are ASCII: RFC 3261 7.3.1, 19.1.4);
// unlike std::tolower, independent of the locale and inlined.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (also declared in uri.hpp for its users).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace parley::sip
