// Parsers for the value of each SDP line type (RFC 8866 5, 9).
#include "sdp/fields.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <limits>

namespace parley::sdp {
namespace {

constexpr std::uint64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max();

template <typename T>
std::optional<T> fail(std::string* error, const char* why) {
  if (error) *error = why;
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// inet_pton wants a NUL-terminated string; addresses longer than any literal
// are not literals.
bool is_literal(int family, std::string_view s) {
  std::array<char, 64> buf{};
  if (s.empty() || s.size() >= buf.size()) return false;
  std::memcpy(buf.data(), s.data(), s.size());
  unsigned char out[16];
  return inet_pton(family, buf.data(), out) == 1;
}

bool is_fqdn(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (s.back() == '.') s.remove_suffix(1);  // absolute form "example.com."
  std::size_t label_start = 0;
  bool last_label_alpha = false;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      auto label = s.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
      }
      last_label_alpha = false;
      for (char c : label) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) last_label_alpha = true;
      }
      label_start = i + 1;
      continue;
    }
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  // RFC 1123 2.1: a top-level label is never all digits, so "192.0.2" is not
  // a name.
  return last_label_alpha;
}

}  // namespace

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

std::vector<std::string_view> split_fields(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && is_space(value[i])) ++i;
    std::size_t start = i;
    while (i < value.size() && !is_space(value[i])) ++i;
    if (i > start) out.push_back(value.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint64_t> parse_number(std::string_view digits, std::uint64_t max) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<std::uint64_t> parse_typed_time(std::string_view text) {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd': unit = 86400; break;
      case 'h': unit = 3600; break;
      case 'm': unit = 60; break;
      case 's': unit = 1; break;
      default: unit = 0; break;
    }
    if (unit != 0) {
      text.remove_suffix(1);
    } else {
      unit = 1;
    }
  }
  auto n = parse_number(text, kMaxSeconds / unit);
  if (!n) return std::nullopt;
  return *n * unit;
}

AddressForm address_form(std::string_view address) {
  if (is_literal(AF_INET, address)) return AddressForm::IPv4;
  if (is_literal(AF_INET6, address)) return AddressForm::IPv6;
  if (is_fqdn(address)) return AddressForm::Fqdn;
  return AddressForm::Other;
}

// RFC 8866 5.2
std::optional<Origin> parse_origin(std::string_view value, std::string* error) {
  auto f = split_fields(value);
  if (f.size() != 6) return fail<Origin>(error, "Bad o= line (expected 6 fields)");
  return Origin{f[0], f[1], f[2], f[3], f[4], f[5]};
}

// RFC 8866 5.7
std::optional<Connection> parse_connection(std::string_view value, std::string* error) {
  auto f = split_fields(value);
  if (f.size() != 3) return fail<Connection>(error, "Bad c= line (expected 3 fields)");
  Connection c;
  c.nettype = f[0];
  c.addrtype = f[1];
  std::string_view addr = f[2];
  if (!c.is_ip4() && !c.is_ip6()) {
    c.address = addr;
    c.form = AddressForm::Other;
    return c;
  }
  auto slash = addr.find('/');
  c.address = addr.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view rest = addr.substr(slash + 1);
    std::string_view first = rest.substr(0, rest.find('/'));
    std::string_view second;
    bool has_second = first.size() < rest.size();
    if (has_second) second = rest.substr(first.size() + 1);
    if (c.is_ip4()) {
      auto ttl = parse_number(first, 255);
      if (!ttl) return fail<Connection>(error, "Bad TTL in c= line");
      c.ttl = static_cast<std::uint8_t>(*ttl);
      if (has_second) {
        auto n = parse_number(second, 0xffffffffu);
        if (!n || *n == 0) return fail<Connection>(error, "Bad address count in c= line");
        c.count = static_cast<std::uint32_t>(*n);
      }
    } else {
      if (has_second) return fail<Connection>(error, "Bad c= line (TTL given for IP6)");
      auto n = parse_number(first, 0xffffffffu);
      if (!n || *n == 0) return fail<Connection>(error, "Bad address count in c= line");
      c.count = static_cast<std::uint32_t>(*n);
    }
  }
  c.form = address_form(c.address);
  bool fits = c.form == AddressForm::Fqdn ||
              (c.is_ip4() ? c.form == AddressForm::IPv4 : c.form == AddressForm::IPv6);
  if (!fits) {
    return fail<Connection>(error, c.is_ip4() ? "Bad IP4 address in c= line"
                                              : "Bad IP6 address in c= line");
  }
  return c;
}

// RFC 8866 5.8
std::optional<Bandwidth> parse_bandwidth(std::string_view value, std::string* error) {
  value = trim(value);
  auto colon = value.find(':');
  if (colon == std::string_view::npos) return fail<Bandwidth>(error, "Bad b= line (no ':')");
  Bandwidth b;
  b.type = value.substr(0, colon);
  if (!is_token(b.type)) return fail<Bandwidth>(error, "Bad bandwidth type in b= line");
  auto n = parse_number(value.substr(colon + 1), std::numeric_limits<std::uint64_t>::max());
  if (!n) return fail<Bandwidth>(error, "Bad bandwidth in b= line");
  b.value = *n;
  return b;
}

// RFC 8866 5.9
std::optional<TimeDescription> parse_timing(std::string_view value, std::string* error) {
  auto f = split_fields(value);
  if (f.size() != 2) return fail<TimeDescription>(error, "Bad t= line (expected 2 fields)");
  auto start = parse_number(f[0], std::numeric_limits<std::uint64_t>::max());
  auto stop = parse_number(f[1], std::numeric_limits<std::uint64_t>::max());
  if (!start || !stop) return fail<TimeDescription>(error, "Bad time in t= line");
  TimeDescription t;
  t.start = *start;
  t.stop = *stop;
  return t;
}

// RFC 8866 5.10
std::optional<RepeatTimes> parse_repeat(std::string_view value, std::string* error) {
  auto f = split_fields(value);
  if (f.size() < 3) return fail<RepeatTimes>(error, "Bad r= line (expected 3 or more fields)");
  RepeatTimes r;
  auto interval = parse_typed_time(f[0]);
  auto duration = parse_typed_time(f[1]);
  if (!interval || !duration) return fail<RepeatTimes>(error, "Bad time in r= line");
  r.interval = *interval;
  r.duration = *duration;
  for (std::size_t i = 2; i < f.size(); ++i) {
    auto off = parse_typed_time(f[i]);
    if (!off) return fail<RepeatTimes>(error, "Bad time in r= line");
    r.offsets.push_back(*off);
  }
  return r;
}

// RFC 8866 5.11
std::optional<std::vector<TimeZoneAdjustment>> parse_zone_adjustments(std::string_view value,
                                                                      std::string* error) {
  using Result = std::vector<TimeZoneAdjustment>;
  auto f = split_fields(value);
  if (f.empty() || f.size() % 2 != 0) {
    return fail<Result>(error, "Bad z= line (expected time/offset pairs)");
  }
  Result out;
  for (std::size_t i = 0; i < f.size(); i += 2) {
    auto time = parse_number(f[i], std::numeric_limits<std::uint64_t>::max());
    std::string_view off_text = f[i + 1];
    bool negative = !off_text.empty() && off_text.front() == '-';
    if (negative) off_text.remove_prefix(1);
    auto off = parse_typed_time(off_text);
    if (!time || !off) return fail<Result>(error, "Bad time in z= line");
    auto seconds = static_cast<std::int64_t>(*off);
    out.push_back({*time, negative ? -seconds : seconds});
  }
  return out;
}

// RFC 8866 5.13
std::optional<Attribute> parse_attribute(std::string_view value, std::string* error) {
  Attribute a;
  auto colon = value.find(':');
  a.name = trim(value.substr(0, colon));
  if (colon != std::string_view::npos) {
    a.value = value.substr(colon + 1);
    a.has_value = true;
  }
  if (!is_token(a.name)) return fail<Attribute>(error, "Bad attribute name in a= line");
  return a;
}

// RFC 8866 5.14
std::optional<MediaDescription> parse_media(std::string_view value, std::string* error) {
  auto f = split_fields(value);
  if (f.size() == 3) return fail<MediaDescription>(error, "m= line without formats");
  if (f.size() < 3) return fail<MediaDescription>(error, "Bad m= line (too few fields)");
  MediaDescription m;
  m.media = f[0];
  if (!is_token(m.media)) return fail<MediaDescription>(error, "Bad media type in m= line");
  std::string_view port = f[1];
  auto slash = port.find('/');
  auto p = parse_number(port.substr(0, slash), 65535);
  if (!p) return fail<MediaDescription>(error, "Bad port in m= line");
  m.port = static_cast<std::uint16_t>(*p);
  if (slash != std::string_view::npos) {
    auto n = parse_number(port.substr(slash + 1), 65535);
    if (!n || *n == 0) return fail<MediaDescription>(error, "Bad port count in m= line");
    m.port_count = static_cast<std::uint32_t>(*n);
  }
  // proto = token *("/" token)
  m.proto = f[2];
  std::size_t start = 0;
  for (std::size_t i = 0; i <= m.proto.size(); ++i) {
    if (i == m.proto.size() || m.proto[i] == '/') {
      if (!is_token(m.proto.substr(start, i - start))) {
        return fail<MediaDescription>(error, "Bad protocol in m= line");
      }
      start = i + 1;
    }
  }
  m.formats.assign(f.begin() + 3, f.end());
  return m;
}

// RFC 8866 6.6
std::optional<RtpMap> parse_rtpmap(std::string_view value) {
  auto f = split_fields(value);
  if (f.size() != 2) return std::nullopt;
  RtpMap r;
  r.payload_type = f[0];
  std::string_view enc = f[1];
  auto slash = enc.find('/');
  r.encoding = enc.substr(0, slash);
  if (r.encoding.empty()) return std::nullopt;
  if (slash != std::string_view::npos) {
    std::string_view rest = enc.substr(slash + 1);
    auto slash2 = rest.find('/');
    auto rate = parse_number(rest.substr(0, slash2), 0xffffffffu);
    if (!rate) return std::nullopt;
    r.clock_rate = static_cast<std::uint32_t>(*rate);
    if (slash2 != std::string_view::npos) r.parameters = rest.substr(slash2 + 1);
  }
  return r;
}

}  // namespace parley::sdp
