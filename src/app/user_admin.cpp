#include "app/user_admin.hpp"

#include <algorithm>
#include <istream>

#include "sip/auth/digest.hpp"
#include "sip/auth/ntlm.hpp"

namespace parley::app {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 3261 25.1: unreserved = alphanum / mark; user-unreserved = & = + $ , ; ? /
bool is_user_char(char c) {
  static constexpr std::string_view kOther = "-_.!~*'()&=+$,;?/";
  return is_alnum(c) || kOther.find(c) != std::string_view::npos;
}

bool is_host(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.back() == '.' || h.front() == '-') {
    return false;
  }
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; });
}

}  // namespace

std::optional<AorArg> parse_aor(std::string_view text) {
  if (text.size() >= 4 && (text.substr(0, 4) == "sip:" || text.substr(0, 4) == "SIP:")) {
    text.remove_prefix(4);
  }
  auto at = text.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view user = text.substr(0, at);
  std::string_view host = text.substr(at + 1);
  if (user.empty() || !std::all_of(user.begin(), user.end(), is_user_char)) return std::nullopt;
  if (!is_host(host)) return std::nullopt;
  AorArg aor;
  aor.username = std::string(user);
  aor.domain.reserve(host.size());
  for (char c : host) aor.domain += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  return aor;
}

store::User make_user(const AorArg& aor, std::string_view display_name, std::string_view password) {
  using sip::auth::Algorithm;
  store::User u;
  u.username = aor.username;
  u.domain = aor.domain;
  u.display_name = std::string(display_name);
  u.ha1_md5 = sip::auth::digest_ha1(Algorithm::Md5, aor.username, aor.domain, password);
  u.ha1_sha256 = sip::auth::digest_ha1(Algorithm::Sha256, aor.username, aor.domain, password);
  // Left empty when MD4 is unavailable or the password is not UTF-8: the user
  // then cannot sign in with NTLM, only with Digest.
  if (auto nt = sip::auth::ntlm::nt_hash(password)) u.nt_hash = sip::auth::ntlm::to_hex(*nt);
  return u;
}

std::optional<std::string> read_password(std::string_view arg, std::istream& in) {
  std::string password;
  if (arg == "-") {
    if (!std::getline(in, password)) return std::nullopt;
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = std::string(arg);
  }
  if (password.empty()) return std::nullopt;
  return password;
}

}  // namespace parley::app
