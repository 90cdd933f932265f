// ASCII case folding for protocol text. SIP's case-insensitive parts (RFC 3261
// 7.3.1, 19.1.4; Digest parameters, RFC 7616 3.4) and SDP's address types
// (RFC 8866 5.7) are ASCII: unlike std::tolower these ignore the locale and
// inline. Header-only, usable by every module.
#pragma once

#include <cstddef>
#include <string_view>

namespace parley::base {

// 'A'-'Z' to 'a'-'z'; every other byte unchanged.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Equal ignoring ASCII case (bytes >= 0x80 compare exactly).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace parley::base
