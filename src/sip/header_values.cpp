// Parsers for structured header values: Via (RFC 3261 20.42, RFC 3581) and
// CSeq (RFC 3261 20.16).
#include <cctype>
#include "sip/chars.hpp"

#include "sip/message.hpp"

namespace parley::sip {
namespace {



struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  void skip_ws() {
    while (i < s.size() && is_lws_char(s[i])) ++i;
  }
  bool eat(char c) {
    skip_ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string_view token() {
    skip_ws();
    std::size_t b = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    return s.substr(b, i - b);
  }
};

bool fail(std::string* error, const char* what) {
  if (error) *error = what;
  return false;
}

}  // namespace

std::optional<Via> parse_via(std::string_view value, std::string* error) {
  Via v;
  Cursor c{trim(value)};
  std::size_t proto_begin = c.i;
  std::string_view name = c.token();
  if (!iequals(name, "SIP") || !c.eat('/')) return fail(error, "Bad Via protocol"), std::nullopt;
  std::string_view version = c.token();
  if (version != "2.0" || !c.eat('/')) return fail(error, "Bad Via version"), std::nullopt;
  v.protocol = c.s.substr(proto_begin, c.i - proto_begin - 1);
  v.protocol = trim(v.protocol);
  v.transport = c.token();
  if (v.transport.empty()) return fail(error, "Bad Via transport"), std::nullopt;
  if (c.i >= c.s.size() || !is_lws_char(c.s[c.i])) return fail(error, "Bad Via sent-by"), std::nullopt;
  c.skip_ws();
  std::size_t hb = c.i;
  if (c.i < c.s.size() && c.s[c.i] == '[') {
    std::size_t e = c.s.find(']', c.i);
    if (e == std::string_view::npos) return fail(error, "Bad Via host"), std::nullopt;
    c.i = e + 1;
  } else {
    while (c.i < c.s.size() &&
           (std::isalnum(static_cast<unsigned char>(c.s[c.i])) || c.s[c.i] == '-' ||
            c.s[c.i] == '.'))
      ++c.i;
  }
  v.host = c.s.substr(hb, c.i - hb);
  if (v.host.empty()) return fail(error, "Bad Via host"), std::nullopt;
  if (c.eat(':')) {
    c.skip_ws();
    std::size_t pb = c.i;
    unsigned port = 0;
    while (c.i < c.s.size() && std::isdigit(static_cast<unsigned char>(c.s[c.i]))) {
      port = port * 10 + static_cast<unsigned>(c.s[c.i] - '0');
      if (port > 65535) return fail(error, "Bad Via port"), std::nullopt;
      ++c.i;
    }
    if (c.i == pb) return fail(error, "Bad Via port"), std::nullopt;
    v.port = static_cast<std::uint16_t>(port);
  }
  c.skip_ws();
  std::string_view rest = c.s.substr(c.i);
  if (!rest.empty() && !parse_params(rest, v.params)) return fail(error, "Bad Via parameter"), std::nullopt;
  return v;
}

std::optional<CSeq> parse_cseq(std::string_view value) {
  CSeq cs;
  value = trim(value);
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < value.size() && std::isdigit(static_cast<unsigned char>(value[i]))) {
    n = n * 10 + static_cast<unsigned>(value[i] - '0');
    if (n > 0xFFFFFFFFull) return std::nullopt;  // RFC 3261 8.1.1.5: < 2**32
    ++i;
  }
  if (i == 0 || i >= value.size() || !is_lws_char(value[i])) return std::nullopt;
  while (i < value.size() && is_lws_char(value[i])) ++i;
  std::size_t mb = i;
  while (i < value.size() && is_token_char(value[i])) ++i;
  if (i == mb || i != value.size()) return std::nullopt;
  cs.number = static_cast<std::uint32_t>(n);
  cs.method_text = value.substr(mb);
  cs.method = method_from(cs.method_text);
  return cs;
}

}  // namespace parley::sip
