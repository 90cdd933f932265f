// The protocol column of the port catalogue, parsed.
//
// The seed documents write a row's protocol as free text: "TCP (TLS)", "HTTPS, TCP",
// "TCP/UDP", "DCOM, RPC", "TCP (TLS) and TCP (MTLS)", "UDP (STUN/MSTURN)". The
// catalogue keeps that text verbatim and derives a ProtocolSet from it: one flag per
// protocol token the text names. Words that are not protocol names ("and", "e") are
// ignored; the set says what the text says and nothing more (e.g. "HTTPS" does not
// also set Tcp).
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::topology {

enum class Protocol : std::uint32_t {
  Tcp = 1u << 0,
  Udp = 1u << 1,
  Tls = 1u << 2,
  Mtls = 1u << 3,
  Http = 1u << 4,
  Https = 1u << 5,
  Dcom = 1u << 6,
  Rpc = 1u << 7,
  Dhcp = 1u << 8,
  Psom = 1u << 9,
  Stun = 1u << 10,
  Msturn = 1u << 11,
  Sip = 1u << 12,
  Rtp = 1u << 13,
  Xmpp = 1u << 14,
};

class ProtocolSet {
 public:
  constexpr ProtocolSet() = default;
  constexpr explicit ProtocolSet(std::uint32_t bits) : bits_(bits) {}
  constexpr bool has(Protocol p) const { return (bits_ & static_cast<std::uint32_t>(p)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint32_t bits() const { return bits_; }
  constexpr ProtocolSet with(Protocol p) const {
    return ProtocolSet(bits_ | static_cast<std::uint32_t>(p));
  }
  friend constexpr bool operator==(ProtocolSet, ProtocolSet) = default;

 private:
  std::uint32_t bits_ = 0;
};

namespace detail {

constexpr char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

constexpr bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr std::uint32_t protocol_bit(std::string_view word) {
  struct Name {
    std::string_view text;
    Protocol p;
  };
  constexpr Name names[] = {
      {"TCP", Protocol::Tcp},   {"UDP", Protocol::Udp},   {"TLS", Protocol::Tls},
      {"MTLS", Protocol::Mtls}, {"HTTP", Protocol::Http}, {"HTTPS", Protocol::Https},
      {"DCOM", Protocol::Dcom}, {"RPC", Protocol::Rpc},   {"DHCP", Protocol::Dhcp},
      {"PSOM", Protocol::Psom}, {"STUN", Protocol::Stun}, {"MSTURN", Protocol::Msturn},
      {"SIP", Protocol::Sip},   {"RTP", Protocol::Rtp},   {"XMPP", Protocol::Xmpp},
  };
  for (const auto& n : names) {
    if (iequals(word, n.text)) return static_cast<std::uint32_t>(n.p);
  }
  return 0;
}

}  // namespace detail

// Splits `text` into alphanumeric words and sets the flag of each word that names a
// protocol (case-insensitive). Never fails: unknown words are skipped.
constexpr ProtocolSet parse_protocols(std::string_view text) {
  std::uint32_t bits = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !detail::is_word_char(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && detail::is_word_char(text[i])) ++i;
    if (i > start) bits |= detail::protocol_bit(text.substr(start, i - start));
  }
  return ProtocolSet(bits);
}

}  // namespace parley::topology
