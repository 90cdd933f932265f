#include "sip/message.hpp"

#include <gtest/gtest.h>

using namespace parley::sip;

namespace {

Message parse_ok(std::string text) {
  auto r = Message::parse(std::move(text));
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "parse failed: " << e->reason;
    return Message{};
  }
  return std::get<Message>(std::move(r));
}

ParseError parse_err(std::string text) {
  auto r = Message::parse(std::move(text));
  if (auto* e = std::get_if<ParseError>(&r)) return *e;
  ADD_FAILURE() << "parse unexpectedly succeeded";
  return {};
}

const char* kRegister =
    "REGISTER sip:parley.test SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Alice <sip:alice@parley.test>\r\n"
    "From: Alice <sip:alice@parley.test>;tag=456248\r\n"
    "Call-ID: 843817637684230@998sdasdh09\r\n"
    "CSeq: 1826 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.4>;expires=7200, <sip:alice@198.51.100.1>;q=0.5\r\n"
    "X-Unknown :  keep   me  exactly\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

}  // namespace

TEST(Message, ParsesRequestLineAndCommonHeaders) {
  Message m = parse_ok(kRegister);
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), Method::Register);
  EXPECT_EQ(m.request_uri().host, "parley.test");
  EXPECT_EQ(m.call_id(), "843817637684230@998sdasdh09");
  auto cs = m.cseq();
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->number, 1826u);
  EXPECT_EQ(cs->method, Method::Register);
  EXPECT_EQ(m.max_forwards().value(), 70u);
  EXPECT_EQ(m.expires().value(), 3600u);
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->host, "192.0.2.4");
  EXPECT_EQ(via->port, 5060);
  EXPECT_EQ(via->branch(), "z9hG4bKnashds7");
  EXPECT_TRUE(via->has_rport());
  EXPECT_TRUE(via->rfc3261_branch());
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "Alice");
  EXPECT_EQ(from->tag(), "456248");
  EXPECT_EQ(from->uri.aor(), "alice@parley.test");
}

TEST(Message, SplitsListHeadersIntoElements) {
  Message m = parse_ok(kRegister);
  auto contacts = m.find_all(HeaderId::Contact);
  ASSERT_EQ(contacts.size(), 2u);
  auto c0 = parse_name_addr(contacts[0]->value);
  auto c1 = parse_name_addr(contacts[1]->value);
  ASSERT_TRUE(c0 && c1);
  EXPECT_EQ(c0->param("expires").value(), "7200");
  EXPECT_EQ(c1->param("q").value(), "0.5");
  EXPECT_EQ(c1->uri.host, "198.51.100.1");
}

TEST(Message, CompactFormsAndFolding) {
  Message m = parse_ok(
      "MESSAGE sip:bob@parley.test SIP/2.0\r\n"
      "v: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9\r\n"
      "f: <sip:alice@parley.test>;tag=9fxced76sl\r\n"
      "t: <sip:bob@parley.test>\r\n"
      "i: 3848276298220188511@atlanta.example.com\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "c: text/plain\r\n"
      "Subject: a folded\r\n"
      "   subject line\r\n"
      "l: 5\r\n"
      "\r\n"
      "hello");
  EXPECT_EQ(m.method(), Method::Message);
  EXPECT_EQ(m.content_type(), "text/plain");
  EXPECT_EQ(m.body(), "hello");
  ASSERT_TRUE(m.find(HeaderId::Subject));
  EXPECT_EQ(m.find(HeaderId::Subject)->value, "a folded subject line");
  EXPECT_EQ(m.find("Call-ID"), m.find(HeaderId::CallId));
  // The folded line is forwarded as written.
  EXPECT_NE(m.serialize().find("Subject: a folded\r\n   subject line\r\n"), std::string::npos);
}

TEST(Message, ProxyEditsKeepUnknownHeadersByteForByte) {
  Message m = parse_ok(kRegister);
  m.push_front(HeaderId::Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy1");
  m.push_front(HeaderId::RecordRoute, "<sip:127.0.0.1;lr>");
  m.set(HeaderId::MaxForwards, "69");
  std::string out = m.serialize();
  EXPECT_NE(out.find("X-Unknown :  keep   me  exactly\r\n"), std::string::npos);
  EXPECT_NE(out.find("Max-Forwards: 69\r\n"), std::string::npos);
  Message again = parse_ok(out);
  EXPECT_EQ(again.top_via()->branch(), "z9hG4bKproxy1");
  EXPECT_EQ(again.count(HeaderId::Via), 2u);
  again.pop_front(HeaderId::Via);
  EXPECT_EQ(again.top_via()->branch(), "z9hG4bKnashds7");
}

TEST(Message, UdpBodyWithoutContentLengthAndStrictLength) {
  Message m = parse_ok(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
      "\r\nv=0\r\n");
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.status(), 200);
  EXPECT_EQ(m.reason(), "OK");
  EXPECT_EQ(m.body(), "v=0\r\n");
  EXPECT_NE(m.serialize().find("Content-Length: 5\r\n"), std::string::npos);
}

TEST(Message, RejectsMalformedWithReasons) {
  const std::string base =
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
      "Call-ID: x\r\n";
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/2.0\r\n" + base + "CSeq: 1 INVITE\r\n\r\n").reason,
            "CSeq method does not match");
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/2.0\r\n" + base + "\r\n").reason, "Missing CSeq");
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/7.0\r\n" + base + "CSeq: 1 OPTIONS\r\n\r\n").status, 505);
  EXPECT_EQ(parse_err("OPTIONS  sip:a@b SIP/2.0\r\n" + base + "CSeq: 1 OPTIONS\r\n\r\n").reason,
            "Bad request line");
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/2.0\r\n" + base +
                      "CSeq: 1 OPTIONS\r\nContent-Length: 50\r\n\r\nshort")
                .reason,
            "Content-Length larger than message");
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/2.0\r\n" + base +
                      "CSeq: 1 OPTIONS\r\nCall-ID: y\r\n\r\n")
                .reason,
            "Multiple Call-ID headers");
  EXPECT_EQ(parse_err("\x01\x02garbage\r\n\r\n").reason, "Bad request line");
  EXPECT_EQ(parse_err("OPTIONS sip:a@b SIP/2.0\r\n" + base + "CSeq: 1 OPTIONS\r\nSubject: a" +
                      std::string(1, '\0') + "b\r\n\r\n")
                .reason,
            "Control character in header");
}

TEST(Message, MakeResponseCopiesDialogHeadersAndAddsTag) {
  Message req = parse_ok(kRegister);
  Message r = Message::make_response(req, 200, {}, "srvtag");
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.count(HeaderId::Via), 1u);
  EXPECT_EQ(r.to()->tag(), "srvtag");
  EXPECT_EQ(r.from()->tag(), "456248");
  EXPECT_EQ(r.call_id(), req.call_id());
  std::string wire = r.serialize();
  EXPECT_EQ(wire.rfind("SIP/2.0 200 OK\r\n", 0), 0u);
  Message back = parse_ok(wire);
  EXPECT_EQ(back.cseq()->method, Method::Register);
  EXPECT_EQ(back.find(HeaderId::Contact), nullptr);
}

TEST(Message, MakeResponseOwnsItsReasonPhrase) {
  // The reason comes from a string that dies before the response is used; with a
  // parsed request that owns edited headers too (owned_ shared with the response).
  Message req = parse_ok(kRegister);
  req.push_back("X-Edited", "yes");
  std::optional<Message> r;
  {
    std::string reason = "Too Many Unauthenticated Requests, said a temporary";
    r = Message::make_response(req, 503, reason, "t1");
    reason.assign(reason.size(), '#');
  }
  r->push_back(HeaderId::RetryAfter, "30");
  EXPECT_EQ(r->reason(), "Too Many Unauthenticated Requests, said a temporary");
  EXPECT_EQ(r->serialize().rfind("SIP/2.0 503 Too Many Unauthenticated Requests, said a "
                                 "temporary\r\n", 0),
            0u);
}

TEST(Uri, ParsesPartsParamsAndIPv6) {
  auto u = parse_uri("sips:alice:pw@[2001:db8::10]:5061;transport=tls;lr?subject=x");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->is_sips());
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "pw");
  EXPECT_EQ(u->host, "[2001:db8::10]");
  EXPECT_EQ(u->host_lower(), "2001:db8::10");
  EXPECT_EQ(u->port, 5061);
  EXPECT_EQ(u->param("transport").value(), "tls");
  EXPECT_TRUE(u->param("lr").has_value());
  EXPECT_EQ(u->headers, "subject=x");
  EXPECT_FALSE(parse_uri("sip:alice@host:99999"));
  EXPECT_FALSE(parse_uri("sip:al%zzice@host"));
  EXPECT_FALSE(parse_uri("sip:"));
  EXPECT_TRUE(parse_uri("tel:+1-201-555-0123"));
}

TEST(Uri, EscapesAndComparison) {
  auto a = parse_uri("sip:%61lice@ATLANTA.com;transport=TCP");
  auto b = parse_uri("sip:alice@AtLanTa.CoM;Transport=tcp");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(uri_equal(*a, *b));
  EXPECT_EQ(a->aor(), "alice@atlanta.com");
  auto c = parse_uri("sip:bob@biloxi.com:4000");
  auto d = parse_uri("sip:bob@biloxi.com");
  EXPECT_FALSE(uri_equal(*c, *d));
}

TEST(NameAddr, FormsAndHeaderParams) {
  auto q = parse_name_addr(R"("Alice \"A\" Smith" <sip:alice@x.test;transport=tcp>;tag=1;+sip.instance="<urn:uuid:1>")");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->display_name, R"(Alice \"A\" Smith)");
  EXPECT_EQ(q->uri.param("transport").value(), "tcp");
  EXPECT_EQ(q->tag(), "1");
  EXPECT_EQ(q->param("+sip.instance").value(), "\"<urn:uuid:1>\"");
  auto spec = parse_name_addr("sip:bob@x.test;tag=7");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->tag(), "7");
  EXPECT_TRUE(spec->uri.params.empty());
  auto star = parse_name_addr("*");
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->wildcard);
  EXPECT_FALSE(parse_name_addr("<sip:bob@x.test"));
  auto list = split_comma_list(R"("A, B" <sip:a@x>, <sip:b@x;p="1,2">)");
  ASSERT_EQ(list.size(), 2u);
}

TEST(Via, LwsAroundSlashesAndIPv6) {
  auto v = parse_via("SIP  /  2.0  /  TCP   [::1] : 5070 ;branch=z9hG4bK1;received=::1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "TCP");
  EXPECT_EQ(v->host, "[::1]");
  EXPECT_EQ(v->port, 5070);
  EXPECT_EQ(v->branch(), "z9hG4bK1");
  EXPECT_FALSE(parse_via("SIP/2.0/UDP"));
  EXPECT_FALSE(parse_via("SIP/3.0/UDP host"));
}
