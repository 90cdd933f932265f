// Adapts a store::UserStore to the authenticator's Ha1Lookup: the user's
// domain is the Digest realm (store/user_store.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sip/auth/digest_authenticator.hpp"
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
