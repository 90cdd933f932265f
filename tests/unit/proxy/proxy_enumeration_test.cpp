// User enumeration through the proxy (RFC 3261 16.5, 21.4.4, 21.4.18): a
// caller who has not proved a local identity cannot tell an AOR that does not
// exist from one that exists without a binding, nor an unknown local caller
// from a known one with a wrong password. An authenticated local user still
// gets 404 for an unknown user. See proxy.hpp, "Unknown users".
#include <algorithm>

#include "proxy_fixture.hpp"

namespace parley::proxy::test {
namespace {

// What an outside observer compares between two answers: the status line and
// the header names in order (values differ anyway: tags, branches, nonces).
struct Shape {
  std::string line;
  std::vector<std::string> names;

  bool operator==(const Shape&) const = default;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Shape shape_of(const Sent& s) {
  Shape out{s.line(), {}};
  std::size_t pos = s.bytes.find("\r\n");
  while (pos != std::string::npos) {
    pos += 2;
    std::size_t end = s.bytes.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;  // the blank line ends the headers
    std::string line = s.bytes.substr(pos, end - pos);
    out.names.push_back(lower(line.substr(0, line.find(':'))));
    pos = end;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << s.line << " [";
  for (const auto& n : s.names) os << ' ' << n;
  return os << " ]";
}

class EnumerationTest : public ProxyTest {
 protected:
  const Peer mallory{Transport::Udp, "203.0.113.5", 5060, 1};

  // `method` for sip:<user>@parley.test from mallory@example.org (a domain
  // not served here: no identity can be proved), each with its own
  // transaction. The body is the same for every user.
  Request foreign(const std::string& method, const std::string& user) {
    Request r = method == "INVITE" ? invite() : Request{};
    r.method = method;
    if (method == "OPTIONS") r.body.clear();
    r.ruri = "sip:" + user + "@parley.test";
    r.to = "<sip:" + user + "@parley.test>";
    r.from = "<sip:mallory@example.org>;tag=m1";
    r.vias = {"SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKm" + method + user + ";rport"};
    r.call_id = "scan-" + method + "-" + user + "@203.0.113.5";
    return r;
  }

  Sent answer_to(const Request& r, const Peer& from) {
    EXPECT_EQ(receive(r, from), sip::Disposition::NewTransaction);
    return one_sent();
  }
};

TEST_F(EnumerationTest, UnverifiedCallerGetsTheSameAnswerForUnknownAndUnboundUsers) {
  // carol exists without a binding; nobody does not exist.
  for (const std::string method : {"INVITE", "MESSAGE", "OPTIONS", "SUBSCRIBE"}) {
    SCOPED_TRACE(method);
    Sent unknown = answer_to(foreign(method, "nobody"), mallory);
    Sent unbound = answer_to(foreign(method, "carol"), mallory);
    EXPECT_PEER(unknown.to, mallory);
    EXPECT_EQ(unknown.line(), "SIP/2.0 480 Temporarily Unavailable");
    EXPECT_EQ(shape_of(unknown), shape_of(unbound));
    EXPECT_FALSE(unknown.msg().to()->tag().empty());
  }
}

TEST_F(EnumerationTest, TheLogStillSaysWhichItWas) {
  answer_to(foreign("INVITE", "nobody"), mallory);
  answer_to(foreign("INVITE", "carol"), mallory);
  auto log = log_.entries();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].status, 480);
  EXPECT_NE(log[0].what.find("no such user nobody@parley.test"), std::string::npos) << log[0].what;
  EXPECT_EQ(log[1].status, 480);
  EXPECT_NE(log[1].what.find("no binding for carol@parley.test"), std::string::npos) << log[1].what;
}

TEST_F(EnumerationTest, UnverifiedCallerStillReachesARegisteredUser) {
  Sent fwd = answer_to(foreign("MESSAGE", "bob"), mallory);
  EXPECT_PEER(fwd.to, bob_udp);
  EXPECT_EQ(fwd.line(), "MESSAGE sip:bob@192.0.2.20:5080 SIP/2.0");
}

TEST_F(EnumerationTest, AuthenticatedLocalUserIsToldTheUserDoesNotExist) {
  // RFC 3261 16.5 / 21.4.4: definitive information, to someone who may know.
  Request r;
  r.ruri = "sip:nobody@parley.test";
  r.to = "<sip:nobody@parley.test>";
  EXPECT_EQ(answer_to(authorized(r), alice_udp).line(), "SIP/2.0 404 Not Found");
  Request c;
  c.branch("z9hG4bKa2");
  c.call_id = "call-2@192.0.2.10";
  c.ruri = "sip:carol@parley.test";
  c.to = "<sip:carol@parley.test>";
  EXPECT_EQ(answer_to(authorized(c), alice_udp).line(), "SIP/2.0 480 Temporarily Unavailable");
}

TEST_F(EnumerationTest, BindingLeftByARemovedUserIsNotATarget) {
  // The location service still holds a binding for an AOR with no account
  // (removed while registered): nobody reaches it, and the answer is the one
  // for any unknown user.
  bind("ghost@parley.test", "sip:ghost@192.0.2.40:5090", Peer{Transport::Udp, "192.0.2.40", 5090, 4});
  Sent s = answer_to(foreign("MESSAGE", "ghost"), mallory);
  EXPECT_PEER(s.to, mallory);
  EXPECT_EQ(s.line(), "SIP/2.0 480 Temporarily Unavailable");

  Request r;
  r.ruri = "sip:ghost@parley.test";
  r.to = "<sip:ghost@parley.test>";
  Sent a = answer_to(authorized(r), alice_udp);
  EXPECT_PEER(a.to, alice_udp);
  EXPECT_EQ(a.line(), "SIP/2.0 404 Not Found");
}

TEST_F(EnumerationTest, UnknownLocalCallerAndWrongPasswordGetTheSameChallenge) {
  // The caller side: From a local domain, Digest for a user that does not
  // exist vs a real user with a wrong password. Both are challenged again
  // (digest_authenticator.hpp: UnknownUser and BadResponse answer alike).
  Request unknown;
  unknown.from = "<sip:nobody@parley.test>;tag=n1";
  unknown.branch("z9hG4bKn1");
  unknown.call_id = "n1@192.0.2.10";
  Request wrong;
  wrong.from = "<sip:carol@parley.test>;tag=c1";
  wrong.branch("z9hG4bKc1");
  wrong.call_id = "c1@192.0.2.10";
  Sent a = answer_to(authorized(unknown, "nobody", "guess"), alice_udp);
  Sent b = answer_to(authorized(wrong, "carol", "guess"), alice_udp);
  EXPECT_EQ(a.line(), "SIP/2.0 407 Proxy Authentication Required");
  EXPECT_EQ(shape_of(a), shape_of(b));
  // No stale=true on either (that would say "right password, old nonce").
  for (const Sent* s : {&a, &b}) {
    for (const auto& v : values(s->msg(), HeaderId::ProxyAuthenticate))
      EXPECT_EQ(v.find("stale"), std::string::npos) << v;
  }
}

TEST_F(EnumerationTest, RequestUriWithoutUserIsNotFoundForAnyone) {
  // Nothing to enumerate: the domain itself is public.
  Request r = foreign("MESSAGE", "x");
  r.ruri = "sip:parley.test";
  EXPECT_EQ(answer_to(r, mallory).line(), "SIP/2.0 404 Not Found");
}

}  // namespace
}  // namespace parley::proxy::test
