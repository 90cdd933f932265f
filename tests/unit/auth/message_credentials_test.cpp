#include "sip/auth/message_credentials.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "base/timer.hpp"
#include "sip/auth/auth_params.hpp"

namespace parley::sip::auth {
namespace {

constexpr const char* kRealm = "parley.test";

Message parse(const std::string& text) {
  ParseResult r = Message::parse(text);
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << e->reason;
    return Message{};
  }
  return std::get<Message>(std::move(r));
}

std::string register_with(const std::vector<std::string>& auth_lines) {
  std::string m =
      "REGISTER sip:parley.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"
      "Max-Forwards: 70\r\n"
      "To: <sip:alice@parley.test>\r\n"
      "From: <sip:alice@parley.test>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
      "CSeq: 2 REGISTER\r\n"
      "Contact: <sip:alice@192.0.2.10>\r\n";
  for (const auto& l : auth_lines) m += l + "\r\n";
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

// Credentials text answering `challenge` for alice/wonderland.
std::string answer(const std::string& challenge, std::string_view method = "REGISTER",
                   std::uint32_t nc = 1) {
  auto p = parse_auth_params(challenge);
  Algorithm a = *parse_algorithm(p->find("algorithm")->value);
  std::string realm = p->find("realm")->value;
  std::string nonce = p->find("nonce")->value;
  char ncbuf[9];
  std::snprintf(ncbuf, sizeof ncbuf, "%08x", nc);
  std::string ha1 = digest_ha1(a, "alice", realm, "wonderland");
  std::string response = digest_response(a, ha1, nonce, ncbuf, "xyz", "auth",
                                         digest_ha2(a, method, "sip:parley.test"));
  return "Digest username=\"alice\", realm=" + quote(realm) + ", nonce=\"" + nonce +
         "\", uri=\"sip:parley.test\", response=\"" + response + "\", algorithm=" +
         std::string(algorithm_name(a)) + ", cnonce=\"xyz\", qop=auth, nc=" + ncbuf +
         ", opaque=\"" + p->find("opaque")->value + "\"";
}

class MessageCredentialsTest : public ::testing::Test {
 protected:
  DigestAuthenticator auth_{DigestOptions{}, [this] { return timers_.now(); }};
  Ha1Lookup lookup_ = [](std::string_view u, std::string_view r,
                         Algorithm a) -> std::optional<std::string> {
    if (u != "alice") return std::nullopt;
    return digest_ha1(a, u, r, "wonderland");
  };
  base::FakeTimerService timers_;
};

TEST_F(MessageCredentialsTest, NoAuthorizationHeader) {
  Message m = parse(register_with({}));
  EXPECT_EQ(select_credentials(m, kRealm, false).status, VerifyStatus::NoCredentials);
  EXPECT_EQ(verify_request(auth_, m, kRealm, false, lookup_).status, VerifyStatus::NoCredentials);
}

TEST_F(MessageCredentialsTest, PicksDigestForOurRealmAmongOthers) {
  std::string creds = answer(auth_.challenge(kRealm)[0]);
  Message m = parse(register_with({
      R"(Authorization: NTLM qop="auth", realm="SIP Communications Service", targetname="fe.contoso.com", gssapi-data="TlRMTVNTUAAB")",
      R"(Authorization: Digest username="alice", realm="elsewhere.test", nonce="n", uri="sip:parley.test", response="00")",
      "Authorization: " + creds,
      R"(Authorization: Kerberos qop="auth", realm="SIP Communications Service", gssapi-data="YIIF")",
  }));
  CredentialsSelection sel = select_credentials(m, kRealm, false);
  ASSERT_EQ(sel.status, VerifyStatus::Ok) << sel.error;
  EXPECT_EQ(sel.credentials.realm, kRealm);
  EXPECT_EQ(sel.credentials.username, "alice");
  VerifyResult r = verify_request(auth_, m, kRealm, false, lookup_);
  EXPECT_EQ(r.status, VerifyStatus::Ok) << r.reason;
  EXPECT_EQ(r.username, "alice");
  // Proxy-Authorization is a different header.
  EXPECT_EQ(select_credentials(m, kRealm, true).status, VerifyStatus::NoCredentials);
}

TEST_F(MessageCredentialsTest, OnlyOtherSchemesMeansNoCredentials) {
  Message m = parse(register_with({
      R"(Authorization: NTLM qop="auth", realm="SIP Communications Service", targetname="fe.contoso.com", gssapi-data="TlRMTVNTUAAB")",
      R"(Authorization: TLS-DSK qop="auth", realm="SIP Communications Service", targetname="fe.contoso.com", sspi-data="FgMB")",
  }));
  EXPECT_EQ(select_credentials(m, kRealm, false).status, VerifyStatus::NoCredentials);
}

TEST_F(MessageCredentialsTest, DigestForOtherRealmOnlyIsWrongRealm) {
  Message m = parse(register_with({
      R"(Authorization: Digest username="alice", realm="elsewhere.test", nonce="n", uri="sip:x", response="00")",
  }));
  EXPECT_EQ(select_credentials(m, kRealm, false).status, VerifyStatus::WrongRealm);
  EXPECT_EQ(verify_request(auth_, m, kRealm, false, lookup_).status, VerifyStatus::WrongRealm);
}

TEST_F(MessageCredentialsTest, MalformedDigestForOurRealm) {
  Message m = parse(register_with({
      R"(Authorization: Digest username="alice", realm="parley.test", realm="parley.test", nonce="n", uri="sip:x", response="00")",
  }));
  CredentialsSelection sel = select_credentials(m, kRealm, false);
  EXPECT_EQ(sel.status, VerifyStatus::Malformed);
  EXPECT_EQ(sel.error, "duplicate realm");
  VerifyResult r = verify_request(auth_, m, kRealm, false, lookup_);
  EXPECT_EQ(r.status, VerifyStatus::Malformed);
  EXPECT_EQ(r.reason, "duplicate realm");
}

TEST_F(MessageCredentialsTest, MalformedLineDoesNotHideAGoodOne) {
  std::string creds = answer(auth_.challenge(kRealm)[0]);
  Message m = parse(register_with({
      R"(Authorization: Digest username="alice", realm="parley.test", nonce="n")",
      "Authorization: " + creds,
  }));
  EXPECT_EQ(select_credentials(m, kRealm, false).status, VerifyStatus::Ok);
}

TEST_F(MessageCredentialsTest, ProxyAuthorizationWithFoldedLine) {
  std::string creds = answer(auth_.challenge(kRealm)[1]);  // MD5
  std::size_t comma = creds.find(", nonce=");
  creds.replace(comma, 2, ",\r\n  ");
  Message m = parse(register_with({"Proxy-Authorization: " + creds}));
  VerifyResult r = verify_request(auth_, m, kRealm, true, lookup_);
  EXPECT_EQ(r.status, VerifyStatus::Ok) << r.reason;
  EXPECT_EQ(r.algorithm, Algorithm::Md5);
}

TEST_F(MessageCredentialsTest, UsesTheRequestMethod) {
  // Credentials computed for INVITE do not pass on a REGISTER.
  std::string creds = answer(auth_.challenge(kRealm)[0], "INVITE");
  Message m = parse(register_with({"Authorization: " + creds}));
  EXPECT_EQ(verify_request(auth_, m, kRealm, false, lookup_).status, VerifyStatus::BadResponse);
}

TEST_F(MessageCredentialsTest, AddChallengeToResponse) {
  Message request = parse(register_with({}));
  Message r401 = Message::make_response(request, 401);
  add_challenge(r401, auth_, kRealm, false, false);
  auto www = r401.find_all(HeaderId::WWWAuthenticate);
  ASSERT_EQ(www.size(), 2u);
  EXPECT_EQ(parse_auth_params(www[0]->value)->find("algorithm")->value, "SHA-256");
  EXPECT_EQ(parse_auth_params(www[1]->value)->find("algorithm")->value, "MD5");
  EXPECT_EQ(r401.count(HeaderId::ProxyAuthenticate), 0u);

  Message r407 = Message::make_response(request, 407);
  add_challenge(r407, auth_, kRealm, true, true);
  auto proxy = r407.find_all(HeaderId::ProxyAuthenticate);
  ASSERT_EQ(proxy.size(), 2u);
  EXPECT_EQ(parse_auth_params(proxy[0]->value)->find("stale")->value, "true");

  // The wire form round-trips, and a client answer to it verifies.
  Message reparsed = parse(r401.serialize());
  auto again = reparsed.find_all(HeaderId::WWWAuthenticate);
  ASSERT_EQ(again.size(), 2u);
  Message retry = parse(register_with({"Authorization: " + answer(std::string(again[0]->value))}));
  EXPECT_EQ(verify_request(auth_, retry, kRealm, false, lookup_).status, VerifyStatus::Ok);
}

}  // namespace
}  // namespace parley::sip::auth
