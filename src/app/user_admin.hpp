// The pieces of `parley user ...` that are not command-line parsing.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "store/user_store.hpp"

namespace parley::app {

// An address-of-record named on the command line.
struct AorArg {
  std::string username;  // as given (the user part is case-sensitive)
  std::string domain;    // lower-cased
};

// Parses "alice@parley.test" or "sip:alice@parley.test". The user part must be
// non-empty and made of RFC 3261 25.1 `user` characters (unreserved and
// user-unreserved; no escapes); the domain a host name. nullopt otherwise.
std::optional<AorArg> parse_aor(std::string_view text);

// A user with both HA1 values (RFC 7616 3.4.2) computed from `password`, the
// realm being the domain, and its NT hash ([MS-NLMP] 3.3.1, for NTLM; empty if
// MD4 is unavailable or the password is not valid UTF-8). The password itself
// is not kept.
store::User make_user(const AorArg& aor, std::string_view display_name, std::string_view password);

// The password given as an argument, or, when `arg` is "-", the first line of
// `in` without its line ending. nullopt when empty or when stdin has no line.
std::optional<std::string> read_password(std::string_view arg, std::istream& in);

}  // namespace parley::app
