#include "sip/auth/security_associations.hpp"

#include <atomic>

#include "sip/chars.hpp"
#include "sip/random.hpp"

namespace parley::sip::auth {

struct SecurityAssociations::Association {
  std::string opaque;
  ntlm::ServerChallenge server_challenge{};
  int version = sipae::kVersion;
  base::TimePoint created;
  // Set once, under mu_, when the handshake completes; read-only afterwards.
  bool established = false;
  base::TimePoint established_at;
  FlowId flow = 0;
  ntlm::SessionKeys keys;
  std::string username;
  std::string domain;
  std::atomic<std::uint32_t> snum{0};
};

SecurityAssociations::SecurityAssociations(SecurityAssociationOptions options,
                                           const base::TimerService& clock)
    : options_(std::move(options)), clock_(clock) {}

SecurityAssociations::~SecurityAssociations() = default;

std::string SecurityAssociations::offer() const {
  sipae::Challenge c;
  c.targetname = options_.targetname;
  return sipae::format_challenge(c);
}

namespace {

// `bytes` random bytes in upper-case hex, as Lync servers write opaque and srand.
std::string random_upper_hex(std::size_t bytes) {
  std::string s = random_hex(bytes);
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

SecurityAssociations::Outcome outcome(SecurityAssociations::Step step, std::string reason) {
  SecurityAssociations::Outcome o;
  o.step = step;
  o.reason = std::move(reason);
  return o;
}

// The NTLM credentials header of a message from the client, if any: pidgin-sipe
// signs in Authorization; Proxy-Authorization is accepted the same way.
std::optional<sipae::Credentials> ntlm_credentials(const Message& m) {
  for (HeaderId id : {HeaderId::Authorization, HeaderId::ProxyAuthorization}) {
    for (const Header* h : m.find_all(id)) {
      std::string_view v = h->value;
      if (v.size() < 4 || !iequals(v.substr(0, 4), "NTLM")) continue;
      if (auto c = sipae::parse_credentials(v)) return c;
    }
  }
  return std::nullopt;
}

}  // namespace

SecurityAssociations::Outcome SecurityAssociations::handshake(
    const Message& request, const sipae::Credentials& credentials, FlowId flow,
    const NtlmUserLookup& lookup) {
  base::TimePoint now = clock_.now();
  if (credentials.gssapi_data.empty()) {
    // Step 2: a new SA and its CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2).
    auto sa = std::make_shared<Association>();
    random_fill(sa->server_challenge);
    sa->opaque = random_upper_hex(4);
    sa->created = now;
    ntlm::ChallengeParams p;
    p.server_challenge = sa->server_challenge;
    p.target_name = options_.nb_domain;
    p.nb_domain = options_.nb_domain;
    p.nb_computer = options_.nb_computer;
    p.dns_domain = options_.dns_domain;
    p.dns_computer = options_.targetname;
    auto msg = ntlm::build_challenge(p);
    if (!msg) return outcome(Step::Malformed, "cannot build an NTLM challenge: " +
                                                  std::string(ntlm::to_string(msg.error())));
    sipae::Challenge c;
    c.targetname = options_.targetname;
    c.opaque = sa->opaque;
    c.gssapi_data = sipae::base64_encode(*msg);
    Outcome o = outcome(Step::Challenge, "NTLM challenge, SA " + sa->opaque);
    o.header = sipae::format_challenge(c);
    std::lock_guard lock(mu_);
    if (pending_ >= options_.max_pending)
      return outcome(Step::Rejected, "too many NTLM handshakes under way");
    if (by_opaque_.emplace(sa->opaque, std::move(sa)).second) ++pending_;
    return o;
  }

  // Step 3: the AUTHENTICATE_MESSAGE for a pending SA.
  std::shared_ptr<Association> sa;
  {
    std::lock_guard lock(mu_);
    auto it = by_opaque_.find(credentials.opaque);
    if (it != by_opaque_.end() && !it->second->established &&
        now - it->second->created <= options_.handshake_lifetime)
      sa = it->second;
  }
  if (!sa) return outcome(Step::Rejected, "no pending NTLM SA " + credentials.opaque);
  auto bytes = sipae::base64_decode(credentials.gssapi_data);
  if (!bytes) return outcome(Step::Malformed, "gssapi-data is not base64");
  auto auth = ntlm::parse_authenticate(*bytes);
  if (!auth)
    return outcome(Step::Malformed,
                   "bad AUTHENTICATE_MESSAGE: " + std::string(ntlm::to_string(auth.error())));
  std::optional<NtlmUser> user = lookup ? lookup(auth->user, auth->domain) : std::nullopt;
  // An unknown user is verified against a hash nobody has, so that the answer
  // and its cost are the same as for a wrong password.
  ntlm::Key hash = user ? user->nt_hash : ntlm::Key{};
  auto session = ntlm::verify_ntlmv2(*auth, hash, sa->server_challenge);
  std::string who = auth->domain.empty() ? auth->user : auth->domain + "\\" + auth->user;
  if (!session || !user)
    return outcome(Step::Rejected,
                   "NTLM " + who + ": " +
                       (user ? std::string(ntlm::to_string(session.error())) : "unknown user"));
  auto keys = ntlm::derive_session_keys(session->exported_session_key, auth->flags);
  if (!keys)
    return outcome(Step::Rejected,
                   "NTLM " + who + ": " + std::string(ntlm::to_string(keys.error())));
  if (!credentials.response.empty()) {
    auto sig = sipae::parse_signature_hex(credentials.response);
    int version = credentials.version ? credentials.version : sa->version;
    std::string input =
        sipae::signature_input(request, sipae::signature_params(credentials, version));
    if (!sig || !ntlm::verify(keys->client, sipae::kSequenceNumber, input, *sig))
      return outcome(Step::Rejected, "NTLM " + who + ": bad signature on the REGISTER");
  }
  Outcome o = outcome(Step::Established, "NTLM SA " + sa->opaque + " for " + who);
  o.username = user->username;
  o.domain = user->domain;
  std::lock_guard lock(mu_);
  auto live = by_opaque_.find(sa->opaque);
  if (live == by_opaque_.end() || live->second != sa || sa->established)
    return outcome(Step::Rejected, "NTLM SA " + sa->opaque + " expired or already in use");
  sa->keys = *keys;
  sa->username = user->username;
  sa->domain = user->domain;
  sa->flow = flow;
  sa->established_at = now;
  sa->established = true;
  --pending_;
  if (flow != 0) {
    // One SA per connection: a new handshake over it replaces the old SA.
    auto old = by_flow_.find(flow);
    if (old != by_flow_.end()) {
      auto o_it = by_opaque_.find(old->second->opaque);
      if (o_it != by_opaque_.end()) drop_locked(o_it);
    }
    by_flow_[flow] = sa;
    flows_.store(by_flow_.size(), std::memory_order_relaxed);
  }
  return o;
}

std::shared_ptr<SecurityAssociations::Association> SecurityAssociations::find_flow(
    FlowId flow) const {
  if (flow == 0 || flows_.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard lock(mu_);
  auto it = by_flow_.find(flow);
  if (it == by_flow_.end()) return nullptr;
  if (clock_.now() - it->second->established_at > options_.lifetime) return nullptr;
  return it->second;
}

bool SecurityAssociations::has_association(FlowId flow) const { return find_flow(flow) != nullptr; }

std::optional<NtlmUser> SecurityAssociations::identity(FlowId flow) const {
  auto sa = find_flow(flow);
  if (!sa) return std::nullopt;
  return NtlmUser{sa->username, sa->domain, {}};
}

std::optional<sipae::Credentials> SecurityAssociations::credentials_of(const Message& m) {
  return ntlm_credentials(m);
}

SecurityAssociations::Verified SecurityAssociations::verify(const Message& m, FlowId flow) const {
  Verified v;
  auto sa = find_flow(flow);
  if (!sa) return v;
  auto c = ntlm_credentials(m);
  if (!c || c->response.empty()) {
    v.check = Check::Unsigned;
    return v;
  }
  v.check = Check::Invalid;
  if (c->opaque != sa->opaque) return v;
  auto sig = sipae::parse_signature_hex(c->response);
  if (!sig) return v;
  std::string input = sipae::signature_input(m, sipae::signature_params(*c, sa->version));
  if (!ntlm::verify(sa->keys.client, sipae::kSequenceNumber, input, *sig)) return v;
  v.check = Check::Valid;
  v.username = sa->username;
  v.domain = sa->domain;
  return v;
}

bool SecurityAssociations::sign(Message& m, FlowId flow) {
  auto sa = find_flow(flow);
  if (!sa) return false;
  sipae::AuthenticationInfo a;
  a.srand = random_upper_hex(4);
  a.snum = std::to_string(sa->snum.fetch_add(1, std::memory_order_relaxed) + 1);
  a.opaque = sa->opaque;
  a.targetname = options_.targetname;
  a.version = sa->version;
  std::string input = sipae::signature_input(m, sipae::signature_params(a, sa->version));
  auto sig = ntlm::sign(sa->keys.server, sipae::kSequenceNumber, input);
  if (!sig) return false;
  a.rspauth = sipae::signature_hex(*sig);
  m.remove_all(HeaderId::AuthenticationInfo);
  m.push_back(HeaderId::AuthenticationInfo, sipae::format_authentication_info(a));
  return true;
}

void SecurityAssociations::drop_locked(
    std::unordered_map<std::string, std::shared_ptr<Association>>::iterator it) {
  const Association& sa = *it->second;
  if (sa.established) {
    auto f = by_flow_.find(sa.flow);
    if (f != by_flow_.end() && f->second == it->second) by_flow_.erase(f);
    flows_.store(by_flow_.size(), std::memory_order_relaxed);
  } else {
    --pending_;
  }
  by_opaque_.erase(it);
}

void SecurityAssociations::flow_closed(FlowId flow) {
  std::lock_guard lock(mu_);
  auto it = by_flow_.find(flow);
  if (it == by_flow_.end()) return;
  auto o_it = by_opaque_.find(it->second->opaque);
  if (o_it != by_opaque_.end()) {
    drop_locked(o_it);
  } else {
    by_flow_.erase(it);
    flows_.store(by_flow_.size(), std::memory_order_relaxed);
  }
}

std::size_t SecurityAssociations::purge() {
  base::TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (auto it = by_opaque_.begin(); it != by_opaque_.end();) {
    const Association& sa = *it->second;
    bool expired = sa.established ? now - sa.established_at > options_.lifetime
                                  : now - sa.created > options_.handshake_lifetime;
    if (!expired) {
      ++it;
      continue;
    }
    auto next = std::next(it);
    drop_locked(it);
    it = next;
    ++n;
  }
  return n;
}

std::size_t SecurityAssociations::size() const {
  std::lock_guard lock(mu_);
  return by_opaque_.size();
}

}  // namespace parley::sip::auth
