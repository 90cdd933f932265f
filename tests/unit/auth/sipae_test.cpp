#include "sip/auth/sipae.hpp"

#include <gtest/gtest.h>

namespace parley::sip::auth::sipae {
namespace {

sip::Message parse(const std::string& s) {
  auto r = sip::Message::parse(s);
  EXPECT_TRUE(std::holds_alternative<sip::Message>(r)) << std::get<sip::ParseError>(r).reason;
  return std::get<sip::Message>(r);
}

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// ---- A real exchange: Office Communicator 2007 R2 and OCS 2007 R2 ----------------------
// The REGISTER that carried the AUTHENTICATE_MESSAGE and its 200 OK, with the
// strings both sides signed and their signatures, as captured and published in
// pidgin-sipe's sip-sec-ntlm-tests.c. User "User", domain "COSMO", password
// "Pa$$word", server challenge DD1BAAF4E7E218D1.

const std::string kOcsRequest =
    "REGISTER sip:cosmo.local SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 192.168.172.6:12723\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:user@cosmo.local>;tag=3e49177a52;epid=c8ca638a15\r\n"
    "To: <sip:user@cosmo.local>\r\n"
    "Call-ID: 4037df9284354df39065195bd57a4b14\r\n"
    "CSeq: 3 REGISTER\r\n"
    "Contact: <sip:192.168.172.6:12723;transport=tls;ms-opaque=fad3dfab32>;methods=\"INVITE, "
    "MESSAGE, INFO, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, "
    "BENOTIFY\";proxy=replace;+sip.instance=\"<urn:uuid:34D859DB-6585-5F91-A3B4-DE853C15347D>\"\r\n"
    "User-Agent: UCCAPI/3.5.6907.0 OC/3.5.6907.0 (Microsoft Office Communicator 2007 R2)\r\n"
    "Supported: gruu-10, adhoclist, msrtc-event-categories\r\n"
    "Supported: ms-forking\r\n"
    "ms-keep-alive: UAC;hop-hop=yes\r\n"
    "Event: registration\r\n"
    "Proxy-Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\", "
    "opaque=\"2BDBAC9D\", targetname=\"cosmo-ocs-r2.cosmo.local\", version=4, "
    "gssapi-data=\"TlRMTVNTUAADAAAAGAAYAHIAAADGAMYAigAAAAoACgBIAAAACAAIAFIAAAAYABgAWgAAABAAEABQAQ"
    "AAVYKYYgUCzg4AAAAPQwBPAFMATQBPAFUAcwBlAHIAQwBPAFMATQBPAC0ATwBDAFMALQBSADIAoeku/k4Hi/"
    "fFwASazGFmwtauh1yw/apBjcDIAK527KYG0rn769BHMQEBAAAAAAAAWVGaFye5ygHWrodcsP2qQQAAAAACAAoAQwBP"
    "AFMATQBPAAEAGABDAE8AUwBNAE8ALQBPAEMAUwAtAFIAMgAEABYAYwBvAHMAbQBvAC4AbABvAGMAYQBsAAMAMABjAG8"
    "AcwBtAG8ALQBvAGMAcwAtAHIAMgAuAGMAbwBzAG0AbwAuAGwAbwBjAGEAbAAFABYAYwBvAHMAbQBvAC4AbABvAGMAYQB"
    "sAAAAAAAAAAAAMctznhyoCkmFkeiueXEV5A==\", crand=\"13317733\", cnum=\"1\", "
    "response=\"0100000029618e9651b65a7764000000\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
const std::string kOcsRequestSigned =
    "<NTLM><13317733><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local>"
    "<4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52>"
    "<sip:user@cosmo.local><><><><>";

const std::string kOcsResponse =
    "SIP/2.0 200 OK\r\n"
    "ms-keep-alive: UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300\r\n"
    "Authentication-Info: NTLM rspauth=\"01000000E615438A917661BE64000000\", "
    "srand=\"9616454F\", snum=\"1\", opaque=\"2BDBAC9D\", qop=\"auth\", "
    "targetname=\"cosmo-ocs-r2.cosmo.local\", realm=\"SIP Communications Service\"\r\n"
    "From: \"User\"<sip:user@cosmo.local>;tag=3e49177a52;epid=c8ca638a15\r\n"
    "To: <sip:user@cosmo.local>;tag=5E61CCD925D17E043D9A74835A88F664\r\n"
    "Call-ID: 4037df9284354df39065195bd57a4b14\r\n"
    "CSeq: 3 REGISTER\r\n"
    "Via: SIP/2.0/TLS 192.168.172.6:12723;ms-received-port=12723;ms-received-cid=2600\r\n"
    "Contact: <sip:192.168.172.6:12723;transport=tls;ms-opaque=fad3dfab32;ms-received-cid=2600>;"
    "expires=7200;+sip.instance=\"<urn:uuid:34d859db-6585-5f91-a3b4-de853c15347d>\";gruu=\"sip:"
    "user@cosmo.local;opaque=user:epid:21nYNIVlkV-jtN6FPBU0fQAA;gruu\"\r\n"
    "Expires: 7200\r\n"
    "presence-state: register-action=\"added\"\r\n"
    "Server: RTC/3.5\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
const std::string kOcsResponseSigned =
    "<NTLM><9616454F><1><SIP Communications Service><cosmo-ocs-r2.cosmo.local>"
    "<4037df9284354df39065195bd57a4b14><3><REGISTER><sip:user@cosmo.local><3e49177a52>"
    "<sip:user@cosmo.local><5E61CCD925D17E043D9A74835A88F664><><><7200><200>";

const ntlm::ServerChallenge kOcsServerChallenge = {0xDD, 0x1B, 0xAA, 0xF4, 0xE7, 0xE2, 0x18, 0xD1};

TEST(SipaeOcs2007R2, ClientRequestSignatureVerifies) {
  sip::Message m = parse(kOcsRequest);
  const Header* h = m.find(HeaderId::ProxyAuthorization);
  ASSERT_NE(h, nullptr);
  auto c = parse_credentials(h->value);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->realm, kRealm);
  EXPECT_EQ(c->opaque, "2BDBAC9D");
  EXPECT_EQ(c->targetname, "cosmo-ocs-r2.cosmo.local");
  EXPECT_EQ(c->version, 4);
  EXPECT_EQ(c->crand, "13317733");
  EXPECT_EQ(c->cnum, "1");
  EXPECT_EQ(c->response, "0100000029618e9651b65a7764000000");
  ASSERT_TRUE(c->has_gssapi_data);

  const std::string input = signature_input(m, signature_params(*c, c->version));
  EXPECT_EQ(input, kOcsRequestSigned);

  auto type3 = base64_decode(c->gssapi_data);
  ASSERT_TRUE(type3.has_value());
  auto auth = ntlm::parse_authenticate(*type3);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->user, "User");
  EXPECT_EQ(auth->domain, "COSMO");
  auto session = ntlm::verify_ntlmv2(*auth, ntlm::nt_hash("Pa$$word").value(), kOcsServerChallenge);
  ASSERT_TRUE(session.ok()) << ntlm::to_string(session.error());
  auto keys = ntlm::derive_session_keys(session->exported_session_key, auth->flags).value();

  auto sig = parse_signature_hex(c->response);
  ASSERT_TRUE(sig.has_value());
  EXPECT_TRUE(ntlm::verify(keys.client, kSequenceNumber, input, *sig));
  // What Parley would compute for it, in its own (upper) case.
  EXPECT_EQ(signature_hex(ntlm::sign(keys.client, kSequenceNumber, input).value()),
            "0100000029618E9651B65A7764000000");

  // The server's 200 OK: Parley, holding the same SA, produces OCS's rspauth.
  sip::Message ok = parse(kOcsResponse);
  auto info = parse_authentication_info(ok.find(HeaderId::AuthenticationInfo)->value);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->srand, "9616454F");
  EXPECT_EQ(info->snum, "1");
  EXPECT_EQ(info->opaque, "2BDBAC9D");
  EXPECT_EQ(info->qop, "auth");
  EXPECT_EQ(info->version, 0);
  const std::string ok_input = signature_input(ok, signature_params(*info, 4));
  EXPECT_EQ(ok_input, kOcsResponseSigned);
  EXPECT_EQ(signature_hex(ntlm::sign(keys.server, kSequenceNumber, ok_input).value()),
            info->rspauth);
}

// [MS-SIP] 3.1.4.2 (protocol version 2): no To URI and no P-Asserted-Identity
// elements. The message and string are from OCS 2007, as published in
// pidgin-sipe's sip-sec-ntlm-tests.c.
TEST(SipaeSignatureInput, Version2LeavesOutToUriAndIdentity) {
  sip::Message m = parse(
      "SIP/2.0 200 OK\r\n"
      "Authentication-Info: NTLM rspauth=\"0100000000000000BF2E52667DDF6DED\", "
      "srand=\"0878F41B\", snum=\"1\", opaque=\"4452DFB0\", qop=\"auth\", "
      "targetname=\"ocs1.ocs.provo.novell.com\", realm=\"SIP Communications Service\"\r\n"
      "From: \"Gabriel Burt\"<sip:gabriel@ocs.provo.novell.com>;tag=2947328781;epid=1234567890\r\n"
      "To: <sip:gabriel@ocs.provo.novell.com>;tag=B816D65C2300A32CFA6D371F2AF537FD\r\n"
      "Call-ID: 8592g5DCBa1694i5887m0D0Bt2247b3F38xAE9Fx\r\n"
      "CSeq: 3 REGISTER\r\n"
      "Via: SIP/2.0/TLS 164.99.194.49:10409;branch=z9hG4bKE0E37DBAF252C3255BAD;"
      "received=164.99.195.20;ms-received-port=10409;ms-received-cid=1E00\r\n"
      "Expires: 900\r\n"
      "Content-Length: 0\r\n\r\n");
  auto info = parse_authentication_info(m.find(HeaderId::AuthenticationInfo)->value);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(signature_input(m, signature_params(*info, 2)),
            "<NTLM><0878F41B><1><SIP Communications Service><ocs1.ocs.provo.novell.com>"
            "<8592g5DCBa1694i5887m0D0Bt2247b3F38xAE9Fx><3><REGISTER>"
            "<sip:gabriel@ocs.provo.novell.com><2947328781><B816D65C2300A32CFA6D371F2AF537FD>"
            "<900><200>");
}

// ---- signature_input element rules --------------------------------------------------

TEST(SipaeSignatureInput, RequestWithIdentityAndAddrSpec) {
  sip::Message m = parse(
      "MESSAGE sip:bob@parley.test SIP/2.0\r\n"
      "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
      "From: Alice <sip:alice@parley.test;transport=tls>;tag=AbC;epid=1\r\n"
      "To: sip:bob@parley.test;tag=x1\r\n"
      "Call-ID: c1@host\r\n"
      "CSeq: 0042  MESSAGE\r\n"
      "P-Asserted-Identity: \"Alice\" <sip:alice@parley.test>, <tel:+15551234>\r\n"
      "Content-Length: 0\r\n\r\n");
  SignatureParams p{kNtlm, "1a2b3c4d", "7", kRealm, "fe.parley.test", 4};
  // Requests have no status element; CSeq number as written; the URI inside <>
  // keeps its parameters; an addr-spec's parameters are header parameters.
  EXPECT_EQ(signature_input(m, p),
            "<NTLM><1a2b3c4d><7><SIP Communications Service><fe.parley.test><c1@host><0042>"
            "<MESSAGE><sip:alice@parley.test;transport=tls><AbC><sip:bob@parley.test><x1>"
            "<sip:alice@parley.test><tel:+15551234><>");
}

TEST(SipaeSignatureInput, TelOnlyIdentityAndPreferredIdentity) {
  SignatureParams p{kNtlm, "r", "1", kRealm, "t", 4};
  sip::Message tel = parse(
      "SIP/2.0 180 Ringing\r\n"
      "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
      "From: <sip:a@p.test>;tag=1\r\nTo: <sip:b@p.test>;tag=2\r\n"
      "Call-ID: c\r\nCSeq: 1 INVITE\r\n"
      "P-Asserted-Identity: tel:+15551234\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(signature_input(tel, p),
            "<NTLM><r><1><SIP Communications Service><t><c><1><INVITE><sip:a@p.test><1>"
            "<sip:b@p.test><2><><tel:+15551234><><180>");
  sip::Message ppi = parse(
      "BYE sip:b@p.test SIP/2.0\r\n"
      "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
      "From: <sip:a@p.test>;tag=1\r\nTo: <sip:b@p.test>\r\n"
      "Call-ID: c\r\nCSeq: 2 BYE\r\nExpires: 0\r\n"
      "P-Preferred-Identity: <sip:a@p.test>\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(signature_input(ppi, p),
            "<NTLM><r><1><SIP Communications Service><t><c><2><BYE><sip:a@p.test><1>"
            "<sip:b@p.test><><sip:a@p.test><><0>");
}

// [MS-SIPAE] 4.1 step 2: the server's first challenge.
TEST(SipaeHeaders, MsSipae4_1_FirstChallenge) {
  auto c = parse_challenge(
      "NTLM realm=\"SIP Communications Service\", targetname=\"server.contoso.com\", version=3");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->realm, kRealm);
  EXPECT_EQ(c->targetname, "server.contoso.com");
  EXPECT_EQ(c->version, 3);
  EXPECT_EQ(c->opaque, "");
  // Kerberos is another scheme.
  std::string error;
  EXPECT_FALSE(parse_challenge("Kerberos realm=\"SIP Communications Service\", "
                               "targetname=\"sip/server.contoso.com\", version=3",
                               &error)
                   .has_value());
  EXPECT_EQ(error, "not the NTLM scheme");
}

TEST(SipaeHeaders, FormatsWhatSipeParses) {
  Challenge first;
  first.targetname = "fe.parley.test";
  EXPECT_EQ(format_challenge(first),
            "NTLM realm=\"SIP Communications Service\", targetname=\"fe.parley.test\", version=4");
  Challenge second = first;
  second.opaque = "0A1B2C3D";
  second.gssapi_data = "TlRMTVNTUAACAAAA";
  EXPECT_EQ(format_challenge(second),
            "NTLM opaque=\"0A1B2C3D\", gssapi-data=\"TlRMTVNTUAACAAAA\", "
            "targetname=\"fe.parley.test\", realm=\"SIP Communications Service\", version=4");
  auto back = parse_challenge(format_challenge(second));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->opaque, "0A1B2C3D");
  EXPECT_EQ(back->gssapi_data, "TlRMTVNTUAACAAAA");
  EXPECT_EQ(back->version, 4);

  AuthenticationInfo info;
  info.rspauth = "01000000E615438A917661BE64000000";
  info.srand = "9616454F";
  info.snum = "1";
  info.opaque = "2BDBAC9D";
  info.targetname = "fe.parley.test";
  info.version = 4;
  EXPECT_EQ(format_authentication_info(info),
            "NTLM rspauth=\"01000000E615438A917661BE64000000\", srand=\"9616454F\", "
            "snum=\"1\", opaque=\"2BDBAC9D\", qop=\"auth\", targetname=\"fe.parley.test\", "
            "realm=\"SIP Communications Service\", version=4");
  auto parsed = parse_authentication_info(format_authentication_info(info));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->rspauth, info.rspauth);
  EXPECT_EQ(parsed->version, 4);
}

TEST(SipaeHeaders, CredentialsAsSipeSendsThem) {
  // The second REGISTER: an empty gssapi-data asks for the CHALLENGE_MESSAGE.
  auto first = parse_credentials(
      "NTLM qop=\"auth\", realm=\"SIP Communications Service\", "
      "targetname=\"fe.parley.test\", gssapi-data=\"\", version=4");
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->has_gssapi_data);
  EXPECT_EQ(first->gssapi_data, "");
  EXPECT_EQ(first->version, 4);
  EXPECT_EQ(format_credentials(*first),
            "NTLM qop=\"auth\", realm=\"SIP Communications Service\", "
            "targetname=\"fe.parley.test\", gssapi-data=\"\", version=4");
  // Later requests: the signature, no version, no gssapi-data.
  auto later = parse_credentials(
      "NTLM qop=\"auth\", opaque=\"0A1B2C3D\", realm=\"SIP Communications Service\", "
      "targetname=\"fe.parley.test\", crand=\"a1b2c3d4\", cnum=\"5\", "
      "response=\"0100000029618E9651B65A7764000000\"");
  ASSERT_TRUE(later.has_value());
  EXPECT_FALSE(later->has_gssapi_data);
  EXPECT_EQ(later->version, 0);
  EXPECT_EQ(format_credentials(*later),
            "NTLM qop=\"auth\", opaque=\"0A1B2C3D\", realm=\"SIP Communications Service\", "
            "targetname=\"fe.parley.test\", crand=\"a1b2c3d4\", cnum=\"5\", "
            "response=\"0100000029618E9651B65A7764000000\"");
  SignatureParams p = signature_params(*later, 4);
  EXPECT_EQ(p.rand, "a1b2c3d4");
  EXPECT_EQ(p.num, "5");
  EXPECT_EQ(p.version, 4);
}

TEST(SipaeHeaders, RejectsMalformedValues) {
  std::string error;
  EXPECT_FALSE(parse_credentials("Digest realm=\"x\", targetname=\"y\"", &error).has_value());
  EXPECT_EQ(error, "not the NTLM scheme");
  EXPECT_FALSE(parse_credentials("NTLM realm=\"x\"", &error).has_value());
  EXPECT_EQ(error, "missing targetname");
  EXPECT_FALSE(parse_credentials("NTLM realm=\"x\", targetname=\"y\", version=four", &error));
  EXPECT_EQ(error, "bad version");
  EXPECT_FALSE(parse_credentials("NTLM realm=\"x, targetname=\"y\"", &error).has_value());
  EXPECT_FALSE(
      parse_authentication_info("NTLM srand=\"1\", snum=\"1\", realm=\"r\", "
                                "targetname=\"t\"",
                                &error));
  EXPECT_EQ(error, "missing rspauth");
}

// ---- Encodings ------------------------------------------------------------------------

TEST(SipaeEncodings, SignatureHex) {
  auto s = parse_signature_hex("0100000029618e9651b65a7764000000");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ((*s)[0], 0x01);
  EXPECT_EQ((*s)[12], 0x64);  // SeqNum 100, little-endian
  EXPECT_EQ(signature_hex(*s), "0100000029618E9651B65A7764000000");
  EXPECT_FALSE(parse_signature_hex("0100000029618e9651b65a776400000").has_value());
  EXPECT_FALSE(parse_signature_hex("0100000029618e9651b65a77640000000").has_value());
  EXPECT_FALSE(parse_signature_hex("0100000029618e9651b65a776400000x").has_value());
}

TEST(SipaeEncodings, Base64Rfc4648Vectors) {
  // RFC 4648 10.
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), bytes(plain)) << encoded;
  }
  EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{0xfb, 0xff}), "+/8=");
  for (std::string_view bad :
       {"Zg=", "Zm9", "Z===", "Zm=v", "=Zm9", "Zm9v!A==", "Zg==Zg==", "Zm 9v",
        // non-zero bits after the last byte (RFC 4648 3.5): "Zh==" and "Zm9=" are
        // "f" and "fo" written another way
        "Zh==", "Zm9=", "cLJ90AK="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace parley::sip::auth::sipae
