#include "sip/uri.hpp"
#include "sip/chars.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace parley::sip {
namespace {


bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (ascii_lower(c) - 'a') + 10;
}


bool set_error(std::string* error, const char* what) {
  if (error) *error = what;
  return false;
}

// Checks that every '%' is followed by two hex digits.
bool escapes_ok(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    }
  }
  return true;
}

// hostname / IPv4address (RFC 3261 25.1); IPv6 references are checked apart.
bool valid_hostname(std::string_view h) {
  if (h.empty()) return false;
  for (char c : h) {
    if (!is_alnum(c) && c != '-' && c != '.') return false;
  }
  if (h.front() == '.' || h.front() == '-') return false;
  return true;
}

bool valid_ipv6_ref(std::string_view h) {
  // "[" IPv6address "]": hex digits, ':' and '.', at least two ':'.
  if (h.size() < 4 || h.front() != '[' || h.back() != ']') return false;
  std::string_view in = h.substr(1, h.size() - 2);
  int colons = 0;
  for (char c : in) {
    if (c == ':') {
      ++colons;
    } else if (!is_hex(c) && c != '.') {
      return false;
    }
  }
  return colons >= 2;
}

bool parse_port(std::string_view s, std::uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

bool valid_scheme(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// Finds the first top-level occurrence of `ch`, skipping quoted strings and,
// when `angles` is set, text inside <...>.
std::size_t find_top(std::string_view s, char ch, std::size_t from, bool angles) {
  bool quoted = false;
  int depth = 0;
  for (std::size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\' && i + 1 < s.size()) {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (angles && c == '<') {
      ++depth;
    } else if (angles && c == '>') {
      if (depth > 0) --depth;
    } else if (c == ch && depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_lws_char(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws_char(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> find_param(const Params& ps, std::string_view name) {
  for (const auto& p : ps) {
    if (iequals(p.name, name)) return p.value;
  }
  return std::nullopt;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) &&
        is_hex(s[i + 2])) {
      out.push_back(static_cast<char>(hex_val(s[i + 1]) * 16 + hex_val(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool parse_params(std::string_view text, Params& out) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != ';') return false;
    ++i;
    std::size_t end = find_top(text, ';', i, false);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = trim(text.substr(i, end - i));
    if (item.empty()) return false;
    Param p;
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      p.name = item;
    } else {
      p.name = trim(item.substr(0, eq));
      p.value = trim(item.substr(eq + 1));
      p.has_value = true;
      if (p.value.empty()) return false;
      if (p.value.front() == '"' && (p.value.size() < 2 || p.value.back() != '"')) return false;
    }
    if (p.name.empty()) return false;
    for (char c : p.name) {
      if (!is_token_char(c) && c != '[' && c != ']' && c != '/' && c != ':' && c != '&' &&
          c != '$')
        return false;
    }
    out.push_back(p);
    i = end;
  }
  return true;
}

bool Uri::is_sip() const { return iequals(scheme, "sip") || iequals(scheme, "sips"); }
bool Uri::is_sips() const { return iequals(scheme, "sips"); }

std::string Uri::host_lower() const {
  std::string_view h = host;
  if (h.size() >= 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
  std::string out(h);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return ascii_lower(c); });
  return out;
}

std::string Uri::aor() const {
  std::string out = unescape(user);
  out += '@';
  out += host_lower();
  return out;
}

std::optional<Uri> parse_uri(std::string_view text, std::string* error) {
  Uri u;
  u.text = text;
  if (text.empty()) return set_error(error, "Empty URI"), std::nullopt;
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"') {
      set_error(error, "Bad character in URI");
      return std::nullopt;
    }
  }
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || !valid_scheme(text.substr(0, colon))) {
    set_error(error, "Bad URI scheme");
    return std::nullopt;
  }
  u.scheme = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return set_error(error, "Empty URI"), std::nullopt;
  if (!u.is_sip()) return u;  // tel:, urn:, http: ... kept opaque

  // userinfo "@" (RFC 3261 19.1.1): the first '@' ends it; '@' may not appear
  // unescaped in host, params or headers.
  std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t pc = userinfo.find(':');
    if (pc != std::string_view::npos) {
      u.user = userinfo.substr(0, pc);
      u.password = userinfo.substr(pc + 1);
    } else {
      u.user = userinfo;
    }
    if (u.user.empty()) return set_error(error, "Empty user in URI"), std::nullopt;
    if (!escapes_ok(u.user) || !escapes_ok(u.password))
      return set_error(error, "Bad escape in URI user"), std::nullopt;
    rest = rest.substr(at + 1);
  }
  // hostport
  std::size_t host_end;
  if (!rest.empty() && rest.front() == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) return set_error(error, "Bad IPv6 reference"), std::nullopt;
    ++host_end;
    u.host = rest.substr(0, host_end);
    if (!valid_ipv6_ref(u.host)) return set_error(error, "Bad IPv6 reference"), std::nullopt;
  } else {
    host_end = rest.find_first_of(":;?");
    if (host_end == std::string_view::npos) host_end = rest.size();
    u.host = rest.substr(0, host_end);
    if (!valid_hostname(u.host)) return set_error(error, "Bad host in URI"), std::nullopt;
  }
  rest = rest.substr(host_end);
  if (!rest.empty() && rest.front() == ':') {
    std::size_t pe = rest.find_first_of(";?");
    if (pe == std::string_view::npos) pe = rest.size();
    if (!parse_port(rest.substr(1, pe - 1), u.port))
      return set_error(error, "Bad port in URI"), std::nullopt;
    rest = rest.substr(pe);
  }
  std::size_t q = rest.find('?');
  std::string_view params = rest.substr(0, q);
  if (q != std::string_view::npos) u.headers = rest.substr(q + 1);
  if (!params.empty()) {
    if (!parse_params(params, u.params)) return set_error(error, "Bad URI parameter"), std::nullopt;
    for (const auto& p : u.params) {
      if (!escapes_ok(p.name) || !escapes_ok(p.value))
        return set_error(error, "Bad escape in URI parameter"), std::nullopt;
    }
  }
  if (!escapes_ok(u.headers)) return set_error(error, "Bad escape in URI headers"), std::nullopt;
  return u;
}

bool uri_equal(const Uri& a, const Uri& b) {
  if (!a.is_sip() || !b.is_sip()) return a.text == b.text;
  if (!iequals(a.scheme, b.scheme)) return false;
  if (unescape(a.user) != unescape(b.user)) return false;
  if (unescape(a.password) != unescape(b.password)) return false;
  if (a.host_lower() != b.host_lower()) return false;
  if (a.port != b.port) return false;
  // user, ttl, method, maddr, transport must match if present in either.
  for (const char* name : {"user", "ttl", "method", "maddr", "transport"}) {
    auto pa = a.param(name);
    auto pb = b.param(name);
    if (pa.has_value() != pb.has_value()) return false;
    if (pa && !iequals(unescape(*pa), unescape(*pb))) return false;
  }
  // Other parameters present in both must match.
  // A name given twice counts by its first occurrence on both sides, so the
  // comparison stays symmetric and a URI equals itself.
  for (const auto& p : a.params) {
    auto mine = a.param(p.name);
    auto other = b.param(p.name);
    if (other && !iequals(unescape(*mine), unescape(*other))) return false;
  }
  return a.headers == b.headers;
}

std::vector<std::string_view> split_comma_list(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = find_top(value, ',', start, true);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = trim(value.substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::optional<NameAddr> parse_name_addr(std::string_view text, std::string* error) {
  NameAddr na;
  text = trim(text);
  na.text = text;
  if (text.empty()) return set_error(error, "Empty address"), std::nullopt;
  if (text == "*") {
    na.wildcard = true;
    return na;
  }
  std::string_view after;  // text after the URI, holding header parameters
  std::size_t pos = 0;
  if (text.front() == '"') {
    // quoted-string display name
    std::size_t i = 1;
    for (; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        ++i;
      } else if (text[i] == '"') {
        break;
      }
    }
    if (i >= text.size()) return set_error(error, "Unterminated display name"), std::nullopt;
    na.display_name = text.substr(1, i - 1);
    pos = i + 1;
    while (pos < text.size() && is_lws_char(text[pos])) ++pos;
    if (pos >= text.size() || text[pos] != '<')
      return set_error(error, "Missing <URI> after display name"), std::nullopt;
  }
  std::size_t lt = find_top(text, '<', pos, false);
  if (lt != std::string_view::npos) {
    if (na.display_name.empty() && lt > 0) {
      na.display_name = trim(text.substr(0, lt));
      for (char c : na.display_name) {
        if (!is_token_char(c) && !is_lws_char(c))
          return set_error(error, "Bad display name"), std::nullopt;
      }
    }
    std::size_t gt = text.find('>', lt);
    if (gt == std::string_view::npos) return set_error(error, "Missing >"), std::nullopt;
    std::string_view uri_text = text.substr(lt + 1, gt - lt - 1);
    auto uri = parse_uri(uri_text, error);
    if (!uri) return std::nullopt;
    na.uri = *uri;
    after = text.substr(gt + 1);
  } else {
    // addr-spec: URI ends at the first ';' (RFC 3261 20.10: parameters after an
    // addr-spec are header parameters).
    std::size_t semi = text.find(';');
    std::string_view uri_text = text.substr(0, semi);
    // RFC 3261 20.10: a URI with a comma, question mark or semicolon must be
    // in angle brackets; here the semicolon starts header parameters.
    if (uri_text.find_first_of("?,") != std::string_view::npos)
      return set_error(error, "URI with headers needs <>"), std::nullopt;
    auto uri = parse_uri(trim(uri_text), error);
    if (!uri) return std::nullopt;
    na.uri = *uri;
    after = semi == std::string_view::npos ? std::string_view{} : text.substr(semi);
  }
  after = trim(after);
  if (!after.empty() && !parse_params(after, na.params))
    return set_error(error, "Bad header parameter"), std::nullopt;
  return na;
}

}  // namespace parley::sip
