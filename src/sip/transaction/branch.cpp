#include "sip/transaction/branch.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <random>

namespace parley::sip {

namespace {

// Fills `out` from getrandom(2); falls back to std::random_device (which also
// reads the kernel's source on Linux) if the system call is unavailable.
void fill_random(std::array<std::uint8_t, 16>& out) {
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::getrandom(out.data() + got, out.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (got == out.size()) return;
  std::random_device rd;
  for (std::size_t i = got; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(rd());
}

}  // namespace

std::string make_branch() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<std::uint8_t, 16> bytes{};
  fill_random(bytes);
  std::string b(kBranchMagicCookie);
  b.reserve(kBranchMagicCookie.size() + 2 * bytes.size());
  for (auto byte : bytes) {
    b += kHex[byte >> 4];
    b += kHex[byte & 0x0f];
  }
  return b;
}

}  // namespace parley::sip
