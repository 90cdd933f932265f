#include "sip/auth/auth_params.hpp"

#include "sip/chars.hpp"

namespace parley::sip::auth {

namespace {

using parley::sip::is_token_char;

// RFC 7235 2.1: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_token68_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  std::size_t pos() const { return i_; }
  void set_pos(std::size_t p) { i_ = p; }
  std::string_view rest() const { return s_.substr(i_); }

  // Skips SP / HTAB and folded line breaks (CRLF or LF followed by WSP).
  // Returns false if a line break is not followed by whitespace (not LWS).
  bool skip_lws() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (is_wsp(c)) {
        ++i_;
      } else if (c == '\r' || c == '\n') {
        std::size_t j = i_;
        if (s_[j] == '\r') ++j;
        if (j < s_.size() && s_[j] == '\n') ++j;
        if (j >= s_.size() || !is_wsp(s_[j])) return false;
        i_ = j;
      } else {
        break;
      }
    }
    return true;
  }

  std::string_view token() {
    std::size_t start = i_;
    while (i_ < s_.size() && is_token_char(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }

  // At '"': reads a quoted-string into `out` (unescaped). Returns an error
  // reason or nullptr.
  const char* quoted_string(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return nullptr;
      }
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) return "unterminated quoted-string";
        char e = s_[i_ + 1];
        if (e == '\r' || e == '\n') return "bad quoted-pair";
        out.push_back(e);
        i_ += 2;
        continue;
      }
      if (c == '\r' || c == '\n') {
        // Folding: [*WSP] CRLF 1*WSP becomes a single SP.
        std::size_t j = i_;
        if (s_[j] == '\r') ++j;
        if (j < s_.size() && s_[j] == '\n') ++j;
        if (j >= s_.size() || !is_wsp(s_[j])) return "line break in quoted-string";
        while (!out.empty() && is_wsp(out.back())) out.pop_back();
        while (j < s_.size() && is_wsp(s_[j])) ++j;
        out.push_back(' ');
        i_ = j;
        continue;
      }
      // qdtext: WSP, %x21, %x23-5B, %x5D-7E, UTF8-NONASCII. No other controls.
      if ((c < 0x20 && c != '\t') || c == 0x7f) return "control character in quoted-string";
      out.push_back(static_cast<char>(c));
      ++i_;
    }
    return "unterminated quoted-string";
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::nullopt_t fail(std::string* error, const char* reason) {
  if (error != nullptr) *error = reason;
  return std::nullopt;
}

// Tries the token68 form at the cursor: token68 followed only by whitespace.
bool try_token68(Cursor& c, std::string& out) {
  std::size_t start = c.pos();
  std::string_view rest = c.rest();
  std::size_t n = 0;
  while (n < rest.size() && is_token68_char(rest[n])) ++n;
  if (n == 0) return false;
  while (n < rest.size() && rest[n] == '=') ++n;
  Cursor probe(rest.substr(n));
  if (!probe.skip_lws() || !probe.at_end()) {
    c.set_pos(start);
    return false;
  }
  out.assign(rest.substr(0, n));
  c.set_pos(start + rest.size());
  return true;
}

}  // namespace

const AuthParam* AuthParams::find(std::string_view name) const {
  for (const auto& p : params) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

bool AuthParams::is(std::string_view s) const { return iequals(scheme, s); }

std::optional<AuthParams> parse_auth_params(std::string_view value, std::string* error) {
  AuthParams out;
  Cursor c(value);
  if (!c.skip_lws()) return fail(error, "bad line folding");
  std::string_view scheme = c.token();
  if (scheme.empty()) return fail(error, "missing auth-scheme");
  out.scheme.assign(scheme);
  if (c.at_end()) return out;  // scheme alone (e.g. a bare "Negotiate")
  std::size_t before_lws = c.pos();
  if (!c.skip_lws()) return fail(error, "bad line folding");
  if (c.pos() == before_lws) return fail(error, "expected whitespace after auth-scheme");
  if (c.at_end()) return out;

  if (try_token68(c, out.token68)) return out;

  out.params.reserve(12);  // a Digest Authorization has 6 to 11; one allocation
  bool expect_param = true;  // after the scheme or a comma
  while (!c.at_end()) {
    if (c.peek() == ',') {
      // Empty list elements are allowed (RFC 7235 7); a comma ends a param.
      c.set_pos(c.pos() + 1);
      if (!c.skip_lws()) return fail(error, "bad line folding");
      expect_param = true;
      continue;
    }
    if (!expect_param) return fail(error, "expected ',' between auth-params");
    AuthParam p;
    std::string_view name = c.token();
    if (name.empty()) return fail(error, "expected auth-param name");
    p.name.assign(name);
    if (!c.skip_lws()) return fail(error, "bad line folding");
    if (c.at_end() || c.peek() != '=') return fail(error, "expected '=' after auth-param name");
    c.set_pos(c.pos() + 1);
    if (!c.skip_lws()) return fail(error, "bad line folding");
    if (c.at_end()) return fail(error, "missing auth-param value");
    if (c.peek() == '"') {
      if (const char* e = c.quoted_string(p.value)) return fail(error, e);
      p.quoted = true;
    } else {
      std::string_view v = c.token();
      if (v.empty()) return fail(error, "bad auth-param value");
      p.value.assign(v);
    }
    out.params.push_back(std::move(p));
    if (!c.skip_lws()) return fail(error, "bad line folding");
    expect_param = false;
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace parley::sip::auth
