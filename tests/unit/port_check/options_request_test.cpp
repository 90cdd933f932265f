// The OPTIONS request (RFC 3261 11) and the reading of responses (17.1.3).
#include <gtest/gtest.h>

#include <variant>

#include "sip/message.hpp"
#include "topology/check/detail.hpp"

namespace parley::check::detail {
namespace {

sip::Message parsed(const std::string& wire) {
  auto r = sip::Message::parse(wire);
  EXPECT_TRUE(std::holds_alternative<sip::Message>(r)) << wire;
  return std::holds_alternative<sip::Message>(r) ? std::get<sip::Message>(r) : sip::Message{};
}

std::string response(const OptionsRequest& req, int status, std::string_view extra = {}) {
  sip::Message r = sip::Message::make_response(parsed(req.wire), status);
  if (!extra.empty()) r.push_back(sip::HeaderId::Server, extra);
  return r.serialize();
}

TEST(MakeOptions, Ipv6HostsAreBracketed) {
  OptionsRequest req = make_options("::1", 5061, Transport::Tls, "::1", 40000);
  sip::Message m = parsed(req.wire);
  EXPECT_EQ(m.request_uri().text, "sip:[::1]:5061;transport=tls");
  EXPECT_EQ(m.from()->uri.text, "sip:check@[::1]");
  EXPECT_EQ(m.to()->uri.text, "sip:[::1]:5061");
  EXPECT_EQ(m.top_via()->host, "[::1]");
  EXPECT_EQ(m.top_via()->port, 40000);
  EXPECT_EQ(m.top_via()->transport, "TLS");
  EXPECT_EQ(m.top_via()->branch(), req.branch);
  EXPECT_EQ(m.call_id(), req.call_id);
  // Bracketed input gives the same form.
  EXPECT_EQ(parsed(make_options("[::1]", 5061, Transport::Tls, "::1", 1).wire).request_uri().text,
            "sip:[::1]:5061;transport=tls");
}

TEST(MakeOptions, DnsNameAndUdp) {
  OptionsRequest req = make_options("sip.example.com", 5060, Transport::Udp, "192.0.2.7", 5070);
  sip::Message m = parsed(req.wire);
  EXPECT_EQ(m.request_uri().text, "sip:sip.example.com:5060");
  EXPECT_EQ(m.top_via()->transport, "UDP");
  EXPECT_EQ(m.top_via()->host, "192.0.2.7");
  EXPECT_EQ(m.max_forwards(), 70u);
  EXPECT_EQ(m.cseq()->number, 1u);
}

TEST(MakeOptions, EachRequestIsFresh) {
  OptionsRequest a = make_options("h", 1, Transport::Tcp, "127.0.0.1", 2);
  OptionsRequest b = make_options("h", 1, Transport::Tcp, "127.0.0.1", 2);
  EXPECT_NE(a.branch, b.branch);
  EXPECT_NE(a.call_id, b.call_id);
  EXPECT_EQ(a.branch.rfind("z9hG4bK", 0), 0u);
}

TEST(Receive, FinalProvisionalAndStrangers) {
  OptionsRequest req = make_options("127.0.0.1", 5060, Transport::Tcp, "127.0.0.1", 40000);
  OptionsResult out;
  EXPECT_EQ(receive(response(req, 100), req, out), Reception::Provisional);
  EXPECT_FALSE(out.answered);

  OptionsRequest other = make_options("127.0.0.1", 5060, Transport::Tcp, "127.0.0.1", 40000);
  EXPECT_EQ(receive(response(other, 200), req, out), Reception::Ignored);  // another branch
  EXPECT_EQ(receive("garbage\r\n\r\n", req, out), Reception::Ignored);
  EXPECT_EQ(receive(req.wire, req, out), Reception::Ignored);  // a request, not a response

  EXPECT_EQ(receive(response(req, 486, "srv/2"), req, out), Reception::Final);
  EXPECT_TRUE(out.answered);
  EXPECT_EQ(out.status, 486);
  EXPECT_EQ(out.reason, "Busy Here");
  EXPECT_EQ(out.server, "srv/2");
}

TEST(Receive, UserAgentWhenNoServer) {
  OptionsRequest req = make_options("127.0.0.1", 5060, Transport::Udp, "127.0.0.1", 40000);
  sip::Message r = sip::Message::make_response(parsed(req.wire), 200);
  r.push_back(sip::HeaderId::UserAgent, "phone/1");
  OptionsResult out;
  EXPECT_EQ(receive(r.serialize(), req, out), Reception::Final);
  EXPECT_EQ(out.server, "phone/1");
}

TEST(Names, CheckedNameAndNumericAddresses) {
  Options o;
  o.host = "[::1]";
  EXPECT_EQ(checked_name(o), "::1");
  o.server_name = "sip.example.com";
  EXPECT_EQ(checked_name(o), "sip.example.com");
  EXPECT_TRUE(is_numeric_address("127.0.0.1"));
  EXPECT_TRUE(is_numeric_address("[2001:db8::1]"));
  EXPECT_TRUE(is_numeric_address("fe80::1%lo"));
  EXPECT_FALSE(is_numeric_address("localhost"));
  EXPECT_FALSE(is_numeric_address("1.2.3"));
}

}  // namespace
}  // namespace parley::check::detail
