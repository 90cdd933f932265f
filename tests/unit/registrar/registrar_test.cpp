#include "roles/registrar/registrar.hpp"

#include <gtest/gtest.h>

#include <map>

#include "sip/auth/auth_params.hpp"
#include "sip/auth/digest.hpp"

using namespace parley;
using namespace parley::registrar;

namespace {

class MemoryUsers : public store::UserStore {
 public:
  std::optional<store::User> find(std::string_view u, std::string_view d) override {
    auto it = users.find(std::string(u) + "@" + std::string(d));
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
  bool add(const store::User& u) override { return users.emplace(u.aor(), u).second; }
  std::optional<std::size_t> add_all(std::span<const store::User> batch) override {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!add(batch[i])) return i;  // not atomic: these tests never add in bulk
    }
    return std::nullopt;
  }
  bool set_credentials(std::string_view, std::string_view, std::string_view,
                       std::string_view, std::string_view) override {
    return false;
  }
  bool remove(std::string_view, std::string_view) override { return false; }
  std::vector<store::User> list() override { return {}; }
  std::map<std::string, store::User> users;
};

sip::Message parse(const std::string& s) {
  auto r = sip::Message::parse(s);
  EXPECT_TRUE(std::holds_alternative<sip::Message>(r)) << std::get<sip::ParseError>(r).reason;
  return std::get<sip::Message>(r);
}

class RegistrarTest : public ::testing::Test {
 protected:
  RegistrarTest()
      : auth_({}, [this] { return clock_.now(); }),
        registrar_(RegistrarOptions{{"parley.test"}, 60, 7200, 3600}, users_, auth_, location_,
                   clock_) {
    store::User u;
    u.username = "alice";
    u.domain = "parley.test";
    u.ha1_md5 = sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "alice", "parley.test", "secret");
    u.ha1_sha256 =
        sip::auth::digest_ha1(sip::auth::Algorithm::Sha256, "alice", "parley.test", "secret");
    users_.add(u);
    from_.transport = sip::Transport::Udp;
    from_.ip = "127.0.0.1";
    from_.port = 40000;
  }

  std::string reg(int cseq, const std::string& contact_lines, const std::string& extra = "") {
    return "REGISTER sip:parley.test SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK" + std::to_string(cseq) + "\r\n"
           "From: <sip:alice@parley.test>;tag=a1\r\n"
           "To: <sip:alice@parley.test>\r\n"
           "Call-ID: reg-1\r\n"
           "CSeq: " + std::to_string(cseq) + " REGISTER\r\n" + contact_lines + extra +
           "Content-Length: 0\r\n\r\n";
  }

  // Answers the MD5 challenge in `challenge` for alice with `password`.
  std::string authorization(const sip::Message& challenge, const std::string& password) {
    std::string nonce;
    for (const sip::Header* h : challenge.find_all(sip::HeaderId::WWWAuthenticate)) {
      if (h->value.find("MD5") == std::string_view::npos) continue;
      auto pos = h->value.find("nonce=\"");
      auto end = h->value.find('"', pos + 7);
      nonce = std::string(h->value.substr(pos + 7, end - pos - 7));
    }
    EXPECT_FALSE(nonce.empty());
    auto a = sip::auth::Algorithm::Md5;
    std::string ha1 = sip::auth::digest_ha1(a, "alice", "parley.test", password);
    std::string ha2 = sip::auth::digest_ha2(a, "REGISTER", "sip:parley.test");
    std::string resp = sip::auth::digest_response(a, ha1, nonce, "00000001", "c0ffee", "auth", ha2);
    return "Authorization: Digest username=\"alice\", realm=\"parley.test\", nonce=\"" + nonce +
           "\", uri=\"sip:parley.test\", response=\"" + resp +
           "\", algorithm=MD5, cnonce=\"c0ffee\", qop=auth, nc=00000001\r\n";
  }

  Outcome registered(int cseq, const std::string& contacts, const std::string& extra = "") {
    Outcome first = registrar_.handle(parse(reg(cseq, contacts, extra)), from_);
    EXPECT_EQ(first.response.status(), 401);
    return registrar_.handle(
        parse(reg(cseq + 1, contacts, extra + authorization(first.response, "secret"))), from_);
  }

  base::FakeTimerService clock_;
  MemoryUsers users_;
  sip::auth::DigestAuthenticator auth_;
  LocationService location_;
  Registrar registrar_;
  sip::Peer from_;
};

}  // namespace

TEST_F(RegistrarTest, ChallengesThenRegistersWithExpiresAndDate) {
  Outcome o = registered(1, "Contact: <sip:alice@127.0.0.1:40000>\r\nExpires: 600\r\n");
  ASSERT_EQ(o.response.status(), 200) << o.log;
  auto contacts = o.response.find_all(sip::HeaderId::Contact);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0]->value, "<sip:alice@127.0.0.1:40000>;expires=600");
  EXPECT_TRUE(o.response.find(sip::HeaderId::Date));
  auto b = location_.lookup("alice@parley.test", clock_.now());
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].flow.port, 40000);
}

TEST(BindingDestination, FlowForConnectionsContactForPlainUdpSourceBehindNat) {
  sip::Peer udp{sip::Transport::Udp, "127.0.0.1", 40000, 0};
  sip::Peer tls{sip::Transport::Tls, "127.0.0.1", 40001, 9};
  auto contact = sip::parse_uri("sip:a@127.0.0.1:5070");
  auto natted = sip::parse_uri("sip:a@192.168.1.2:5070");
  EXPECT_EQ(binding_destination(*contact, "", udp).port, 5070);
  EXPECT_EQ(binding_destination(*contact, "1", udp).port, 40000);
  EXPECT_EQ(binding_destination(*natted, "", udp).port, 40000);
  EXPECT_EQ(binding_destination(*contact, "", tls).flow, 9u);
}

TEST_F(RegistrarTest, WrongPasswordAndUnknownUserLookTheSame) {
  Outcome first = registrar_.handle(parse(reg(1, "Contact: <sip:alice@h>\r\n")), from_);
  Outcome wrong = registrar_.handle(
      parse(reg(2, "Contact: <sip:alice@h>\r\n", authorization(first.response, "nope"))), from_);
  EXPECT_EQ(wrong.response.status(), 401);
  EXPECT_EQ(location_.size(), 0u);
  std::string bob = reg(1, "Contact: <sip:bob@h>\r\n");
  bob.replace(bob.find("To: <sip:alice"), 14, "To: <sip:bob");
  EXPECT_EQ(registrar_.handle(parse(bob), from_).response.status(), 401);
}

TEST_F(RegistrarTest, TooBriefGets423WithMinExpires) {
  Outcome o = registered(1, "Contact: <sip:alice@h>;expires=10\r\n");
  EXPECT_EQ(o.response.status(), 423);
  ASSERT_TRUE(o.response.find(sip::HeaderId::MinExpires));
  EXPECT_EQ(o.response.find(sip::HeaderId::MinExpires)->value, "60");
}

TEST_F(RegistrarTest, SeveralContactsQValuesExpiryAndStarRemoval) {
  Outcome o = registered(1, "Contact: <sip:alice@a>;q=0.5, <sip:alice@b>;expires=120\r\n");
  ASSERT_EQ(o.response.status(), 200);
  auto b = location_.lookup("alice@parley.test", clock_.now());
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].contact, "sip:alice@b");  // q=1.0 first
  EXPECT_EQ(b[1].q, 500);
  clock_.advance(std::chrono::seconds(121));
  EXPECT_EQ(location_.lookup("alice@parley.test", clock_.now()).size(), 1u);
  Outcome star = registered(10, "Contact: *\r\nExpires: 0\r\n");
  EXPECT_EQ(star.response.status(), 200);
  EXPECT_EQ(location_.lookup("alice@parley.test", clock_.now()).size(), 0u);
  Outcome bad = registered(20, "Contact: *\r\n");
  EXPECT_EQ(bad.response.status(), 400);
}

TEST_F(RegistrarTest, InstanceIdGetsPublicGruu) {
  Outcome o = registered(
      1, "Contact: <sip:alice@h;transport=tls>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\"\r\n",
      "Supported: gruu, path\r\n");
  ASSERT_EQ(o.response.status(), 200);
  auto c = sip::parse_name_addr(o.response.find(sip::HeaderId::Contact)->value);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->param("pub-gruu").value(),
            "\"sip:alice@parley.test;gr=urn:uuid:00000000-0000-0000-0000-000000000001\"");
}

TEST_F(RegistrarTest, LyncClientGetsTheHeadersALyncRegistrarSends) {
  // What pidgin-sipe sends: Supported: gruu-10, adhoclist, msrtc-event-categories.
  Outcome o = registered(
      1,
      "Contact: <sip:10.0.0.9:5061;transport=tls;ms-opaque=d3470f2e1d>;methods=\"INVITE, "
      "MESSAGE\";proxy=replace;+sip.instance=\"<urn:uuid:4b1bf1b0-0000-0000-0000-000000000042>\"\r\n"
      "Expires: 900\r\n",
      "Supported: gruu-10, adhoclist, msrtc-event-categories, com.microsoft.msrtc.presence\r\n");
  ASSERT_EQ(o.response.status(), 200);
  auto c = sip::parse_name_addr(o.response.find(sip::HeaderId::Contact)->value);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->param("gruu").value(),
            "\"sip:alice@parley.test;gr=urn:uuid:4b1bf1b0-0000-0000-0000-000000000042\"");
  ASSERT_NE(o.response.find(sip::HeaderId::Expires), nullptr);
  EXPECT_EQ(o.response.find(sip::HeaderId::Expires)->value, "900");
  std::vector<std::string> supported;
  for (const sip::Header* h : o.response.find_all(sip::HeaderId::Supported))
    supported.emplace_back(h->value);
  EXPECT_NE(std::find(supported.begin(), supported.end(), "msrtc-event-categories"),
            supported.end());
  EXPECT_NE(std::find(supported.begin(), supported.end(), "adhoclist"), supported.end());
  const sip::Header* events = o.response.find(sip::HeaderId::AllowEvents);
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(events->value.find(' '), std::string_view::npos) << events->value;
  for (auto e : {"vnd-microsoft-roaming-contacts", "vnd-microsoft-roaming-self",
                 "vnd-microsoft-provisioning-v2", "presence"}) {
    EXPECT_NE(("," + std::string(events->value) + ",").find("," + std::string(e) + ","),
              std::string::npos)
        << e;
  }
  const sip::Header* ka = o.response.find("ms-keep-alive");
  ASSERT_NE(ka, nullptr);
  EXPECT_EQ(ka->value, "UAS; tcp=no; hop-hop=yes; end-pt=no; CRLF=yes; timeout=300");
  EXPECT_NE(o.response.find(sip::HeaderId::Server), nullptr);

  // A standard client gets none of it.
  Outcome plain = registered(2, "Contact: <sip:alice@h2>\r\n");
  ASSERT_EQ(plain.response.status(), 200);
  EXPECT_EQ(plain.response.find("ms-keep-alive"), nullptr);
  EXPECT_EQ(plain.response.find(sip::HeaderId::AllowEvents), nullptr);
}

TEST_F(RegistrarTest, UnregisterWithExpiresZero) {
  ASSERT_EQ(registered(1, "Contact: <sip:alice@h>\r\n").response.status(), 200);
  Outcome o = registered(5, "Contact: <sip:alice@h>;expires=0\r\n");
  EXPECT_EQ(o.response.status(), 200);
  EXPECT_EQ(o.response.find(sip::HeaderId::Contact), nullptr);
}

TEST(Location, FlowClosedDropsOutboundBindingsAndFallsBackToContact) {
  LocationService loc;
  base::FakeTimerService clock;
  sip::Peer tcp{sip::Transport::Tcp, "127.0.0.1", 4000, 7};
  sip::Peer udp{sip::Transport::Udp, "127.0.0.1", 4001, 0};
  loc.update("a@x", {{"sip:a@10.0.0.1:5070;transport=tcp", "", "", 1000, 60, {}}}, "c1", 1, tcp,
             clock.now());
  loc.update("o@x", {{"sip:o@h;transport=tcp", "<urn:uuid:1>", "1", 1000, 60, {}}}, "c3", 1, tcp,
             clock.now());
  loc.update("n@x", {{"sip:n@name.invalid;transport=tcp", "", "", 1000, 60, {}}}, "c4", 1, tcp,
             clock.now());
  loc.update("b@x", {{"sip:b@1", "", "", 1000, 60, {}}}, "c2", 1, udp, clock.now());
  loc.flow_closed(7);
  auto a = loc.find_contact("sip:a@10.0.0.1:5070;transport=tcp", clock.now());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->flow.flow, 0u);
  EXPECT_EQ(a->flow.ip, "10.0.0.1");
  EXPECT_EQ(a->flow.port, 5070);
  EXPECT_FALSE(loc.find_contact("sip:o@h;transport=tcp", clock.now()));
  EXPECT_FALSE(loc.find_contact("sip:n@name.invalid;transport=tcp", clock.now()));
  EXPECT_TRUE(loc.find_contact("sip:b@1", clock.now()));
  EXPECT_EQ(loc.update("b@x", {{"sip:b@1", "", "", 1000, 60, {}}}, "c2", 1, udp, clock.now()),
            LocationService::Result::OutOfOrder);
}

TEST(Location, KeepsEveryFieldOfEveryBindingAndOrdersByQ) {
  LocationService loc;
  base::FakeTimerService clock;
  sip::Peer tcp{sip::Transport::Tcp, "::1", 4000, 9};
  sip::Peer relay{sip::Transport::Tls, "192.0.2.7", 5061, 0};
  std::vector<BindingUpdate> ups = {
      {"sip:low@10.0.0.1", "", "", 300, 60, {}},
      {"sip:gruu@10.0.0.2;ob", "\"<urn:uuid:f81d4fae>\"", "2", 900, 120, relay},
      {"sip:empty@10.0.0.3", "", "", 500, 30, {}},
  };
  ASSERT_EQ(loc.update("u@x", ups, "call-1@host", 42, tcp, clock.now()),
            LocationService::Result::Ok);
  auto all = loc.lookup("u@x", clock.now());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].contact, "sip:gruu@10.0.0.2;ob");
  EXPECT_EQ(all[0].instance, "\"<urn:uuid:f81d4fae>\"");
  EXPECT_EQ(all[0].reg_id, "2");
  EXPECT_EQ(all[0].call_id, "call-1@host");
  EXPECT_EQ(all[0].cseq, 42u);
  EXPECT_EQ(all[0].q, 900);
  EXPECT_EQ(all[0].seconds_left(clock.now()), 120u);
  EXPECT_EQ(all[0].flow.transport, sip::Transport::Tls);
  EXPECT_EQ(all[0].flow.ip, "192.0.2.7");
  EXPECT_EQ(all[0].flow.port, 5061);
  EXPECT_EQ(all[1].contact, "sip:empty@10.0.0.3");
  EXPECT_EQ(all[2].contact, "sip:low@10.0.0.1");
  EXPECT_EQ(all[2].flow.ip, "::1");
  EXPECT_EQ(all[2].flow.flow, 9u);
  EXPECT_EQ(loc.size(), 3u);

  // A refresh replaces the binding in place; an expired one is gone from both
  // lookups, and purge() clears what is left.
  clock.advance(std::chrono::seconds(31));
  ASSERT_EQ(loc.update("u@x", {{"sip:low@10.0.0.1", "", "", 100, 10, {}}}, "call-1@host", 43,
                       tcp, clock.now()),
            LocationService::Result::Ok);
  EXPECT_FALSE(loc.find_contact("sip:empty@10.0.0.3", clock.now()));
  auto low = loc.find_contact("sip:low@10.0.0.1", clock.now());
  ASSERT_TRUE(low);
  EXPECT_EQ(low->q, 100);
  EXPECT_EQ(low->cseq, 43u);
  EXPECT_EQ(loc.size(), 2u);
  clock.advance(std::chrono::seconds(200));
  EXPECT_EQ(loc.purge(clock.now()), 2u);
  EXPECT_EQ(loc.size(), 0u);
  EXPECT_FALSE(loc.find_contact("sip:low@10.0.0.1", clock.now()));
}

TEST(Location, OneContactUnderTwoAorsIsFoundUnderEach) {
  // The index is keyed by the contact's hash: two AORs behind one contact
  // must both stay reachable, and removing one must not hide the other.
  LocationService loc;
  base::FakeTimerService clock;
  sip::Peer udp{sip::Transport::Udp, "127.0.0.1", 5070, 0};
  loc.update("a@x", {{"sip:shared@127.0.0.1:5070", "", "", 1000, 60, {}}}, "c1", 1, udp,
             clock.now());
  loc.update("b@x", {{"sip:shared@127.0.0.1:5070", "", "", 1000, 60, {}}}, "c2", 1, udp,
             clock.now());
  ASSERT_TRUE(loc.find_contact("sip:shared@127.0.0.1:5070", clock.now()));
  loc.update("a@x", {{"sip:shared@127.0.0.1:5070", "", "", 1000, 0, {}}}, "c1", 2, udp,
             clock.now());
  loc.purge(clock.now());
  auto b = loc.find_contact("sip:shared@127.0.0.1:5070", clock.now());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->call_id, "c2");
  EXPECT_TRUE(loc.lookup("a@x", clock.now()).empty());
}

TEST_F(RegistrarTest, NtlmIsOfferedOnlyToALyncClientOverTls) {
  sip::auth::SecurityAssociationOptions o;
  o.targetname = "fe.parley.test";
  sip::auth::SecurityAssociations sas(o, clock_);
  registrar_.enable_ntlm(sas, {});
  auto ntlm_offers = [](const Outcome& out) {
    int n = 0;
    for (const sip::Header* h : out.response.find_all(sip::HeaderId::WWWAuthenticate))
      n += h->value.starts_with("NTLM") ? 1 : 0;
    return n;
  };
  const std::string lync = "Supported: gruu-10, adhoclist, msrtc-event-categories\r\n";
  sip::Peer tls{sip::Transport::Tls, "127.0.0.1", 50000, 9};
  sip::Peer tcp{sip::Transport::Tcp, "127.0.0.1", 50001, 10};
  Outcome over_tls = registrar_.handle(parse(reg(1, "Contact: <sip:a@h>\r\n", lync)), tls);
  ASSERT_EQ(over_tls.response.status(), 401);
  EXPECT_EQ(ntlm_offers(over_tls), 1);
  auto offer = sip::auth::sipae::parse_challenge(
      over_tls.response.find_all(sip::HeaderId::WWWAuthenticate).back()->value);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->targetname, "fe.parley.test");
  // Digest stays on offer beside it.
  EXPECT_GE(over_tls.response.find_all(sip::HeaderId::WWWAuthenticate).size(), 2u);
  // A standard client over TLS (libre refuses any scheme but Digest), and a
  // Lync client over TCP (NTLM runs over TLS only), get Digest alone.
  EXPECT_EQ(ntlm_offers(registrar_.handle(parse(reg(2, "Contact: <sip:a@h>\r\n")), tls)), 0);
  EXPECT_EQ(ntlm_offers(registrar_.handle(parse(reg(3, "Contact: <sip:a@h>\r\n", lync)), tcp)),
            0);
  // NTLM credentials over TCP are answered with a plain challenge, no handshake.
  Outcome ntlm_tcp = registrar_.handle(
      parse(reg(4, "Contact: <sip:a@h>\r\n",
                lync + "Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\", "
                       "targetname=\"fe.parley.test\", gssapi-data=\"\", version=4\r\n")),
      tcp);
  EXPECT_EQ(ntlm_tcp.response.status(), 401);
  EXPECT_EQ(sas.size(), 0u);
}
