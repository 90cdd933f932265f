#include "roles/registrar/registrar.hpp"

#include <cstdio>
#include <ctime>

#include "sip/auth/message_credentials.hpp"
#include "sip/auth/user_store_lookup.hpp"
#include "sip/header_tokens.hpp"
#include "sip/next_hop.hpp"
#include "sip/random.hpp"

namespace parley::registrar {
namespace {

// q-value "0.5" -> 500 (RFC 3261 20.10 qvalue); nullopt when malformed.
std::optional<std::uint16_t> parse_q(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s[0] != '0' && s[0] != '1') return std::nullopt;
  unsigned whole = static_cast<unsigned>(s[0] - '0');
  unsigned frac = 0;
  unsigned digits = 0;
  if (s.size() > 1) {
    if (s[1] != '.') return std::nullopt;
    for (std::size_t i = 2; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9' || digits == 3) return std::nullopt;
      frac = frac * 10 + static_cast<unsigned>(s[i] - '0');
      ++digits;
    }
  }
  while (digits++ < 3) frac *= 10;
  unsigned q = whole * 1000 + frac;
  if (q > 1000) return std::nullopt;
  return static_cast<std::uint16_t>(q);
}

std::optional<std::uint32_t> parse_seconds(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<std::uint32_t>(v);
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

std::string http_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// The instance id's URN without the angle brackets: "<urn:uuid:x>" -> "urn:uuid:x".
std::string instance_urn(std::string_view instance) {
  if (instance.size() >= 2 && instance.front() == '<' && instance.back() == '>')
    instance = instance.substr(1, instance.size() - 2);
  return std::string(instance);
}

// The event packages a Lync-protocol client may subscribe to here (pidgin-sipe
// subscribes to exactly those it finds listed).
constexpr std::string_view kLyncAllowEvents =
    "vnd-microsoft-roaming-contacts,presence,vnd-microsoft-roaming-self,"
    "vnd-microsoft-provisioning-v2";

}  // namespace

sip::Peer binding_destination(const sip::Uri& contact, std::string_view reg_id,
                              const sip::Peer& from) {
  // Connections: always the flow (the client may not listen at all; Lync
  // clients never do). RFC 5626 outbound (reg-id) over UDP: the flow too.
  if (sip::is_reliable(from.transport) || !reg_id.empty()) return from;
  // UDP: the Contact address (RFC 3261), unless it is not where the REGISTER
  // came from: a client behind NAT is reached at its public source address.
  sip::Peer at;
  if (!sip::next_hop(contact, at) || at.transport != sip::Transport::Udp || at.ip != from.ip)
    return from;
  return at;
}

std::string make_tag() { return sip::random_hex(8); }

Registrar::Registrar(RegistrarOptions options, store::UserStore& users,
                     sip::auth::DigestAuthenticator& authenticator, LocationService& location,
                     const base::TimerService& clock)
    : options_(std::move(options)),
      users_(users),
      authenticator_(authenticator),
      location_(location),
      clock_(clock) {}

bool Registrar::is_local_domain(std::string_view host) const {
  for (const auto& d : options_.domains) {
    if (sip::iequals(d, host)) return true;
  }
  return false;
}

Outcome Registrar::reply(const sip::Message& request, int status, std::string log) {
  sip::Message r = sip::Message::make_response(request, status, {}, make_tag());
  r.push_back(sip::HeaderId::Server, options_.server_header);
  return Outcome{std::move(r), std::move(log)};
}

Outcome Registrar::challenge(const sip::Message& request, std::string_view realm, bool stale,
                             std::string log, const sip::Peer& from) {
  sip::Message r = sip::Message::make_response(request, 401, {}, make_tag());
  sip::auth::add_challenge(r, authenticator_, realm, stale, /*proxy=*/false);
  // [MS-SIPAE] 3.3.5.1: NTLM runs over TLS only, and is offered only to a
  // Lync-protocol client (it says so with msrtc-event-categories): libre, under
  // baresip, refuses a 401 that has any scheme besides Digest.
  if (sas_ && from.transport == sip::Transport::Tls &&
      sip::supports_option(request, "msrtc-event-categories"))
    r.push_back(sip::HeaderId::WWWAuthenticate, sas_->offer());
  r.push_back(sip::HeaderId::Server, options_.server_header);
  return Outcome{std::move(r), std::move(log)};
}

std::optional<Outcome> Registrar::ntlm_step(const sip::Message& request,
                                            const sip::auth::sipae::Credentials& credentials,
                                            std::string_view realm, const sip::Peer& from,
                                            std::string& user) {
  using Step = sip::auth::SecurityAssociations::Step;
  if (from.transport != sip::Transport::Tls || from.flow == 0)
    return challenge(request, realm, false, "challenged: NTLM only over TLS", from);
  if (!credentials.has_gssapi_data) {
    // A refresh over an established SA: signed like every other message.
    auto v = sas_->verify(request, from.flow);
    if (v.check != sip::auth::SecurityAssociations::Check::Valid)
      return challenge(request, realm, false, "challenged: NTLM REGISTER without a valid SA",
                       from);
    if (v.domain != realm)
      return reply(request, 403, "rejected: NTLM user " + v.username + "@" + v.domain +
                                     " may not register in " + std::string(realm));
    user = v.username;
    return std::nullopt;
  }
  auto o = sas_->handshake(request, credentials, from.flow, ntlm_lookup_);
  switch (o.step) {
    case Step::Challenge: {
      sip::Message r = sip::Message::make_response(request, 401, {}, make_tag());
      r.push_back(sip::HeaderId::WWWAuthenticate, o.header);
      r.push_back(sip::HeaderId::Server, options_.server_header);
      return Outcome{std::move(r), "challenged: " + o.reason};
    }
    case Step::Established:
      if (o.domain != realm)
        return reply(request, 403, "rejected: " + o.reason + " may not register in " +
                                       std::string(realm));
      user = o.username;
      return std::nullopt;
    case Step::Rejected:
      return challenge(request, realm, false, "challenged: " + o.reason, from);
    case Step::Malformed:
      break;
  }
  return reply(request, 400, "rejected: malformed NTLM credentials: " + o.reason);
}

Outcome Registrar::handle(const sip::Message& request, const sip::Peer& from) {
  // Step 1: the Request-URI names a domain we are responsible for.
  if (!is_local_domain(request.request_uri().host_lower()))
    return reply(request, 403, "rejected: domain not served here");
  auto to = request.to();
  if (!to || !to->uri.is_sip()) return reply(request, 400, "rejected: bad To");
  std::string realm = to->uri.host_lower();
  if (!is_local_domain(realm)) return reply(request, 403, "rejected: To domain not served here");
  std::string user = sip::unescape(to->uri.user);
  std::string aor = to->uri.aor();

  // Step 3: authenticate (RFC 3261 22.2). Unknown users and wrong passwords get
  // the same answer, so the registrar does not reveal which accounts exist.
  std::string authenticated;
  std::optional<sip::auth::sipae::Credentials> ntlm;
  if (sas_) ntlm = sip::auth::SecurityAssociations::credentials_of(request);
  if (ntlm) {
    if (auto answer = ntlm_step(request, *ntlm, realm, from, authenticated)) {
      answer->log = aor + " " + answer->log;
      return std::move(*answer);
    }
  } else {
    auto result = sip::auth::verify_request(authenticator_, request, realm, /*proxy=*/false,
                                            sip::auth::user_store_lookup(users_));
    if (!result.ok()) {
      if (result.status == sip::auth::VerifyStatus::Malformed)
        return reply(request, 400, "rejected: malformed credentials: " + result.reason);
      return challenge(request, realm, result.stale(),
                       std::string("challenged ") + aor + ": " +
                           std::string(sip::auth::verify_status_name(result.status)),
                       from);
    }
    authenticated = result.username;
  }
  // Step 4: the authenticated user may register this AOR (its own).
  if (authenticated != user)
    return reply(request, 403, "rejected: " + authenticated + " may not register " + aor);

  // A Lync-protocol client ([MS-SIPREGE]) says so with msrtc-event-categories:
  // its bindings are marked, and its 200 is written as Lync Server writes it.
  const bool lync = sip::supports_option(request, "msrtc-event-categories");

  // Step 6 and 7: the Contact headers.
  auto contacts = request.find_all(sip::HeaderId::Contact);
  std::optional<std::uint32_t> header_expires = request.expires();
  auto cseq = request.cseq();
  base::TimePoint now = clock_.now();
  std::vector<BindingUpdate> updates;
  bool wildcard = false;
  for (const sip::Header* h : contacts) {
    auto na = sip::parse_name_addr(h->value);
    if (!na) return reply(request, 400, "rejected: bad Contact");
    if (na->wildcard) {
      wildcard = true;
      continue;
    }
    BindingUpdate u;
    u.contact = std::string(na->uri.text);
    std::uint32_t expires = options_.default_expires;
    if (auto e = na->param("expires")) {
      auto v = parse_seconds(*e);
      if (!v) return reply(request, 400, "rejected: bad Contact expires");
      expires = *v;
    } else if (header_expires) {
      expires = *header_expires;
    }
    if (expires != 0 && expires < options_.min_expires) {
      Outcome o = reply(request, 423, "rejected: expires " + std::to_string(expires) +
                                          " below minimum");
      o.response.push_back(sip::HeaderId::MinExpires, std::to_string(options_.min_expires));
      return o;
    }
    u.expires = std::min(expires, options_.max_expires);
    if (auto q = na->param("q")) {
      auto v = parse_q(*q);
      if (!v) return reply(request, 400, "rejected: bad q-value");
      u.q = *v;
    }
    u.lync = lync;
    if (auto inst = na->param("+sip.instance")) u.instance = unquote(*inst);
    if (auto rid = na->param("reg-id")) u.reg_id = std::string(*rid);
    u.destination = binding_destination(na->uri, u.reg_id, from);
    updates.push_back(std::move(u));
  }
  if (wildcard) {
    // RFC 3261 10.3 step 6: "*" only alone and only with Expires: 0.
    if (contacts.size() != 1 || !header_expires || *header_expires != 0)
      return reply(request, 400, "rejected: Contact * needs Expires: 0 and no other contact");
    if (location_.remove_all(aor, request.call_id(), cseq->number) ==
        LocationService::Result::OutOfOrder)
      return reply(request, 500, "rejected: out-of-order REGISTER");
  } else if (!updates.empty()) {
    if (location_.update(aor, updates, request.call_id(), cseq->number, from, now) ==
        LocationService::Result::OutOfOrder)
      return reply(request, 500, "rejected: out-of-order REGISTER");
  }
  if ((wildcard || !updates.empty()) && bindings_listener_) bindings_listener_(aor);

  // Step 8: 200 with every current binding.
  Outcome o = reply(request, 200, "");
  // A Lync client reads its GRUU from the OCS-style `gruu=` Contact parameter.
  bool gruu = sip::supports_option(request, "gruu") ||
              sip::supports_option(request, "gruu-10") || lync;
  auto bindings = location_.lookup(aor, now);
  std::optional<std::uint32_t> own_expires;
  for (const auto& b : bindings) {
    for (const auto& u : updates) {
      if (u.contact == b.contact) own_expires = b.seconds_left(now);
    }
  }
  for (const auto& b : bindings) {
    std::string v = "<" + b.contact + ">;expires=" + std::to_string(b.seconds_left(now));
    if (b.q != 1000) {
      char q[8];
      std::snprintf(q, sizeof q, "%u.%03u", b.q / 1000u, b.q % 1000u);
      v += ";q=";
      v += q;
    }
    if (!b.instance.empty()) {
      v += ";+sip.instance=\"" + b.instance + "\"";
      if (gruu) {
        std::string g = "sip:" + aor + ";gr=" + instance_urn(b.instance);
        v += ";pub-gruu=\"" + g + "\"";
        if (lync) v += ";gruu=\"" + g + "\"";
      }
    }
    if (!b.reg_id.empty()) v += ";reg-id=" + b.reg_id;
    o.response.push_back(sip::HeaderId::Contact, v);
  }
  if (gruu) o.response.push_back(sip::HeaderId::Supported, "gruu");
  if (lync) {
    // What a Lync Server 2013 registrar adds ([MS-SIPREGE] 3.4.5.1, [MS-CONMGMT]
    // 2.2.1 for ms-keep-alive): the client checks each Supported line on its
    // own and splits Allow-Events on bare commas.
    if (own_expires) o.response.push_back(sip::HeaderId::Expires, std::to_string(*own_expires));
    o.response.push_back(sip::HeaderId::Supported, "msrtc-event-categories");
    o.response.push_back(sip::HeaderId::Supported, "adhoclist");
    o.response.push_back(sip::HeaderId::AllowEvents, kLyncAllowEvents);
    o.response.push_back("ms-keep-alive",
                         "UAS; tcp=no; hop-hop=yes; end-pt=no; CRLF=yes; timeout=300");
  }
  o.response.push_back(sip::HeaderId::Date, http_date());
  o.log = (updates.empty() && !wildcard ? "queried " : "registered ") + aor + " from " +
          from.to_string() + ": " + std::to_string(bindings.size()) + " binding(s)";
  return o;
}

}  // namespace parley::registrar
