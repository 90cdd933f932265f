// Digest authentication over whole SIP messages: finding the credentials for
// a realm in a request and adding challenges to a response (RFC 3261 22.2,
// 22.3, 22.4).
//
// A request may carry several Authorization (or Proxy-Authorization) headers:
// one per realm it was challenged for, and on Lync/OCS clients also NTLM,
// Kerberos or TLS-DSK lines ([MS-SIPAE] 3.2.5.2). The Digest one whose realm
// equals ours is used; other schemes and other realms are ignored.
#pragma once

#include <string>
#include <string_view>

#include "sip/auth/credentials.hpp"
#include "sip/auth/digest_authenticator.hpp"
#include "sip/message.hpp"

namespace parley::sip::auth {

struct CredentialsSelection {
  VerifyStatus status = VerifyStatus::NoCredentials;
  // Ok: `credentials` is the Digest line for the realm.
  // NoCredentials: no Digest credentials at all (other schemes are ignored).
  // WrongRealm: Digest credentials, but none for this realm.
  // Malformed: the Digest line for this realm (or a Digest line whose realm
  //            could not be read) did not parse; `error` says why.
  DigestCredentials credentials;
  std::string error;
};

// Authorization when `proxy` is false, Proxy-Authorization when true.
CredentialsSelection select_credentials(const Message& request, std::string_view realm,
                                        bool proxy);

// select_credentials() then DigestAuthenticator::verify() with the request's
// method. NoCredentials, WrongRealm and Malformed from the selection are
// returned as such.
VerifyResult verify_request(DigestAuthenticator& authenticator, const Message& request,
                            std::string_view realm, bool proxy, const Ha1Lookup& lookup);

// Adds one WWW-Authenticate (proxy=false) or Proxy-Authenticate (proxy=true)
// header per value of authenticator.challenge(realm, stale) to `response`
// (a 401 or 407).
void add_challenge(Message& response, const DigestAuthenticator& authenticator,
                   std::string_view realm, bool stale, bool proxy);

}  // namespace parley::sip::auth
