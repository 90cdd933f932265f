// Value checks for the RFC 4475 messages that parse() must accept: the fields each
// section of RFC 4475 points out, as the RFC says they must be read.
#include "torture_checks.hpp"

using namespace std::string_literals;

namespace parley::sip::torture {
namespace {

// RFC 4475 3.1.1.1: folding, LWS everywhere, compact and odd-case names, unknown
// headers and parameters, leading zeros.
void wsinv(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.method_text(), "INVITE");
  const Uri& ru = m.request_uri();
  EXPECT_EQ(ru.scheme, "sip");
  EXPECT_EQ(ru.user, "vivekg");
  EXPECT_EQ(ru.host, "chair-dnrc.example.com");
  EXPECT_EQ(ru.port, 0);
  ASSERT_EQ(ru.params.size(), 1u);
  EXPECT_EQ(ru.params[0].name, "unknownparam");  // uri parameter with no value
  EXPECT_FALSE(ru.params[0].has_value);

  auto to = m.to();  // "TO :" CRLF SP "sip:... ;   tag    = 1918181833n"
  ASSERT_TRUE(to);
  EXPECT_TRUE(to->display_name.empty());
  EXPECT_EQ(to->uri.user, "vivekg");
  EXPECT_EQ(to->uri.host, "chair-dnrc.example.com");
  EXPECT_EQ(to->tag(), "1918181833n");

  auto from = m.from();  // quoted-pairs in the display name; tag on a folded line
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, R"(J Rosenberg \\\")");
  EXPECT_EQ(from->uri.user, "jdrosen");
  EXPECT_EQ(from->uri.host, "example.com");
  EXPECT_EQ(from->tag(), "98asjd8");

  EXPECT_EQ(m.max_forwards(), 68u);  // "0068"
  EXPECT_EQ(m.call_id(), "wsinv.ndaksdj@192.0.2.1");
  auto cs = m.cseq();  // "0009" CRLF "  INVITE"
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->number, 9u);
  EXPECT_EQ(cs->method, Method::Invite);
  ASSERT_NE(m.find(HeaderId::ContentLength), nullptr);  // "Content-Length   : 150"
  EXPECT_EQ(m.find(HeaderId::ContentLength)->value, "150");
  EXPECT_EQ(m.body().size(), 150u);
  EXPECT_EQ(m.body().substr(0, 5), "v=0\r\n");
  EXPECT_EQ(m.content_type(), "application/sdp");

  // "Via  : SIP  /   2.0" folded over three lines, then "v:" with two values.
  auto vias = all_vias(m);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0].transport, "UDP");
  EXPECT_EQ(vias[0].host, "192.0.2.2");
  EXPECT_EQ(vias[0].port, 0);
  EXPECT_EQ(vias[0].branch(), "390skdjuw");
  EXPECT_FALSE(vias[0].rfc3261_branch());
  EXPECT_EQ(vias[1].transport, "TCP");
  EXPECT_EQ(vias[1].host, "spindle.example.com");
  EXPECT_EQ(vias[1].branch(), "z9hG4bK9ikj8");
  EXPECT_EQ(vias[2].transport, "UDP");
  EXPECT_EQ(vias[2].host, "192.168.255.111");
  EXPECT_EQ(vias[2].branch(), "z9hG4bK30239");  // value on a continuation line

  const Header* subject = m.find(HeaderId::Subject);  // "s :" with an empty value
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->name, "s");
  EXPECT_EQ(subject->value, "");

  // Unknown headers: a folded one reads as one value (one SP per fold) and keeps its
  // line as written for forwarding; the unusual one is kept whole, not split.
  const Header* nf = m.find("NewFangledHeader");
  ASSERT_NE(nf, nullptr);
  EXPECT_EQ(nf->id, HeaderId::Other);
  EXPECT_EQ(nf->value, "newfangled value continued newfangled value");
  EXPECT_EQ(nf->line, "NewFangledHeader:   newfangled value\r\n continued newfangled value");
  const Header* unusual = m.find("UnknownHeaderWithUnusualValue");
  ASSERT_NE(unusual, nullptr);
  EXPECT_EQ(unusual->value, ";;,,;;,;");
  EXPECT_EQ(unusual->line, "UnknownHeaderWithUnusualValue: ;;,,;;,;");

  ASSERT_EQ(m.count(HeaderId::Route), 1u);  // "Route:" CRLF SP "<sip:...>"
  auto route = parse_name_addr(m.find(HeaderId::Route)->value);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->uri.host, "services.example.com");
  EXPECT_TRUE(flag_param(route->uri.params, "lr"));
  EXPECT_EQ(param_or_absent(route->uri.params, "unknownwith"), "value");
  EXPECT_TRUE(flag_param(route->uri.params, "unknown-no-value"));

  auto contacts = all_contacts(m);  // "m:" compact form, folded parameters
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].display_name, R"(Quoted string \"\")");
  EXPECT_EQ(contacts[0].uri.user, "jdrosen");
  EXPECT_EQ(contacts[0].uri.host, "example.com");
  EXPECT_TRUE(contacts[0].uri.params.empty());
  EXPECT_EQ(param_or_absent(contacts[0].params, "newparam"), "newvalue");
  EXPECT_TRUE(flag_param(contacts[0].params, "secondparam"));
  EXPECT_EQ(param_or_absent(contacts[0].params, "q"), "0.33");
}

// RFC 4475 3.1.1.2: the whole token alphabet, quoted-pairs of control characters,
// UTF-8 values.
void intmeth(const Message& m) {
  const std::string method = "!interesting-Method0123456789_*+`.%indeed'~";
  EXPECT_EQ(m.method(), Method::Unknown);
  EXPECT_EQ(m.method_text(), method);
  const Uri& ru = m.request_uri();
  EXPECT_EQ(ru.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(ru.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(ru.host, "example.com");
  EXPECT_TRUE(ru.params.empty());
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->branch(), "z9hG4bK-.!%66*_+`'~");
  auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(to->display_name, "BEL:\\\x07 NUL:\\\0 DEL:\\\x7F"s);  // quoted-pairs kept
  EXPECT_EQ(to->uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(from->uri.user, "mundane");
  EXPECT_EQ(from->tag(), "_token~1'+`*%!-.");
  EXPECT_EQ(param_or_absent(from->params, "fromParam''~+*_!.-%"),
            "\"" + hex("D180D0B0D0B1D0BED182D0B0D18ED189D0B8D0B9") + "\"");
  EXPECT_EQ(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  auto cs = m.cseq();
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->number, 139122385u);
  EXPECT_EQ(cs->method_text, method);
  EXPECT_EQ(m.max_forwards(), 255u);
  const Header* ext = m.find("extensionHeader-!.%*+_`'~");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->value, hex("EFBBBFE5A4A7E5819CE99BBB"));
  EXPECT_TRUE(m.body().empty());
}

// RFC 4475 3.1.1.3: %HH escapes, unescaped once by the application.
void esc01(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.request_uri().user, "sips%3Auser%40example.com");
  EXPECT_EQ(unescape(m.request_uri().user), "sips:user@example.com");
  EXPECT_EQ(m.request_uri().host, "example.net");
  auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.user, "%75se%72");
  EXPECT_EQ(to->uri.aor(), "user@example.com");
  auto plain = parse_uri("sip:user@example.com");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(uri_equal(to->uri, *plain));  // RFC 3261 19.1.4: compare unescaped
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(unescape(from->uri.user), "I have spaces");
  EXPECT_EQ(from->tag(), "938");
  EXPECT_EQ(m.call_id(), "esc01.239409asdfakjkn23onasd0-3234");  // "i:"
  EXPECT_EQ(m.content_type(), "application/sdp");                  // "C:"
  EXPECT_EQ(m.max_forwards(), 87u);
  EXPECT_EQ(m.top_via().value().branch(), "z9hG4bKkdjuw");
  auto contacts = all_contacts(m);  // folded onto a continuation line
  ASSERT_EQ(contacts.size(), 1u);
  const Uri& c = contacts[0].uri;
  EXPECT_EQ(unescape(c.user), "caller");
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(unescape(c.params[0].name), "lr");
  EXPECT_EQ(unescape(c.params[1].name), "name");
  EXPECT_EQ(c.params[1].value, "v%61lue%25%34%31");
  EXPECT_EQ(unescape(c.params[1].value), "value%41");  // not unescaped twice
  EXPECT_EQ(m.body().size(), 150u);
}

// RFC 4475 3.1.1.4: %00 in user parts must not shorten the AOR.
void escnull(const Message& m) {
  EXPECT_EQ(m.method(), Method::Register);
  auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.user, "null-%00-null");
  EXPECT_EQ(unescape(to->uri.user), "null-\0-null"s);
  EXPECT_EQ(to->uri.aor(), "null-\0-null@example.com"s);
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->uri.aor(), "null-\0-null@example.com"s);
  EXPECT_EQ(from->tag(), "839923423");
  auto contacts = all_contacts(m);  // two distinct bindings
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(unescape(contacts[0].uri.user), "\0"s);
  EXPECT_EQ(unescape(contacts[1].uri.user), "\0\0"s);
  EXPECT_NE(contacts[0].uri.aor(), contacts[1].uri.aor());
  EXPECT_FALSE(uri_equal(contacts[0].uri, contacts[1].uri));
  ASSERT_NE(m.find(HeaderId::ContentLength), nullptr);  // "L:0"
  EXPECT_EQ(m.find(HeaderId::ContentLength)->value, "0");
  EXPECT_TRUE(m.body().empty());
}

// RFC 4475 3.1.1.5: % that is not an escape.
void esc02(const Message& m) {
  EXPECT_EQ(m.method(), Method::Unknown);  // not REGISTER
  EXPECT_EQ(m.method_text(), "RE%47IST%45R");
  auto cs = m.cseq();
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->method, Method::Unknown);
  EXPECT_EQ(cs->method_text, "RE%47IST%45R");
  auto to = m.to();
  auto from = m.from();
  ASSERT_TRUE(to && from);
  EXPECT_EQ(to->display_name, "%Z%45");
  EXPECT_EQ(from->display_name, "%Z%45");
  EXPECT_EQ(from->tag(), "f232jadfj23");
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "TCP");
  EXPECT_EQ(via->branch(), "z9hG4bK209%fzsnel234");
  auto contacts = all_contacts(m);  // two values, not three
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0].uri.host, "host1.example.com");
  EXPECT_EQ(contacts[1].uri.host, "host3.example.com");
  const Header* other = m.find("C%6Fntact");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->id, HeaderId::Other);
  EXPECT_EQ(other->value, "<sip:alias2@host2.example.com>");
}

// RFC 4475 3.1.1.6: no LWS between the display name and '<'.
void lwsdisp(const Message& m) {
  EXPECT_EQ(m.method(), Method::Options);
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "caller");
  EXPECT_EQ(from->uri.user, "caller");
  EXPECT_EQ(from->uri.host, "example.com");
  EXPECT_EQ(from->tag(), "323");
  EXPECT_EQ(m.call_id(), "lwsdisp.1234abcd@funky.example.com");
  EXPECT_EQ(m.cseq().value().number, 60u);
}

// RFC 4475 3.1.1.7: long values and 34 Via values.
void longreq(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(to->display_name, "I have a user name of " + rep("extreme", 10) + " proportion");
  EXPECT_EQ(to->uri.port, 6000);
  EXPECT_EQ(param_or_absent(to->uri.params, "unknownparam1"), "very" + rep("long", 20) + "value");
  EXPECT_EQ(param_or_absent(to->uri.params, "longparam" + rep("name", 25)), "shortvalue");
  EXPECT_TRUE(flag_param(to->uri.params, "very" + rep("long", 25) + "ParameterNameWithNoValue"));
  auto from = m.from();  // "F:"
  ASSERT_TRUE(from);
  EXPECT_EQ(from->uri.user, rep("amazinglylongcallername", 5));
  EXPECT_EQ(from->tag(), "12" + rep("982", 50) + "424");
  EXPECT_EQ(param_or_absent(from->params, "unknownheaderparam" + rep("name", 20)),
            "unknowheaderparam" + rep("value", 15));
  EXPECT_TRUE(flag_param(from->params, "unknownValueless" + rep("paramname", 10)));
  EXPECT_EQ(m.call_id(), "longreq.one" + rep("really", 20) + "longcallid");
  EXPECT_EQ(m.cseq().value().number, 3882340u);
  const Header* unknown = m.find("Unknown-" + rep("Long", 20) + "-Name");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->value, "unknown-" + rep("long", 20) + "-value; unknown-" + rep("long", 20) +
                                "-parameter-name = unknown-" + rep("long", 20) +
                                "-parameter-value");
  auto vias = all_vias(m);  // Via, v, V, ViA, VIa, "V :", "v  :", ... all one header
  ASSERT_EQ(vias.size(), 34u);
  for (int i = 0; i < 33; ++i) {
    EXPECT_EQ(vias[i].host, "sip" + std::to_string(33 - i) + ".example.com");
    EXPECT_EQ(vias[i].transport, "TCP");
  }
  EXPECT_EQ(vias[0].branch(), "");  // the top Via has no branch at all
  EXPECT_EQ(vias[33].host, "host.example.com");
  EXPECT_EQ(vias[33].received(), "192.0.2.5");
  EXPECT_EQ(vias[33].branch(), "very" + rep("long", 50) + "branchvalue");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.user, rep("amazinglylongcallername", 5));
  EXPECT_EQ(m.body().size(), 150u);  // "l: 150"
}

// RFC 4475 3.1.1.8: the octets after the zero-length body are noise (RFC 3261 18.3).
void dblreq(const Message& m) {
  EXPECT_EQ(m.method(), Method::Register);
  EXPECT_EQ(m.call_id(), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");  // "I:"
  EXPECT_EQ(m.count(HeaderId::Via), 1u);
  EXPECT_EQ(m.count(HeaderId::CSeq), 1u);
  EXPECT_EQ(m.count(HeaderId::To), 1u);
  EXPECT_EQ(m.find(HeaderId::ContentType), nullptr);  // the INVITE's header is not ours
  EXPECT_EQ(m.cseq().value().method, Method::Register);
  EXPECT_EQ(m.top_via().value().branch(), "z9hG4bKkdjuw23492");
  EXPECT_EQ(m.from().value().tag(), "43251j3j324");
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.serialize().find("INVITE"), std::string::npos);  // never forwarded
}

// RFC 4475 3.1.1.9: a semicolon and an escaped '@' in the Request-URI user part.
void semiuri(const Message& m) {
  EXPECT_EQ(m.method(), Method::Options);
  const Uri& ru = m.request_uri();
  EXPECT_EQ(ru.user, "user;par=u%40example.net");
  EXPECT_EQ(unescape(ru.user), "user;par=u@example.net");
  EXPECT_EQ(ru.host, "example.com");
  EXPECT_TRUE(ru.params.empty());
  EXPECT_EQ(m.max_forwards(), 3u);
  const Header* accept = m.find(HeaderId::Accept);  // folded list
  ASSERT_NE(accept, nullptr);
  EXPECT_EQ(accept->value,
            "application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, "
            "message/sip, message/sipfrag");
}

// RFC 4475 3.1.1.10: known and unknown Via transports.
void transports(const Message& m) {
  EXPECT_EQ(m.call_id(), "transports.kijh4akdnaqjkwendsasfdj");  // after two SP
  auto vias = all_vias(m);
  ASSERT_EQ(vias.size(), 5u);
  const char* expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(vias[i].transport, expected[i]);
    EXPECT_EQ(vias[i].host, "t" + std::to_string(i + 1) + ".example.com");
  }
  EXPECT_EQ(vias[3].branch(), "z9hG4bKasd0f3en");
}

// RFC 4475 3.1.1.11: a binary multipart body framed by Content-Length.
void mpart01(const Message& m) {
  EXPECT_EQ(m.method(), Method::Message);
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "127.0.0.1");
  EXPECT_EQ(via->port, 5070);
  EXPECT_EQ(via->branch(), "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
  EXPECT_TRUE(via->has_rport());
  const Header* identity = m.find("Identity");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->value.substr(0, 10), "r5mwreLuyD");
  EXPECT_EQ(identity->value.size(), 172u);
  EXPECT_EQ(m.call_id(), "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..");
  EXPECT_EQ(m.cseq().value().method, Method::Message);
  EXPECT_EQ(m.content_type(), "multipart/mixed;boundary=7a9cbec02ceef655");
  ASSERT_EQ(m.body().size(), 553u);
  EXPECT_EQ(m.body().substr(0, 20), "--7a9cbec02ceef655\r\n");
  EXPECT_NE(m.body().find('\0'), std::string_view::npos);
  EXPECT_NE(m.body().find("--7a9cbec02ceef655--"), std::string_view::npos);
}

// RFC 4475 3.1.1.12: a reason phrase with UTF-8.
void unreason(const Message& m) {
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.status(), 200);
  EXPECT_EQ(m.reason(), "= 2**3 * 5**2 " +
                            hex("D0BDD0BE20D181D182D0BE20D0B4D0B5D0B2D18FD0BDD0BED181D182D0BE20"
                                "D0B4D0B5D0B2D18FD182D18C202D20D0BFD180D0BED181D182D0BED0B5"));
  EXPECT_EQ(m.call_id(), "unreason.1234ksdfak3j2erwedfsASdf");
  EXPECT_EQ(m.cseq().value().number, 35u);
  EXPECT_EQ(m.to().value().tag(), "2229");
  EXPECT_EQ(m.top_via().value().branch(), "z9hG4bK1324923");
  EXPECT_EQ(m.body().size(), 154u);
}

// RFC 4475 3.1.1.13: an empty reason phrase.
void noreason(const Message& m) {
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.status(), 100);
  EXPECT_EQ(m.reason(), "");
  EXPECT_EQ(m.call_id(), "noreason.asndj203insdf99223ndf");
  EXPECT_EQ(m.to().value().tag(), "902jndnke3");
  EXPECT_TRUE(m.body().empty());
}

// RFC 4475 3.1.2.12: parse() leaves Date alone.
void baddate(const Message& m) {
  const Header* date = m.find(HeaderId::Date);
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->value, "Fri, 01 Jan 2010 16:00:00 EST");
  EXPECT_EQ(m.body().size(), 150u);
}

// RFC 4475 3.2.1: the branch is the bare magic cookie.
void badbranch(const Message& m) {
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->branch(), "z9hG4bK");
  EXPECT_TRUE(via->rfc3261_branch());  // the transaction layer must notice it is empty
  EXPECT_EQ(m.call_id(), "badbranch.sadonfo23i420jv0as0derf3j3n");
}

// RFC 4475 3.3.2 and 3.3.3: non-SIP Request-URIs parse and stay opaque.
void unkscm(const Message& m) {
  EXPECT_EQ(m.request_uri().scheme, "nobodyKnowsThisScheme");
  EXPECT_FALSE(m.request_uri().is_sip());
  EXPECT_EQ(m.request_uri().text, "nobodyKnowsThisScheme:totallyopaquecontent");
  EXPECT_EQ(m.to().value().uri.host, "example.com");
}
void novelsc(const Message& m) {
  EXPECT_EQ(m.request_uri().scheme, "soap.beep");
  EXPECT_FALSE(m.request_uri().is_sip());
  EXPECT_EQ(m.request_uri().text, "soap.beep://192.0.2.103:3002");
}

// RFC 4475 3.3.4: non-SIP URIs in To, From, Contact.
void unksm2(const Message& m) {
  EXPECT_EQ(m.method(), Method::Register);
  auto to = m.to();
  auto from = m.from();
  ASSERT_TRUE(to && from);
  EXPECT_EQ(to->uri.scheme, "isbn");
  EXPECT_EQ(to->uri.text, "isbn:2983792873");
  EXPECT_FALSE(to->uri.is_sip());
  EXPECT_EQ(from->uri.scheme, "http");
  EXPECT_EQ(from->tag(), "3234233");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.text, "name:John_Smith");
}

// RFC 4475 3.3.5: option tags a 420 must list.
void bext01(const Message& m) {
  ASSERT_NE(m.find(HeaderId::Require), nullptr);
  EXPECT_EQ(m.find(HeaderId::Require)->value, "nothingSupportsThis, nothingSupportsThisEither");
  ASSERT_NE(m.find(HeaderId::ProxyRequire), nullptr);
  EXPECT_EQ(m.find(HeaderId::ProxyRequire)->value,
            "noProxiesSupportThis, norDoAnyProxiesSupportThis");
  EXPECT_EQ(m.top_via().value().transport, "TLS");
}

// RFC 4475 3.3.6: an unknown body type, framed normally.
void invut(const Message& m) {
  EXPECT_EQ(m.content_type(), "application/unknownformat");
  EXPECT_EQ(m.body(), "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n");
}

// RFC 4475 3.3.7: an unknown Authorization scheme is kept as written.
void regaut01(const Message& m) {
  const Header* auth = m.find(HeaderId::Authorization);
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->value, "NoOneKnowsThisScheme opaque-data=here");
  EXPECT_TRUE(m.body().empty());  // "Content-Length:0"
}

// RFC 4475 3.3.10: a broadcast sent-by in the second Via.
void bcast(const Message& m) {
  EXPECT_EQ(m.status(), 200);
  auto vias = all_vias(m);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[1].host, "255.255.255.255");
  EXPECT_EQ(vias[1].branch(), "z9hG4bK1saber23");
  EXPECT_EQ(m.body().size(), 154u);
}

// RFC 4475 3.3.11: Max-Forwards 0 is legal.
void zeromf(const Message& m) {
  EXPECT_EQ(m.max_forwards(), 0u);
  EXPECT_EQ(m.cseq().value().number, 39234321u);
}

// RFC 4475 3.3.12: after an addr-spec, ";unknownparam" is a contact-param.
void cparam01(const Message& m) {
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.user, "+19725552222");
  EXPECT_EQ(contacts[0].uri.host, "gw1.example.net");
  EXPECT_TRUE(contacts[0].uri.params.empty());
  EXPECT_TRUE(flag_param(contacts[0].params, "unknownparam"));
}

// RFC 4475 3.3.13: inside <>, ";unknownparam" is a uri-parameter.
void cparam02(const Message& m) {
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_TRUE(flag_param(contacts[0].uri.params, "unknownparam"));
  EXPECT_TRUE(contacts[0].params.empty());
}

// RFC 4475 3.3.14: an escaped header inside a Contact URI in <>.
void regescrt(const Message& m) {
  auto contacts = all_contacts(m);  // "M:"
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.headers, "Route=%3Csip:sip.example.com%3E");
  EXPECT_EQ(unescape(contacts[0].uri.headers), "Route=<sip:sip.example.com>");
  EXPECT_TRUE(m.body().empty());  // "L:0"
}

// RFC 4475 3.3.15: the Accept that leaves out application/sdp.
void sdp01(const Message& m) {
  ASSERT_NE(m.find(HeaderId::Accept), nullptr);
  EXPECT_EQ(m.find(HeaderId::Accept)->value, "text/nobodyKnowsThis");
  EXPECT_EQ(m.body().size(), 150u);
}

// RFC 4475 3.4.1: RFC 2543 syntax.
void inv2543(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.find(HeaderId::ContentLength), nullptr);
  EXPECT_EQ(m.body().substr(0, 5), "v=0\r\n");  // the rest of the datagram
  EXPECT_EQ(m.body().size(), 105u);
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "iftgw.example.com");
  EXPECT_EQ(via->branch(), "");
  EXPECT_FALSE(via->rfc3261_branch());
  auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->tag(), "");
  EXPECT_EQ(param_or_absent(from->uri.params, "user"), "phone");
  auto to = m.to();  // addr-spec: ";user=phone" is a header parameter (RFC 3261 20.10)
  ASSERT_TRUE(to);
  EXPECT_EQ(to->uri.user, "+16505552222");
  EXPECT_EQ(param_or_absent(to->params, "user"), "phone");
  EXPECT_FALSE(m.max_forwards().has_value());
  EXPECT_EQ(m.count(HeaderId::RecordRoute), 1u);
}

}  // namespace

const CheckTable& rfc4475_checks() {
  static const CheckTable table{
      {"rfc4475/wsinv", wsinv},         {"rfc4475/intmeth", intmeth},
      {"rfc4475/esc01", esc01},         {"rfc4475/escnull", escnull},
      {"rfc4475/esc02", esc02},         {"rfc4475/lwsdisp", lwsdisp},
      {"rfc4475/longreq", longreq},     {"rfc4475/dblreq", dblreq},
      {"rfc4475/semiuri", semiuri},     {"rfc4475/transports", transports},
      {"rfc4475/mpart01", mpart01},     {"rfc4475/unreason", unreason},
      {"rfc4475/noreason", noreason},   {"rfc4475/baddate", baddate},
      {"rfc4475/badbranch", badbranch}, {"rfc4475/unkscm", unkscm},
      {"rfc4475/novelsc", novelsc},     {"rfc4475/unksm2", unksm2},
      {"rfc4475/bext01", bext01},       {"rfc4475/invut", invut},
      {"rfc4475/regaut01", regaut01},   {"rfc4475/bcast", bcast},
      {"rfc4475/zeromf", zeromf},       {"rfc4475/cparam01", cparam01},
      {"rfc4475/cparam02", cparam02},   {"rfc4475/regescrt", regescrt},
      {"rfc4475/sdp01", sdp01},         {"rfc4475/inv2543", inv2543},
  };
  return table;
}

}  // namespace parley::sip::torture
