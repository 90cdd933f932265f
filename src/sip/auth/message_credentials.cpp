#include "sip/auth/message_credentials.hpp"

#include <optional>

#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {

CredentialsSelection select_credentials(const Message& request, std::string_view realm,
                                        bool proxy) {
  CredentialsSelection out;
  bool any_digest = false;
  const HeaderId id = proxy ? HeaderId::ProxyAuthorization : HeaderId::Authorization;
  for (const Header* h : request.find_all(id)) {
    DigestParse parsed = parse_digest_credentials(h->value);
    switch (parsed.status) {
      case CredentialsStatus::OtherScheme:
        continue;
      case CredentialsStatus::Ok:
        any_digest = true;
        if (parsed.credentials.realm == realm) {
          out.status = VerifyStatus::Ok;
          out.credentials = std::move(parsed.credentials);
          out.error.clear();
          return out;
        }
        continue;
      case CredentialsStatus::Malformed: {
        // Blame it on us only if it is Digest and names our realm (or its
        // realm cannot be read at all); keep looking for a good line.
        std::optional<AuthParams> params = parse_auth_params(h->value);
        if (params && !params->is("Digest")) continue;
        any_digest = true;
        const AuthParam* r = params ? params->find("realm") : nullptr;
        if (r == nullptr || r->value == realm) {
          out.status = VerifyStatus::Malformed;
          out.error = parsed.error;
        }
        continue;
      }
    }
  }
  if (out.status != VerifyStatus::Malformed) {
    out.status = any_digest ? VerifyStatus::WrongRealm : VerifyStatus::NoCredentials;
  }
  return out;
}

VerifyResult verify_request(DigestAuthenticator& authenticator, const Message& request,
                            std::string_view realm, bool proxy, const Ha1Lookup& lookup) {
  CredentialsSelection sel = select_credentials(request, realm, proxy);
  if (sel.status != VerifyStatus::Ok) {
    VerifyResult r;
    r.status = sel.status;
    r.reason = sel.error;
    return r;
  }
  return authenticator.verify(sel.credentials, request.method_text(), realm, lookup);
}

void add_challenge(Message& response, const DigestAuthenticator& authenticator,
                   std::string_view realm, bool stale, bool proxy) {
  const HeaderId id = proxy ? HeaderId::ProxyAuthenticate : HeaderId::WWWAuthenticate;
  for (const std::string& value : authenticator.challenge(realm, stale)) {
    response.push_back(id, value);
  }
}

}  // namespace parley::sip::auth
