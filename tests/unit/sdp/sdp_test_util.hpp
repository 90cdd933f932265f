// Helpers shared by the SDP unit tests: parse that must succeed or must fail.
#pragma once

#include <string_view>
#include <variant>

#include <gtest/gtest.h>

#include "sdp/parse.hpp"

namespace parley::sdp::test {

// The parsed description; fails the test (and returns an empty one) on error.
inline SessionDescription parse_ok(std::string_view text) {
  auto r = parse(text);
  if (auto* err = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "parse failed at line " << err->line << ": " << err->reason;
    return {};
  }
  return std::get<SessionDescription>(std::move(r));
}

// The error; fails the test (and returns an empty error) when the text parses.
inline ParseError parse_error(std::string_view text, const Limits& limits = {}) {
  auto r = parse(text, limits);
  if (auto* err = std::get_if<ParseError>(&r)) return *err;
  ADD_FAILURE() << "parsed, expected an error:\n" << text;
  return {};
}

}  // namespace parley::sdp::test
