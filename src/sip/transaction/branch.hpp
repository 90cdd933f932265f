// Via branch parameters (RFC 3261 8.1.1.7).
//
// A branch created by this stack starts with the magic cookie "z9hG4bK" so that
// other RFC 3261 elements use it as the transaction identifier (17.2.3), and
// carries 128 bits from the kernel's random source (sip/random.hpp), so it is unique across
// space and time and cannot be guessed by a third party. The proxy puts one in
// every Via it adds (RFC 3261 16.6 step 8); a UAC in every request it sends
// (except ACK for 2xx, which gets a new one too, and CANCEL, which copies the
// INVITE's branch, RFC 3261 9.1).
#pragma once

#include <string>
#include <string_view>

namespace parley::sip {

// RFC 3261 8.1.1.7.
inline constexpr std::string_view kBranchMagicCookie = "z9hG4bK";

// "z9hG4bK" followed by 32 lower-case hex digits (128 random bits).
// Thread-safe.
std::string make_branch();

// True when `branch` begins with the magic cookie (case-sensitive, as written
// in RFC 3261 8.1.1.7), i.e. it can be used for RFC 3261 17.2.3 matching.
inline bool is_rfc3261_branch(std::string_view branch) {
  return branch.substr(0, kBranchMagicCookie.size()) == kBranchMagicCookie;
}

}  // namespace parley::sip
