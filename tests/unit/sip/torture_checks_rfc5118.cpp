// Value checks for the RFC 5118 (IPv6) messages that parse() must accept: where each
// IPv6 reference ends, what is address and what is port.
#include "torture_checks.hpp"

namespace parley::sip::torture {
namespace {

// The values 4.1, 4.3 and 4.4 share: a REGISTER from user@example.com.
void common_register(const Message& m) {
  EXPECT_EQ(m.method(), Method::Register);
  EXPECT_EQ(m.call_id(), "SSG9559905523997077@hlau_4100");
  EXPECT_EQ(m.cseq().value().number, 98176u);
  EXPECT_EQ(m.from().value().tag(), "81x2");
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "[2001:db8::9:1]");
  EXPECT_EQ(via->port, 0);
  EXPECT_EQ(via->branch(), "z9hG4bKas3-111");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].display_name, "Caller");
  EXPECT_EQ(contacts[0].uri.user, "caller");
  EXPECT_EQ(contacts[0].uri.host, "[2001:db8::1]");
  EXPECT_EQ(contacts[0].uri.host_lower(), "2001:db8::1");
}

// RFC 5118 4.1: IPv6 references in Request-URI, Via and Contact.
void ipv6_good(const Message& m) {
  common_register(m);
  const Uri& ru = m.request_uri();
  EXPECT_TRUE(ru.user.empty());
  EXPECT_EQ(ru.host, "[2001:db8::10]");
  EXPECT_EQ(ru.host_lower(), "2001:db8::10");
  EXPECT_EQ(ru.port, 0);
}

// RFC 5118 4.3: the colon inside the brackets belongs to the address; no port.
void port_ambiguous(const Message& m) {
  common_register(m);
  EXPECT_EQ(m.request_uri().host, "[2001:db8::10:5070]");
  EXPECT_EQ(m.request_uri().host_lower(), "2001:db8::10:5070");
  EXPECT_EQ(m.request_uri().port, 0);
}

// RFC 5118 4.4: the port is outside the brackets.
void port_unambiguous(const Message& m) {
  common_register(m);
  EXPECT_EQ(m.request_uri().host, "[2001:db8::10]");
  EXPECT_EQ(m.request_uri().port, 5070);
}

// RFC 5118 4.5: received with brackets (accepted for robustness).
void via_received_with_delim(const Message& m) {
  EXPECT_EQ(m.method(), Method::Bye);
  EXPECT_EQ(m.request_uri().host, "[2001:db8::10]");
  EXPECT_EQ(m.to().value().tag(), "bd76ya");
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "[2001:db8::9:1]");
  EXPECT_EQ(via->received(), "[2001:db8::9:255]");
  EXPECT_EQ(via->branch(), "z9hG4bKas3-111");
  EXPECT_EQ(m.cseq().value().number, 321u);
}

// RFC 5118 4.5: received without brackets (the RFC 3261 form).
void via_received_no_delim(const Message& m) {
  EXPECT_EQ(m.method(), Method::Options);
  auto via = m.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "[2001:db8::9:1]");
  EXPECT_EQ(via->received(), "2001:db8::9:255");
  EXPECT_EQ(via->branch(), "z9hG4bKas3");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.host, "[2001:db8::9:1]");
  EXPECT_EQ(m.call_id(), "SSG95523997077@hlau_4100");
}

// RFC 5118 4.6 (checked on a copy whose Content-Length matches its body): IPv6 in
// SIP with brackets, in SDP without.
void ipv6_in_sdp(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.request_uri().user, "user");
  EXPECT_EQ(m.request_uri().host, "[2001:db8::10]");
  EXPECT_EQ(m.to().value().uri.host, "[2001:db8::10]");
  EXPECT_EQ(m.top_via().value().host, "[2001:db8::20]");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.host, "[2001:db8::20]");
  EXPECT_EQ(m.content_type(), "application/sdp");
  EXPECT_EQ(m.body().size(), 251u);
  EXPECT_NE(m.body().find("c=IN IP6 2001:db8::20\r\n"), std::string_view::npos);
}

// RFC 5118 4.7: IPv4 and IPv6 in one Via list.
void mult_ip_in_header(const Message& m) {
  EXPECT_EQ(m.method(), Method::Bye);
  EXPECT_EQ(m.request_uri().host, "host.example.net");
  auto vias = all_vias(m);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0].host, "[2001:db8::9:1]");
  EXPECT_EQ(vias[0].port, 6050);
  EXPECT_EQ(vias[0].transport, "UDP");
  EXPECT_EQ(vias[1].host, "192.0.2.1");
  EXPECT_EQ(vias[1].branch(), "z9hG4bKjhja8781hjuaij65144");
  EXPECT_EQ(vias[2].host, "[2001:db8::9:255]");
  EXPECT_EQ(vias[2].port, 0);
  EXPECT_EQ(vias[2].transport, "TCP");
  EXPECT_EQ(vias[2].branch(), "z9hG4bK451jj");
  EXPECT_EQ(vias[2].received(), "192.0.2.200");
  EXPECT_EQ(m.to().value().tag(), "9817--94");
}

// RFC 5118 4.8: the declared length keeps 181 octets of the SDP.
void mult_ip_in_sdp(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.request_uri().host, "[2001:db8::10]");
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].uri.host, "[2001:db8::9:1]");
  EXPECT_EQ(m.body().size(), 181u);
  EXPECT_NE(m.body().find("c=IN IP4 192.0.2.1\r\n"), std::string_view::npos);
  EXPECT_NE(m.body().find("c=IN IP6 2001:db8::1\r\n"), std::string_view::npos);
}

// RFC 5118 4.9: IPv4-mapped IPv6 addresses.
void ipv4_mapped_ipv6(const Message& m) {
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.request_uri().host, "example.com");
  auto vias = all_vias(m);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0].host, "[::ffff:192.0.2.10]");
  EXPECT_EQ(vias[0].port, 19823);
  EXPECT_EQ(vias[0].branch(), "z9hG4bKbh19");
  EXPECT_EQ(vias[1].host, "[::ffff:192.0.2.2]");
  EXPECT_EQ(vias[1].port, 0);
  auto contacts = all_contacts(m);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].display_name, "T. desk phone");
  EXPECT_EQ(contacts[0].uri.host, "[::ffff:192.0.2.2]");
  EXPECT_EQ(contacts[0].uri.host_lower(), "::ffff:192.0.2.2");
  EXPECT_EQ(m.body().size(), 236u);
  EXPECT_NE(m.body().find("c=IN IP6 ::ffff:192.0.2.2\r\n"), std::string_view::npos);
}

// RFC 5118 4.10: the three-colon reference RFC 3261's ABNF lets through, tolerated.
void ipv6_bug_abnf_3_colons(const Message& m) {
  EXPECT_EQ(m.method(), Method::Options);
  EXPECT_EQ(m.request_uri().user, "user");
  EXPECT_EQ(m.request_uri().host, "[2001:db8:::192.0.2.1]");
  EXPECT_EQ(m.to().value().uri.host, "[2001:db8:::192.0.2.1]");
  EXPECT_EQ(m.top_via().value().host, "lab1.east.example.com");
  EXPECT_EQ(m.cseq().value().number, 689u);
  EXPECT_TRUE(m.body().empty());
}

// RFC 5118 4.10: the correct two-colon form.
void ipv6_correct_abnf_2_colons(const Message& m) {
  EXPECT_EQ(m.method(), Method::Options);
  EXPECT_EQ(m.request_uri().host, "[2001:db8::192.0.2.1]");
  EXPECT_EQ(m.request_uri().host_lower(), "2001:db8::192.0.2.1");
  EXPECT_EQ(m.to().value().uri.host, "[2001:db8::192.0.2.1]");
  EXPECT_EQ(m.from().value().tag(), "810x2");
  EXPECT_TRUE(m.body().empty());
}

}  // namespace

const CheckTable& rfc5118_checks() {
  static const CheckTable table{
      {"rfc5118/ipv6-good", ipv6_good},
      {"rfc5118/port-ambiguous", port_ambiguous},
      {"rfc5118/port-unambiguous", port_unambiguous},
      {"rfc5118/via-received-param-with-delim", via_received_with_delim},
      {"rfc5118/via-received-param-no-delim", via_received_no_delim},
      {"rfc5118/ipv6-in-sdp", ipv6_in_sdp},
      {"rfc5118/mult-ip-in-header", mult_ip_in_header},
      {"rfc5118/mult-ip-in-sdp", mult_ip_in_sdp},
      {"rfc5118/ipv4-mapped-ipv6", ipv4_mapped_ipv6},
      {"rfc5118/ipv6-bug-abnf-3-colons", ipv6_bug_abnf_3_colons},
      {"rfc5118/ipv6-correct-abnf-2-colons", ipv6_correct_abnf_2_colons},
  };
  return table;
}

}  // namespace parley::sip::torture
