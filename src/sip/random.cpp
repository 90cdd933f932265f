#include "sip/random.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace parley::sip {
namespace {

struct Pool {
  std::array<std::uint8_t, 4096> bytes{};
  std::size_t used = bytes.size();  // empty until the first refill

  void refill() {
    std::size_t got = 0;
    while (got < bytes.size()) {
      ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        std::abort();
      }
    }
    used = 0;
  }
};

}  // namespace

void random_fill(std::span<std::uint8_t> out) {
  thread_local Pool pool;
  std::size_t done = 0;
  while (done < out.size()) {
    if (pool.used == pool.bytes.size()) pool.refill();
    std::size_t n = std::min(out.size() - done, pool.bytes.size() - pool.used);
    std::memcpy(out.data() + done, pool.bytes.data() + pool.used, n);
    // Bytes handed out are wiped from the pool, so they are never given twice.
    std::memset(pool.bytes.data() + pool.used, 0, n);
    pool.used += n;
    done += n;
  }
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint8_t buf[64];
  std::string out;
  out.reserve(2 * bytes);
  while (bytes > 0) {
    std::size_t n = std::min(bytes, sizeof buf);
    random_fill(std::span<std::uint8_t>(buf, n));
    for (std::size_t i = 0; i < n; ++i) {
      out += kHex[buf[i] >> 4];
      out += kHex[buf[i] & 0x0f];
    }
    bytes -= n;
  }
  return out;
}

}  // namespace parley::sip
