// The server's [MS-SIPAE] NTLM security associations, driven by a client built
// from the NTLM primitives' client side (ntlm::build_authenticate) as
// pidgin-sipe runs it: offer, empty gssapi-data, CHALLENGE, AUTHENTICATE with
// a signed REGISTER, then signed messages both ways.
#include "sip/auth/security_associations.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace parley::sip::auth {
namespace {

constexpr FlowId kFlow = 7;
constexpr const char* kTarget = "fe.parley.test";

Message parse(const std::string& text) {
  ParseResult r = Message::parse(text);
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << e->reason;
    return Message{};
  }
  return std::get<Message>(std::move(r));
}

std::string request(const std::string& method, int cseq, const std::string& auth_line = "") {
  std::string m = method + " sip:parley.test SIP/2.0\r\n"
                  "Via: SIP/2.0/TLS 127.0.0.1:50000;branch=z9hG4bK" + std::to_string(cseq) + "\r\n"
                  "Max-Forwards: 70\r\n"
                  "From: <sip:alice@parley.test>;tag=6478227193;epid=f42ef11c2d1a\r\n"
                  "To: <sip:alice@parley.test>\r\n"
                  "Call-ID: A466g5CC3a112AiFC6Bm3652t8FE7bB29FxA754x\r\n"
                  "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
                  "Contact: <sip:127.0.0.1:50000;transport=tls>\r\n";
  if (!auth_line.empty()) m += "Authorization: " + auth_line + "\r\n";
  return m + "Content-Length: 0\r\n\r\n";
}

class SecurityAssociationsTest : public ::testing::Test {
 protected:
  SecurityAssociationsTest() : sas_(options(), clock_) {}
  static SecurityAssociationOptions options() {
    SecurityAssociationOptions o;
    o.targetname = kTarget;
    return o;
  }

  NtlmUserLookup lookup() {
    return [](std::string_view user, std::string_view domain) -> std::optional<NtlmUser> {
      if (user == "alice@parley.test" && domain.empty())
        return NtlmUser{"alice", "parley.test", *ntlm::nt_hash("secret")};
      return std::nullopt;
    };
  }

  sipae::Credentials base_credentials() const {
    sipae::Credentials c;
    c.qop = "auth";
    c.realm = std::string(sipae::kRealm);
    c.targetname = kTarget;
    c.version = 4;
    return c;
  }

  // Runs the handshake as the client; returns the last outcome. On success
  // client_keys_ and opaque_ are the client's view of the SA.
  SecurityAssociations::Outcome sign_in(const std::string& password, bool tamper = false) {
    sipae::Credentials first = base_credentials();
    first.has_gssapi_data = true;
    Message r2 = parse(request("REGISTER", 2, sipae::format_credentials(first)));
    auto o = sas_.handshake(r2, first, kFlow, lookup());
    EXPECT_EQ(o.step, SecurityAssociations::Step::Challenge) << o.reason;
    auto challenge = sipae::parse_challenge(o.header);
    EXPECT_TRUE(challenge);
    if (!challenge) return o;
    opaque_ = challenge->opaque;
    auto bytes = sipae::base64_decode(challenge->gssapi_data);
    EXPECT_TRUE(bytes);
    auto parsed = ntlm::parse_challenge(*bytes);
    EXPECT_TRUE(parsed);
    EXPECT_EQ(parsed->flags & ntlm::kConnectionlessChallengeFlags,
              ntlm::kConnectionlessChallengeFlags);

    ntlm::AuthenticateParams p;
    p.flags = parsed->flags & ~ntlm::kNegotiate56;
    p.user = "alice@parley.test";
    p.nt_hash = *ntlm::nt_hash(password);
    p.server_challenge = parsed->server_challenge;
    p.client_challenge = {1, 2, 3, 4, 5, 6, 7, 8};
    p.timestamp = 133'000'000'000'000'000ull;
    p.target_info = parsed->target_info;
    p.random_session_key = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    p.version = ntlm::Version{};
    auto authenticate = ntlm::build_authenticate(p);
    EXPECT_TRUE(authenticate);
    client_keys_ = *ntlm::derive_session_keys(p.random_session_key, p.flags);

    sipae::Credentials third = base_credentials();
    third.opaque = opaque_;
    third.has_gssapi_data = true;
    third.gssapi_data = sipae::base64_encode(*authenticate);
    third.crand = "1A2B3C4D";
    third.cnum = "1";
    Message unsigned_r3 = parse(request("REGISTER", 3));
    third.response = signature(unsigned_r3, third, tamper);
    Message r3 = parse(request("REGISTER", 3, sipae::format_credentials(third)));
    return sas_.handshake(r3, third, kFlow, lookup());
  }

  std::string signature(const Message& m, const sipae::Credentials& c, bool tamper = false) {
    std::string input = sipae::signature_input(m, sipae::signature_params(c, 4));
    auto sig = *ntlm::sign(client_keys_.client, sipae::kSequenceNumber, input);
    if (tamper) sig[6] ^= 0x01;
    return sipae::signature_hex(sig);
  }

  // A MESSAGE from the client over the SA, signed (or tampered with).
  Message signed_message(int cseq, bool tamper) {
    sipae::Credentials c = base_credentials();
    c.version = 0;
    c.opaque = opaque_;
    c.crand = "0F0E0D0C";
    c.cnum = std::to_string(cseq);
    c.response = signature(parse(request("MESSAGE", cseq)), c, tamper);
    return parse(request("MESSAGE", cseq, sipae::format_credentials(c)));
  }

  base::FakeTimerService clock_;
  SecurityAssociations sas_;
  ntlm::SessionKeys client_keys_;
  std::string opaque_;
};

TEST_F(SecurityAssociationsTest, OfferIsTheFirstChallengeOfMsSipae) {
  auto c = sipae::parse_challenge(sas_.offer());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->realm, "SIP Communications Service");
  EXPECT_EQ(c->targetname, kTarget);
  EXPECT_EQ(c->version, 4);
  EXPECT_TRUE(c->opaque.empty());
}

TEST_F(SecurityAssociationsTest, HandshakeThenSignaturesBothWays) {
  auto o = sign_in("secret");
  ASSERT_EQ(o.step, SecurityAssociations::Step::Established) << o.reason;
  EXPECT_EQ(o.username, "alice");
  EXPECT_EQ(o.domain, "parley.test");
  EXPECT_TRUE(sas_.has_association(kFlow));

  // The client's messages verify, and a flipped bit does not.
  auto good = sas_.verify(signed_message(4, false), kFlow);
  EXPECT_EQ(good.check, SecurityAssociations::Check::Valid);
  EXPECT_EQ(good.username, "alice");
  EXPECT_EQ(sas_.verify(signed_message(5, true), kFlow).check,
            SecurityAssociations::Check::Invalid);
  EXPECT_EQ(sas_.verify(parse(request("MESSAGE", 6)), kFlow).check,
            SecurityAssociations::Check::Unsigned);
  EXPECT_EQ(sas_.verify(signed_message(7, false), kFlow + 1).check,
            SecurityAssociations::Check::NoAssociation);
  // A signature over one message does not cover another (Call-ID, CSeq...).
  Message moved = signed_message(8, false);
  moved.set(HeaderId::CSeq, "9 MESSAGE");
  EXPECT_EQ(sas_.verify(moved, kFlow).check, SecurityAssociations::Check::Invalid);

  // What the server sends is signed with the server-to-client keys.
  Message ok = Message::make_response(signed_message(10, false), 200, {}, "srvtag");
  ASSERT_TRUE(sas_.sign(ok, kFlow));
  const Header* info = ok.find(HeaderId::AuthenticationInfo);
  ASSERT_NE(info, nullptr);
  auto ai = sipae::parse_authentication_info(info->value);
  ASSERT_TRUE(ai);
  EXPECT_EQ(ai->opaque, opaque_);
  EXPECT_EQ(ai->targetname, kTarget);
  auto sig = sipae::parse_signature_hex(ai->rspauth);
  ASSERT_TRUE(sig);
  std::string input = sipae::signature_input(ok, sipae::signature_params(*ai, 4));
  EXPECT_TRUE(ntlm::verify(client_keys_.server, sipae::kSequenceNumber, input, *sig));
  EXPECT_FALSE(ntlm::verify(client_keys_.client, sipae::kSequenceNumber, input, *sig));
  // Signing again replaces the header and counts snum up.
  ASSERT_TRUE(sas_.sign(ok, kFlow));
  EXPECT_EQ(ok.count(HeaderId::AuthenticationInfo), 1u);
  EXPECT_EQ(sipae::parse_authentication_info(ok.find(HeaderId::AuthenticationInfo)->value)->snum,
            "2");

  sas_.flow_closed(kFlow);
  EXPECT_FALSE(sas_.has_association(kFlow));
  EXPECT_EQ(sas_.verify(signed_message(11, false), kFlow).check,
            SecurityAssociations::Check::NoAssociation);
  EXPECT_FALSE(sas_.sign(ok, kFlow));
}

TEST_F(SecurityAssociationsTest, WrongPasswordIsRejected) {
  auto o = sign_in("not-the-password");
  EXPECT_EQ(o.step, SecurityAssociations::Step::Rejected);
  EXPECT_FALSE(sas_.has_association(kFlow));
}

TEST_F(SecurityAssociationsTest, BadSignatureOnTheRegisterIsRejected) {
  auto o = sign_in("secret", /*tamper=*/true);
  EXPECT_EQ(o.step, SecurityAssociations::Step::Rejected) << o.reason;
  EXPECT_FALSE(sas_.has_association(kFlow));
}

TEST_F(SecurityAssociationsTest, UnknownOrExpiredSaAndGarbageAreRefused) {
  sipae::Credentials c = base_credentials();
  c.opaque = "DEADBEEF";
  c.has_gssapi_data = true;
  c.gssapi_data = "TlRMTVNTUAADAAAA";
  Message r = parse(request("REGISTER", 3));
  EXPECT_EQ(sas_.handshake(r, c, kFlow, lookup()).step, SecurityAssociations::Step::Rejected);

  sipae::Credentials first = base_credentials();
  first.has_gssapi_data = true;
  auto ch = sas_.handshake(r, first, kFlow, lookup());
  ASSERT_EQ(ch.step, SecurityAssociations::Step::Challenge);
  c.opaque = sipae::parse_challenge(ch.header)->opaque;
  c.gssapi_data = "not base64!";
  EXPECT_EQ(sas_.handshake(r, c, kFlow, lookup()).step, SecurityAssociations::Step::Malformed);
  c.gssapi_data = "TlRMTVNTUAADAAAA";  // "NTLMSSP\0" type 3, truncated
  EXPECT_EQ(sas_.handshake(r, c, kFlow, lookup()).step, SecurityAssociations::Step::Malformed);

  clock_.advance(std::chrono::seconds(61));
  EXPECT_EQ(sas_.purge(), 1u);
  EXPECT_EQ(sas_.size(), 0u);
}

TEST_F(SecurityAssociationsTest, PendingHandshakesAreBounded) {
  SecurityAssociationOptions o = options();
  o.max_pending = 3;
  SecurityAssociations small(o, clock_);
  sipae::Credentials first = base_credentials();
  first.has_gssapi_data = true;
  Message r = parse(request("REGISTER", 2));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(small.handshake(r, first, kFlow, lookup()).step,
              SecurityAssociations::Step::Challenge);
  EXPECT_EQ(small.handshake(r, first, kFlow, lookup()).step, SecurityAssociations::Step::Rejected);
  clock_.advance(std::chrono::seconds(61));
  small.purge();
  EXPECT_EQ(small.handshake(r, first, kFlow, lookup()).step, SecurityAssociations::Step::Challenge);
}

}  // namespace
}  // namespace parley::sip::auth
