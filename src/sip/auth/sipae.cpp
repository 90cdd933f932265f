#include "sip/auth/sipae.hpp"

#include "sip/auth/auth_params.hpp"
#include "sip/chars.hpp"

namespace parley::sip::auth::sipae {
namespace {

void element(std::string& out, std::string_view v) {
  out += '<';
  out += v;
  out += '>';
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

struct Identity {
  std::string_view sip;
  std::string_view tel;
};

// The SIP and tel URIs of a P-Asserted-Identity value (RFC 3325 9.1).
Identity asserted_identity(std::string_view value) {
  Identity id;
  value = trim(value);
  if (starts_with_icase(value, "tel:")) {
    id.tel = value;
    return id;
  }
  for (std::string_view element : split_comma_list(value)) {
    auto na = parse_name_addr(element);
    if (!na) continue;
    const Uri& uri = na->uri;
    if (uri.is_sip()) {
      if (id.sip.empty()) id.sip = uri.text;
    } else if (iequals(uri.scheme, "tel")) {
      if (id.tel.empty()) id.tel = uri.text;
    }
  }
  return id;
}

// Which parameters a header kind requires.
struct Required {
  std::string_view names[5];
};

std::optional<AuthParams> parse_ntlm(std::string_view value, const Required& required,
                                     std::string* error) {
  auto set = [&](std::string reason) {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  };
  auto params = parse_auth_params(value, error);
  if (!params) return std::nullopt;
  if (!params->is(kNtlm)) return set("not the NTLM scheme");
  for (std::string_view name : required.names) {
    if (!name.empty() && params->find(name) == nullptr) return set("missing " + std::string(name));
  }
  return params;
}

std::string param(const AuthParams& p, std::string_view name) {
  const AuthParam* a = p.find(name);
  return a != nullptr ? a->value : std::string();
}

// version: 1 to 3 digits; 0 when absent, -1 when malformed.
int version_of(const AuthParams& p) {
  const AuthParam* a = p.find("version");
  if (a == nullptr) return 0;
  if (a->value.empty() || a->value.size() > 3) return -1;
  int v = 0;
  for (char c : a->value) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

void add(std::string& out, std::string_view name, std::string_view value) {
  if (out.back() != ' ') out += ", ";
  out += name;
  out += '=';
  out += quote(value);
}

void add_version(std::string& out, int version) {
  if (version <= 0) return;
  out += ", version=";
  out += std::to_string(version);
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string signature_input(const sip::Message& m, const SignatureParams& p) {
  std::string out;
  out.reserve(256);
  for (std::string_view v : {p.protocol, p.rand, p.num, p.realm, p.targetname}) element(out, v);
  element(out, m.call_id());

  std::string_view number, method;
  if (const Header* cseq = m.find(HeaderId::CSeq)) {
    std::string_view v = trim(cseq->value);
    std::size_t sp = v.find_first_of(" \t");
    number = v.substr(0, sp);
    if (sp != std::string_view::npos) method = trim(v.substr(sp));
  }
  element(out, number);
  element(out, method);

  auto from = m.from();
  auto to = m.to();
  element(out, from ? from->uri.text : std::string_view{});
  element(out, from ? from->tag() : std::string_view{});
  if (p.version >= 3) element(out, to ? to->uri.text : std::string_view{});
  element(out, to ? to->tag() : std::string_view{});
  if (p.version >= 3) {
    const Header* pai = m.find("P-Asserted-Identity");
    if (pai == nullptr) pai = m.find("P-Preferred-Identity");
    Identity id = pai != nullptr ? asserted_identity(pai->value) : Identity{};
    element(out, id.sip);
    element(out, id.tel);
  }
  const Header* expires = m.find(HeaderId::Expires);
  element(out, expires != nullptr ? trim(expires->value) : std::string_view{});
  if (m.is_response()) element(out, std::to_string(m.status()));
  return out;
}

// ---- Header values ----------------------------------------------------------------

std::optional<Credentials> parse_credentials(std::string_view value, std::string* error) {
  auto p = parse_ntlm(value, Required{{"realm", "targetname"}}, error);
  if (!p) return std::nullopt;
  Credentials c;
  c.version = version_of(*p);
  if (c.version < 0) {
    if (error != nullptr) *error = "bad version";
    return std::nullopt;
  }
  c.qop = param(*p, "qop");
  c.realm = param(*p, "realm");
  c.opaque = param(*p, "opaque");
  c.targetname = param(*p, "targetname");
  c.has_gssapi_data = p->find("gssapi-data") != nullptr;
  c.gssapi_data = param(*p, "gssapi-data");
  c.crand = param(*p, "crand");
  c.cnum = param(*p, "cnum");
  c.response = param(*p, "response");
  return c;
}

std::string format_credentials(const Credentials& c) {
  std::string out = "NTLM ";
  add(out, "qop", c.qop.empty() ? std::string_view("auth") : c.qop);
  if (!c.opaque.empty()) add(out, "opaque", c.opaque);
  add(out, "realm", c.realm);
  add(out, "targetname", c.targetname);
  if (c.has_gssapi_data) add(out, "gssapi-data", c.gssapi_data);
  add_version(out, c.version);
  if (!c.response.empty()) {
    add(out, "crand", c.crand);
    add(out, "cnum", c.cnum);
    add(out, "response", c.response);
  }
  return out;
}

SignatureParams signature_params(const Credentials& c, int version) {
  return SignatureParams{kNtlm, c.crand, c.cnum, c.realm, c.targetname, version};
}

std::string format_challenge(const Challenge& c) {
  std::string out = "NTLM ";
  if (c.opaque.empty()) {
    add(out, "realm", c.realm);
    add(out, "targetname", c.targetname);
  } else {
    add(out, "opaque", c.opaque);
    add(out, "gssapi-data", c.gssapi_data);
    add(out, "targetname", c.targetname);
    add(out, "realm", c.realm);
  }
  add_version(out, c.version);
  return out;
}

std::optional<Challenge> parse_challenge(std::string_view value, std::string* error) {
  auto p = parse_ntlm(value, Required{{"realm", "targetname"}}, error);
  if (!p) return std::nullopt;
  Challenge c;
  c.version = version_of(*p);
  if (c.version < 0) {
    if (error != nullptr) *error = "bad version";
    return std::nullopt;
  }
  c.realm = param(*p, "realm");
  c.targetname = param(*p, "targetname");
  c.opaque = param(*p, "opaque");
  c.gssapi_data = param(*p, "gssapi-data");
  return c;
}

std::string format_authentication_info(const AuthenticationInfo& a) {
  std::string out = "NTLM ";
  add(out, "rspauth", a.rspauth);
  add(out, "srand", a.srand);
  add(out, "snum", a.snum);
  if (!a.opaque.empty()) add(out, "opaque", a.opaque);
  add(out, "qop", a.qop);
  add(out, "targetname", a.targetname);
  add(out, "realm", a.realm);
  add_version(out, a.version);
  return out;
}

std::optional<AuthenticationInfo> parse_authentication_info(std::string_view value,
                                                            std::string* error) {
  auto p = parse_ntlm(value, Required{{"rspauth", "srand", "snum", "realm", "targetname"}}, error);
  if (!p) return std::nullopt;
  AuthenticationInfo a;
  a.version = version_of(*p);
  if (a.version < 0) {
    if (error != nullptr) *error = "bad version";
    return std::nullopt;
  }
  a.rspauth = param(*p, "rspauth");
  a.srand = param(*p, "srand");
  a.snum = param(*p, "snum");
  a.opaque = param(*p, "opaque");
  a.qop = param(*p, "qop");
  a.targetname = param(*p, "targetname");
  a.realm = param(*p, "realm");
  return a;
}

SignatureParams signature_params(const AuthenticationInfo& a, int version) {
  return SignatureParams{kNtlm, a.srand, a.snum, a.realm, a.targetname, version};
}

// ---- Encodings -----------------------------------------------------------------------

std::string signature_hex(const ntlm::Signature& s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(32);
  for (std::uint8_t b : s) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

std::optional<ntlm::Signature> parse_signature_hex(std::string_view hex) {
  auto key = ntlm::key_from_hex(hex);  // 32 hex digits, either case
  if (!key) return std::nullopt;
  ntlm::Signature s{};
  std::copy(key->begin(), key->end(), s.begin());
  return s;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kBase64[(v >> shift) & 0x3F];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = bytes[i] << 16;
    if (rest == 2) v |= bytes[i + 1] << 8;
    out += kBase64[(v >> 18) & 0x3F];
    out += kBase64[(v >> 12) & 0x3F];
    out += rest == 2 ? kBase64[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k < 4 - static_cast<std::size_t>(pad)) {
        d = value(text[i + k]);
        if (d < 0) return std::nullopt;
      }
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    // RFC 4648 3.5: the bits a padded group leaves over must be zero, so one
    // byte string has one encoding.
    if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

}  // namespace parley::sip::auth::sipae
