// Checks shared by the fuzz targets (tests/fuzz/fuzz_*.cpp).
//
// A failed check prints what failed and calls abort(), which libFuzzer reports
// as a crash (and saves the input) and which fails a replay_<target> run. These
// are invariants of the parsers, not of the input: a target checks only what
// must hold for every input, valid or not.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace parley::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line,
                              std::string_view detail = {}) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

// Whether `part` lies inside `whole` (an empty view is anywhere). Parsers
// return views into the text they were given; one pointing elsewhere is a
// dangling or out-of-bounds view.
inline bool within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  auto p = reinterpret_cast<std::uintptr_t>(part.data());
  auto w = reinterpret_cast<std::uintptr_t>(whole.data());
  return p >= w && p + part.size() <= w + whole.size();
}

// The bytes of `s` with controls and non-ASCII escaped, for failure messages.
inline std::string printable(std::string_view s, std::size_t max = 400) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace parley::fuzz

// PARLEY_FUZZ_CHECK(cond) / PARLEY_FUZZ_CHECK_MSG(cond, detail): abort with the
// condition's text (and `detail`, a string) when `cond` is false.
#define PARLEY_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::parley::fuzz::fail(#cond, __FILE__, __LINE__))
#define PARLEY_FUZZ_CHECK_MSG(cond, detail) \
  ((cond) ? (void)0 : ::parley::fuzz::fail(#cond, __FILE__, __LINE__, (detail)))
