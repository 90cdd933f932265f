// Per-message value checks for the torture corpora in tests/data/rfc4475 and
// tests/data/rfc5118: for each message that parse() must accept, the values the
// RFC points out, checked against what Message and the header parsers return.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"

namespace parley::sip::torture {

// A check runs gtest assertions on an accepted message.
using ValueCheck = void (*)(const Message&);

// Keyed by "<corpus>/<name>", e.g. "rfc4475/wsinv".
using CheckTable = std::map<std::string, ValueCheck>;
const CheckTable& rfc4475_checks();
const CheckTable& rfc5118_checks();

// Every Via value of the message, top first, parsed (a value that does not parse
// is a test failure and is left out).
inline std::vector<Via> all_vias(const Message& m) {
  std::vector<Via> out;
  for (const Header* h : m.find_all(HeaderId::Via)) {
    auto v = parse_via(h->value);
    EXPECT_TRUE(v.has_value()) << "Via does not parse: " << h->value;
    if (v) out.push_back(*v);
  }
  return out;
}

// Every Contact value, parsed.
inline std::vector<NameAddr> all_contacts(const Message& m) {
  std::vector<NameAddr> out;
  for (const Header* h : m.find_all(HeaderId::Contact)) {
    auto na = parse_name_addr(h->value);
    EXPECT_TRUE(na.has_value()) << "Contact does not parse: " << h->value;
    if (na) out.push_back(*na);
  }
  return out;
}

// `s` repeated `n` times: the RFC 4475 2.3 <repeat count=n>s</repeat> notation.
inline std::string rep(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The octets written as hex digit pairs: the RFC 4475 2.2 <hex>..</hex> notation.
inline std::string hex(std::string_view digits) {
  auto val = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<char>(val(digits[i]) * 16 + val(digits[i + 1])));
  return out;
}

// The parameter's value, or "<absent>" so that a missing parameter fails an EXPECT_EQ
// with a readable message.
inline std::string param_or_absent(const Params& ps, std::string_view name) {
  auto v = find_param(ps, name);
  return v ? std::string(*v) : std::string("<absent>");
}

// True when the parameter is present and written without "=value".
inline bool flag_param(const Params& ps, std::string_view name) {
  for (const auto& p : ps) {
    if (iequals(p.name, name)) return !p.has_value;
  }
  return false;
}

}  // namespace parley::sip::torture
