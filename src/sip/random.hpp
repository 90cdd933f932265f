// Unpredictable identifiers: Via branches (RFC 3261 8.1.1.7), tags (19.3: "globally
// unique and cryptographically random with at least 32 bits of randomness"), the
// random part of Digest nonces.
//
// The bytes come from the kernel's CSPRNG (getrandom(2)) read 4 KiB at a time
// into a per-thread buffer: one system call per few hundred identifiers instead
// of one each (and no lock in OpenSSL's generator). Thread-safe. Aborts if the
// kernel cannot supply randomness (nothing can be issued safely without it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace parley::sip {

// Fills `out` with random bytes.
void random_fill(std::span<std::uint8_t> out);

// 2 * `bytes` lower-case hex digits from `bytes` random bytes.
std::string random_hex(std::size_t bytes);

}  // namespace parley::sip
