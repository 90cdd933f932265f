#include "sip/auth/credentials.hpp"

#include <optional>

#include "sip/auth/digest.hpp"

namespace parley::sip::auth {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 8187 3.2.1 ext-value = charset "'" [ language ] "'" value-chars.
// Only UTF-8 is accepted (RFC 7616 3.4.4 requires it for username*).
std::optional<std::string> decode_ext_value(std::string_view v) {
  std::size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  std::size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  if (!iequals(v.substr(0, q1), "UTF-8")) return std::nullopt;
  std::string out;
  for (std::size_t i = q2 + 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == '%') {
      if (i + 2 >= v.size()) return std::nullopt;
      int hi = hex_value(v[i + 1]);
      int lo = hex_value(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '\'') {
      return std::nullopt;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

DigestParse malformed(DigestParse r, std::string why) {
  r.status = CredentialsStatus::Malformed;
  r.error = std::move(why);
  return r;
}

}  // namespace

DigestParse parse_digest_credentials(std::string_view value) {
  DigestParse r;
  std::string error;
  std::optional<AuthParams> parsed = parse_auth_params(value, &error);
  if (!parsed) return malformed(std::move(r), std::move(error));
  r.scheme = parsed->scheme;
  if (!parsed->is("Digest")) {
    r.status = CredentialsStatus::OtherScheme;
    return r;
  }
  if (!parsed->token68.empty()) return malformed(std::move(r), "Digest with token68");

  DigestCredentials& c = r.credentials;
  struct Field {
    std::string_view name;
    std::string* target;
    bool seen = false;
  };
  std::string username_star;
  std::string userhash;
  Field fields[] = {
      {"username", &c.username}, {"username*", &username_star}, {"realm", &c.realm},
      {"nonce", &c.nonce},       {"uri", &c.uri},               {"response", &c.response},
      {"algorithm", &c.algorithm}, {"cnonce", &c.cnonce},       {"opaque", &c.opaque},
      {"qop", &c.qop},           {"nc", &c.nc},                 {"userhash", &userhash},
  };
  std::vector<std::string_view> extension_names;
  for (auto& p : parsed->params) {
    Field* f = nullptr;
    for (auto& candidate : fields) {
      if (iequals(candidate.name, p.name)) {
        f = &candidate;
        break;
      }
    }
    if (f == nullptr) {
      for (auto n : extension_names) {
        if (iequals(n, p.name)) return malformed(std::move(r), "duplicate " + p.name);
      }
      extension_names.push_back(p.name);
      c.extensions.push_back(p);
      continue;
    }
    if (f->seen) return malformed(std::move(r), "duplicate " + std::string(f->name));
    f->seen = true;
    *f->target = p.value;
  }
  auto seen = [&](std::string_view name) {
    for (auto& f : fields) {
      if (f.name == name) return f.seen;
    }
    return false;
  };

  if (seen("username*")) {
    if (seen("username")) return malformed(std::move(r), "both username and username*");
    std::optional<std::string> u = decode_ext_value(username_star);
    if (!u) return malformed(std::move(r), "bad username*");
    c.username = std::move(*u);
  } else if (!seen("username")) {
    return malformed(std::move(r), "missing username");
  }
  for (std::string_view required : {"realm", "nonce", "uri", "response"}) {
    if (!seen(required)) return malformed(std::move(r), "missing " + std::string(required));
  }
  c.has_opaque = seen("opaque");
  if (seen("userhash")) {
    if (iequals(userhash, "true")) {
      c.userhash = true;
    } else if (!iequals(userhash, "false")) {
      return malformed(std::move(r), "bad userhash");
    }
  }
  if (seen("nc")) {
    // RFC 7616 3.4: nc-value = 8LHEX.
    if (!is_hex(c.nc, 8)) return malformed(std::move(r), "bad nc");
    std::uint32_t n = 0;
    for (char ch : c.nc) n = n * 16 + static_cast<std::uint32_t>(hex_value(ch));
    c.nonce_count = n;
  }
  if (seen("qop")) {
    if (c.qop.empty()) return malformed(std::move(r), "empty qop");
    if (!seen("cnonce")) return malformed(std::move(r), "qop without cnonce");
    if (!seen("nc")) return malformed(std::move(r), "qop without nc");
  }
  r.status = CredentialsStatus::Ok;
  return r;
}

}  // namespace parley::sip::auth
