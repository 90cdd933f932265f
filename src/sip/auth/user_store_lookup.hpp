// Adapts a store::UserStore to the authenticator's Ha1Lookup: the user's
// domain is the Digest realm (store/user_store.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <cctype>

#include "sip/auth/digest_authenticator.hpp"
#include "sip/auth/security_associations.hpp"
#include "store/user_store.hpp"

namespace parley::sip::auth {

// `users` must outlive the returned function. The lookup blocks on the store.
inline Ha1Lookup user_store_lookup(store::UserStore& users) {
  return [&users](std::string_view username, std::string_view realm,
                  Algorithm algorithm) -> std::optional<std::string> {
    std::optional<store::User> u = users.find(username, realm);
    if (!u) return std::nullopt;
    std::string& ha1 = algorithm == Algorithm::Md5 ? u->ha1_md5 : u->ha1_sha256;
    if (ha1.empty()) return std::nullopt;
    return std::move(ha1);
  };
}

}  // namespace parley::sip::auth

namespace parley::sip::auth {

// Adapts a store::UserStore to the NTLM handshake's NtlmUserLookup
// (security_associations.hpp). An AUTHENTICATE_MESSAGE names its user one of
// two ways ([MS-NLMP] 2.2.1.3):
//   user "alice@parley.test", domain ""  (a user@domain logon)
//   user "alice", domain "PARLEY"        (DOMAIN\user: the NetBIOS name, which
//                                         is taken to be the first label of a
//                                         local domain, compared without case;
//                                         a DNS domain name is taken as it is)
// Users without an NT hash (added before it was kept) cannot use NTLM.
inline NtlmUserLookup ntlm_user_lookup(store::UserStore& users,
                                       std::vector<std::string> local_domains) {
  return [&users, local_domains = std::move(local_domains)](
             std::string_view user, std::string_view domain) -> std::optional<NtlmUser> {
    std::string name(user);
    std::string dom;
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    if (auto at = name.rfind('@'); domain.empty() && at != std::string::npos) {
      dom = lower(name.substr(at + 1));
      name.resize(at);
    } else if (domain.find('.') != std::string_view::npos) {
      dom = lower(std::string(domain));
    } else {
      std::string nb = lower(std::string(domain));
      for (const auto& d : local_domains) {
        std::string first = lower(d.substr(0, d.find('.')));
        if (nb.empty() || first == nb) {
          dom = lower(d);
          break;
        }
      }
    }
    if (dom.empty() || name.empty()) return std::nullopt;
    std::optional<store::User> u = users.find(name, dom);
    if (!u || u->nt_hash.empty()) return std::nullopt;
    auto key = ntlm::key_from_hex(u->nt_hash);
    if (!key) return std::nullopt;
    return NtlmUser{u->username, u->domain, *key};
  };
}

}  // namespace parley::sip::auth
