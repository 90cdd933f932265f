#include "roles/proxy/proxy.hpp"

#include <climits>
#include <functional>
#include <mutex>
#include <set>

#include "roles/registrar/registrar.hpp"
#include "sip/auth/credentials.hpp"
#include "sip/auth/message_credentials.hpp"
#include "sip/auth/user_store_lookup.hpp"
#include "sip/transaction/branch.hpp"

namespace parley::proxy {

using sip::HeaderId;
using sip::Message;

// The state of one proxied request: its server transaction and branches.
//
// Ownership: the transactions own the context (set_context / ClientOptions),
// the context only observes them, so nothing outlives the transactions.
struct Proxy::Context {
  std::mutex mu;
  // The caller's transaction; its request() is the request as received, for
  // responses made here (no copy is kept: it would live as long as the context).
  std::weak_ptr<sip::ServerTransaction> server;
  std::vector<std::weak_ptr<sip::ClientTransaction>> branches;
  // 16.7 step 7: every 401/407 challenge from any branch, for the final one.
  std::vector<std::pair<HeaderId, std::string>> challenges;
  std::set<const sip::ClientTransaction*> done;
  std::size_t pending = 0;  // branches without a final outcome
  bool final_sent = false;  // a final response went upstream
  bool got_2xx = false;
  bool cancelled = false;
  std::optional<Message> best;  // best final response so far (Vias as received)
  bool best_is_ours = false;    // synthesized here: no Via of ours to pop
  int best_rank = INT_MAX;

  // Branches other than `except` that may still need a CANCEL (mu held).
  std::vector<sip::ClientTransactionPtr> live_branches(const sip::ClientTransaction* except) {
    std::vector<sip::ClientTransactionPtr> out;
    for (auto& w : branches) {
      if (auto b = w.lock(); b && b.get() != except && !done.count(b.get())) out.push_back(b);
    }
    return out;
  }
};

namespace {

std::string hex64(std::uint64_t v) {
  static const char* d = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = d[v & 15];
  return s;
}

// RFC 3261 16.7 step 6: 6xx first, then the lowest class; within 4xx prefer
// the responses the client can act on.
int rank(int status) {
  int cls = status / 100;
  if (cls == 6) return 0;
  int preferred =
      (status == 401 || status == 407 || status == 415 || status == 420 || status == 484) ? 0
                                                                                          : status;
  return cls * 1000 + preferred;
}

// Removes the Proxy-Authorization values addressed to `realm`.
void drop_credentials(Message& m, std::string_view realm) {
  std::vector<std::string> keep;
  for (const sip::Header* h : m.find_all(HeaderId::ProxyAuthorization)) {
    auto parsed = sip::auth::parse_digest_credentials(h->value);
    if (!parsed.ok() || parsed.credentials.realm != realm) keep.emplace_back(h->value);
  }
  m.remove_all(HeaderId::ProxyAuthorization);
  for (const auto& v : keep) m.push_back(HeaderId::ProxyAuthorization, v);
}

bool dialog_creating(sip::Method m) {
  return m == sip::Method::Invite || m == sip::Method::Subscribe || m == sip::Method::Refer ||
         m == sip::Method::Notify;
}

}  // namespace

Proxy::Proxy(ProxyOptions options, const LocalIdentity& identity,
             registrar::LocationService& location, store::UserStore& users,
             sip::auth::DigestAuthenticator& authenticator, sip::TransactionLayer& transactions,
             sip::Sender& stateless, const base::TimerService& clock, RequestLog& log)
    : options_(std::move(options)),
      identity_(identity),
      location_(location),
      users_(users),
      authenticator_(authenticator),
      transactions_(transactions),
      stateless_(stateless),
      clock_(clock),
      log_(log),
      token_(options_.dialog_secret.empty() ? DialogToken() : DialogToken(options_.dialog_secret)) {}

LocalService* Proxy::local_for(const Message& m) const {
  for (LocalService* s : locals_) {
    if (s->wants(m)) return s;
  }
  return nullptr;
}

bool Proxy::is_local_domain(std::string_view host) const {
  for (const auto& d : options_.domains) {
    if (sip::iequals(d, host)) return true;
  }
  return false;
}

void Proxy::reject(const sip::ServerTransactionPtr& tx, int status, std::string_view why,
                   std::string_view reason) {
  Message r = Message::make_response(tx->request(), status, reason, registrar::make_tag());
  r.push_back(HeaderId::Server, options_.server_header);
  log_.rejected(tx->request(), tx->source(), status, why);
  tx->respond(std::move(r));
}

bool Proxy::pop_own_routes(Message& m) const {
  // RFC 3261 16.4: a strict router before us put our URI in the Request-URI
  // and the real one in the last Route.
  std::string strict_token;
  if (identity_.is_ours(m.request_uri()) && m.count(HeaderId::Route) > 0) {
    auto routes = m.find_all(HeaderId::Route);
    auto last = sip::parse_name_addr(routes.back()->value);
    if (last) {
      if (auto dt = m.request_uri().param("dt")) strict_token = std::string(*dt);
      std::string uri(last->uri.text);
      std::vector<std::string> keep;
      for (std::size_t i = 0; i + 1 < routes.size(); ++i) keep.emplace_back(routes[i]->value);
      m.remove_all(HeaderId::Route);
      for (auto& r : keep) m.push_back(HeaderId::Route, r);
      m.set_request_uri(uri);
    }
  }
  std::string from_tag, to_tag;
  if (auto f = m.from()) from_tag = std::string(f->tag());
  if (auto t = m.to()) to_tag = std::string(t->tag());
  bool trusted = !strict_token.empty() && (token_.check(m.call_id(), from_tag, strict_token) ||
                                           token_.check(m.call_id(), to_tag, strict_token));
  for (;;) {
    const sip::Header* top = m.find(HeaderId::Route);
    if (!top) break;
    auto na = sip::parse_name_addr(top->value);
    if (!na || !identity_.is_ours(na->uri)) break;
    if (auto dt = na->uri.param("dt")) {
      trusted = trusted || token_.check(m.call_id(), from_tag, *dt) ||
                token_.check(m.call_id(), to_tag, *dt);
    }
    m.pop_front(HeaderId::Route);
  }
  return trusted;
}

std::string Proxy::record_route_params(const Message& m) const {
  std::string tag;
  if (auto f = m.from()) tag = std::string(f->tag());
  if (tag.empty()) return {};
  return ";dt=" + token_.make(m.call_id(), tag);
}

Proxy::Caller Proxy::authenticate(const sip::ServerTransactionPtr& tx, Message& m) {
  const Message& in = tx->request();
  auto from = m.from();
  if (!from || !from->uri.is_sip()) {
    reject(tx, 400, "bad From");
    return Caller::Answered;
  }
  std::string from_domain = from->uri.host_lower();
  // Requests from other domains may reach local users (they cannot prove an
  // identity here); the caller refuses any other target.
  if (!is_local_domain(from_domain)) return Caller::Unverified;
  if (sas_) {
    if (auto sa_user = sas_->identity(tx->source().flow)) {
      if (sa_user->username != sip::unescape(from->uri.user) || sa_user->domain != from_domain) {
        reject(tx, 403, "NTLM SA of " + sa_user->username + "@" + sa_user->domain +
                            " but From is " + from->uri.aor());
        return Caller::Answered;
      }
      return Caller::Authenticated;
    }
  }
  auto result = sip::auth::verify_request(authenticator_, in, from_domain, /*proxy=*/true,
                                          sip::auth::user_store_lookup(users_));
  if (result.status == sip::auth::VerifyStatus::Malformed) {
    reject(tx, 400, "malformed credentials: " + result.reason);
    return Caller::Answered;
  }
  if (!result.ok()) {
    Message r = Message::make_response(in, 407, {}, registrar::make_tag());
    sip::auth::add_challenge(r, authenticator_, from_domain, result.stale(), /*proxy=*/true);
    r.push_back(HeaderId::Server, options_.server_header);
    log_.rejected(
        in, tx->source(), 407,
        std::string("challenged: ") + std::string(sip::auth::verify_status_name(result.status)));
    tx->respond(std::move(r));
    return Caller::Answered;
  }
  if (result.username != sip::unescape(from->uri.user)) {
    reject(tx, 403, "authenticated as " + result.username + " but From is " + from->uri.aor());
    return Caller::Answered;
  }
  // RFC 3261 22.3: credentials for our realm were consumed here; the callee
  // has no use for them.
  drop_credentials(m, from_domain);
  return Caller::Authenticated;
}

std::optional<Message> Proxy::stateless_challenge(const Message& in, const sip::Peer& source) {
  // Exactly the requests on_request() sends to authenticate() and which it
  // answers with 407 there: every check before that passes and there are no
  // credentials to verify.
  switch (in.method()) {
    case sip::Method::Invite:
    case sip::Method::Ack:
    case sip::Method::Cancel:
    case sip::Method::Register:
      return std::nullopt;
    default:
      break;
  }
  if (sas_ && sas_->has_association(source.flow)) return std::nullopt;
  if (!in.request_uri().is_sip()) return std::nullopt;
  auto mf = in.max_forwards();
  if (mf && *mf == 0) return std::nullopt;
  if (in.count(HeaderId::ProxyRequire) > 0 || in.count(HeaderId::Route) > 0 ||
      in.count(HeaderId::ProxyAuthorization) > 0 || in.count(HeaderId::Via) != 1) {
    return std::nullopt;
  }
  auto to = in.to();
  if (!to || !to->tag().empty()) return std::nullopt;
  auto from = in.from();
  if (!from || !from->uri.is_sip()) return std::nullopt;
  std::string from_domain = from->uri.host_lower();
  if (!is_local_domain(from_domain)) return std::nullopt;
  Message r = Message::make_response(in, 407, {}, registrar::make_tag());
  sip::auth::add_challenge(r, authenticator_, from_domain, /*stale=*/false, /*proxy=*/true);
  r.push_back(HeaderId::Server, options_.server_header);
  log_.rejected(in, source, 407, "challenged: no credentials (stateless)");
  return r;
}

bool Proxy::from_lync_client(const Message& m, const sip::Peer& source) const {
  if (source.flow == 0) return false;
  if (sas_ && sas_->has_association(source.flow)) return true;
  auto from = m.from();
  if (!from || !from->uri.is_sip()) return false;
  for (const auto& b : location_.lookup(from->uri.aor(), clock_.now())) {
    if (b.lync && b.flow.flow == source.flow) return true;
  }
  return false;
}

std::optional<sip::Peer> Proxy::route_to(const Message& m) const {
  if (const sip::Header* route = m.find(HeaderId::Route)) {
    auto na = sip::parse_name_addr(route->value);
    sip::Peer p;
    if (na && next_hop(na->uri, p)) return p;
    return std::nullopt;
  }
  const sip::Uri& ruri = m.request_uri();
  if (auto b = location_.find_contact(ruri.text, clock_.now())) return b->flow;
  sip::Peer p;
  if (next_hop(ruri, p)) return p;
  return std::nullopt;
}

std::string Proxy::loop_key(const Message& m) const {
  // RFC 3261 16.6 step 8 / 16.3 step 4: the fields that stay the same when a
  // request comes back unchanged, and change when it spirals legitimately.
  std::string k(m.request_uri().text);
  k += '\n';
  if (auto f = m.from()) k += f->tag();
  k += '\n';
  if (auto t = m.to()) k += t->tag();
  k += '\n';
  k += m.call_id();
  k += '\n';
  if (auto c = m.cseq()) k += std::to_string(c->number);
  // Proxy-Authorization is left out: it is consumed (removed) here, and a
  // retry with credentials has a new CSeq anyway.
  for (HeaderId id : {HeaderId::ProxyRequire, HeaderId::Route}) {
    for (const sip::Header* h : m.find_all(id)) {
      k += '\n';
      k += h->value;
    }
  }
  return hex64(std::hash<std::string>{}(k));
}

bool Proxy::looped(const Message& m, const std::string& key) const {
  std::string prefix = "z9hG4bKPl" + key + ".";
  for (const sip::Header* h : m.find_all(HeaderId::Via)) {
    auto v = sip::parse_via(h->value);
    if (!v) continue;
    sip::Transport t = sip::Transport::Udp;
    sip::parse_transport(v->transport, t);
    if (v->branch().starts_with(prefix) && identity_.is_our_sent_by(v->host, v->port, t))
      return true;
  }
  return false;
}

void Proxy::on_request(const sip::ServerTransactionPtr& tx) {
  const Message& in = tx->request();
  Message m = in;

  // 16.3: validation. Step 2: only sip and sips URIs are routed here (tel:
  // waits for the Mediation role).
  if (!m.request_uri().is_sip())
    return reject(tx, 416, "Request-URI scheme " + std::string(m.request_uri().scheme) +
                               " is not supported");
  auto mf = m.max_forwards();
  if (mf && *mf == 0) return reject(tx, 483, "Max-Forwards reached 0");
  // 16.3 step 5; a request the presence role takes may require what it
  // understands ([MS-SIP] ms-benotify).
  LocalService* local = local_for(m);
  std::string unsupported;
  for (const sip::Header* h : m.find_all(HeaderId::ProxyRequire)) {
    if (local && local->understands(h->value)) continue;
    if (!unsupported.empty()) unsupported += ", ";
    unsupported += h->value;
  }
  if (!unsupported.empty()) {
    Message r = Message::make_response(in, 420, {}, registrar::make_tag());
    r.push_back(HeaderId::Unsupported, unsupported);
    log_.rejected(in, tx->source(), 420, "unsupported Proxy-Require");
    tx->respond(std::move(r));
    return;
  }
  std::string key = loop_key(m);
  if (looped(m, key)) return reject(tx, 482, "loop detected");

  // 16.4: route information; is this a dialog we record-routed?
  bool dialog_route = pop_own_routes(m);
  auto to = m.to();
  bool in_dialog = to && !to->tag().empty();
  // A dialog the IM gateway answered itself ends here.
  if (in_dialog && gateway_ && gateway_->in_dialog(tx)) {
    if (im_sessions_) im_sessions_->in_dialog(in);
    log_.accepted(in, tx->source(), "answered by the IM gateway");
    return;
  }
  dialog_route = dialog_route && in_dialog;

  // 22.3: everything that is not a dialog of ours is authenticated.
  Caller caller = Caller::Unverified;
  if (!dialog_route) {
    caller = authenticate(tx, m);
    if (caller == Caller::Answered) return;
  }
  if (local && !dialog_route) {
    std::string who;
    if (caller == Caller::Authenticated) {
      if (auto f = m.from()) who = f->uri.aor();
    }
    log_.accepted(in, tx->source(), "answered by a local role");
    local->handle(tx, who);
    return;
  }

  if (dialog_route && im_sessions_) im_sessions_->in_dialog(m);

  // 16.5: targets.
  std::vector<Target> targets;
  const sip::Uri& ruri = m.request_uri();
  if (m.count(HeaderId::Route) > 0) {
    if (!dialog_route) return reject(tx, 403, "a Route beyond this server needs a dialog of ours");
    auto dest = route_to(m);
    if (!dest) return reject(tx, 404, "next Route is not reachable");
    targets.push_back(Target{"", *dest});
  } else if (ruri.is_sip() && is_local_domain(ruri.host_lower())) {
    std::string user = sip::unescape(ruri.user);
    std::string domain = ruri.host_lower();
    if (user.empty()) return reject(tx, 404, "no user part in " + std::string(ruri.text));
    bool known = users_.find(user, domain).has_value();
    // Looked up whether or not the user exists, so that both answers below
    // cost the same work. A binding left behind by a removed user is ignored.
    auto bindings = location_.lookup(ruri.aor(), clock_.now());
    if (!known) bindings.clear();
    std::optional<std::string_view> gruu = ruri.param("gr");
    for (const auto& b : bindings) {
      if (gruu) {
        std::string_view inst = b.instance;
        if (inst.size() >= 2 && inst.front() == '<') inst = inst.substr(1, inst.size() - 2);
        if (inst != *gruu) continue;
      }
      targets.push_back(Target{b.contact, b.flow});
    }
    // An empty target set. RFC 3261 16.5 asks for 404 when the resource does
    // not exist (21.4.4: "definitive information that the user does not exist")
    // and SHOULD be 480 otherwise (21.4.18: not reachable now). Telling the two
    // apart to anyone who asks lets a scan list the accounts (sipvicious svwar
    // reports every extension whose answer differs from a random one's). So:
    //   - a local user who authenticated gets 404 for an unknown user: the
    //     directory is open to them anyway (as in Lync, where signed-in users
    //     search the address book);
    //   - an unverified caller (another domain, which cannot prove an identity
    //     here while there is no federation; or an in-dialog request) gets 480
    //     for both, with the same reason phrase and headers. 480 rather than
    //     404 for both because it is true of an unknown user too (nobody can be
    //     reached at that URI now), while 404 would be false for a real user and
    //     tells a remote client to drop the contact. The log says which it was.
    // Only for a Lync-protocol caller (signed in over an NTLM SA): a standard
    // client that opens an IM session by INVITE talks to the callee itself.
    if (gateway_ && !in_dialog && caller == Caller::Authenticated &&
        m.method() == sip::Method::Invite && ImGateway::wanted(bindings) &&
        ImSessionTracker::is_im_invite(m) && from_lync_client(m, tx->source())) {
      std::string caller_aor = m.from()->uri.aor();
      gateway_->answer(tx, caller_aor, ruri.aor(), bindings);
      if (im_sessions_) im_sessions_->answered(in);
      log_.accepted(in, tx->source(),
                    "IM gateway: " + ruri.aor() + " has only standard SIP clients");
      return;
    }
    if (targets.empty()) {
      if (known) return reject(tx, 480, "no binding for " + ruri.aor());
      if (caller == Caller::Authenticated) return reject(tx, 404, "no such user " + ruri.aor());
      return reject(tx, 480, "no such user " + ruri.aor() + " (480 to an unverified caller)");
    }
  } else if (dialog_route) {
    auto dest = route_to(m);
    if (!dest) return reject(tx, 404, "remote target is not reachable");
    targets.push_back(Target{"", *dest});
  } else {
    return reject(tx, 403, "domain " + ruri.host_lower() + " is not served here (no federation)");
  }

  // 16.6 step 3: Max-Forwards.
  m.set(HeaderId::MaxForwards, std::to_string(mf ? *mf - 1 : 70));
  bool rr = !in_dialog && dialog_creating(m.method());
  forward(tx, std::move(m), targets, key, rr);
}

void Proxy::forward(const sip::ServerTransactionPtr& tx, Message request,
                    const std::vector<Target>& targets, const std::string& key, bool record_route) {
  auto ctx = std::make_shared<Context>();
  ctx->server = tx;
  ctx->pending = targets.size();
  tx->set_context(ctx);
  sip::Local arrived = identity_.listener_for(tx->source().transport);
  std::string rr_params = record_route ? record_route_params(request) : std::string{};
  std::string log_targets;
  for (const auto& t : targets) {
    Message out = request;
    if (!t.request_uri.empty()) out.set_request_uri(t.request_uri);
    sip::Local leaving = identity_.listener_for(t.destination.transport);
    if (record_route) {  // 16.6 step 4; RFC 5658 double Record-Route across transports
      out.push_front(HeaderId::RecordRoute, identity_.record_route(arrived, rr_params));
      if (leaving.transport != arrived.transport)
        out.push_front(HeaderId::RecordRoute, identity_.record_route(leaving, rr_params));
    }
    std::string branch = "z9hG4bKPl" + key + "." + sip::make_branch().substr(7);
    out.push_front(HeaderId::Via, identity_.via(leaving, branch));
    sip::ClientOptions opts;
    opts.context = ctx;
    if (out.method() == sip::Method::Invite) opts.timer_c = options_.timer_c;
    if (!log_targets.empty()) log_targets += ", ";
    log_targets += t.destination.to_string();
    auto branch_tx = transactions_.send_request(std::move(out), t.destination, opts);
    std::lock_guard lock(ctx->mu);
    if (!branch_tx) {
      if (ctx->pending > 0) --ctx->pending;
      continue;
    }
    ctx->branches.push_back(branch_tx);
    if (ctx->got_2xx || ctx->cancelled) branch_tx->cancel();
  }
  log_.accepted(tx->request(), tx->source(), "forwarded to " + log_targets);
  bool none;
  {
    std::lock_guard lock(ctx->mu);
    none = ctx->branches.empty() && !ctx->final_sent;
    if (none) ctx->final_sent = true;
  }
  if (none) {
    Message r = Message::make_response(tx->request(), 503, {}, registrar::make_tag());
    tx->respond(std::move(r));
  }
}

void Proxy::send_upstream(const std::shared_ptr<Context>& ctx, const Message& response,
                          bool pop_via) {
  auto server = ctx->server.lock();
  if (!server) return;  // the caller's transaction is gone: nobody to tell
  Message out = response;
  if (pop_via) out.pop_front(HeaderId::Via);
  server->respond(std::move(out));
}

void Proxy::on_response(const sip::ClientTransactionPtr& tx, const Message& response) {
  auto ctx = std::static_pointer_cast<Context>(tx->context());
  if (!ctx) return;  // a CANCEL's own response
  int status = response.status();
  if (status == 100) return;  // 16.7 step 5: never forwarded
  if (status < 200) {
    bool forward;
    {
      std::lock_guard lock(ctx->mu);
      forward = !ctx->final_sent;
    }
    if (forward) send_upstream(ctx, response);
    return;
  }
  if (status < 300) {
    // 16.7 step 10 (and RFC 6026): every 2xx goes upstream; the others are cancelled.
    std::vector<sip::ClientTransactionPtr> others;
    {
      std::lock_guard lock(ctx->mu);
      ctx->final_sent = true;
      if (!ctx->got_2xx) {
        ctx->got_2xx = true;
        others = ctx->live_branches(tx.get());
      }
      if (ctx->done.insert(tx.get()).second && ctx->pending > 0) --ctx->pending;
    }
    send_upstream(ctx, response);
    for (auto& b : others) b->cancel();
    if (im_sessions_ && response.cseq() && response.cseq()->method == sip::Method::Invite) {
      if (auto server = ctx->server.lock()) im_sessions_->answered(server->request());
    }
    return;
  }
  branch_done(ctx, tx, response, 0);
}

void Proxy::on_client_error(const sip::ClientTransactionPtr& tx, sip::TransactionError error) {
  auto ctx = std::static_pointer_cast<Context>(tx->context());
  if (!ctx) return;
  branch_done(ctx, tx, std::nullopt, error == sip::TransactionError::Timeout ? 408 : 503);
}

void Proxy::branch_done(const std::shared_ptr<Context>& ctx, const sip::ClientTransactionPtr& tx,
                        std::optional<Message> response, int synthesized_status) {
  std::optional<Message> send;
  bool ours = false;
  std::vector<sip::ClientTransactionPtr> cancel;
  {
    std::lock_guard lock(ctx->mu);
    if (!ctx->done.insert(tx.get()).second) return;
    if (ctx->pending > 0) --ctx->pending;
    int status = response ? response->status() : synthesized_status;
    if (response && (status == 401 || status == 407)) {  // 16.7 step 7
      for (HeaderId id : {HeaderId::WWWAuthenticate, HeaderId::ProxyAuthenticate}) {
        for (const sip::Header* h : response->find_all(id)) {
          ctx->challenges.emplace_back(id, std::string(h->value));
        }
      }
    }
    // 16.7 step 5: a 6xx ends the search; the other branches are cancelled.
    if (status >= 600 && !ctx->cancelled) {
      ctx->cancelled = true;
      cancel = ctx->live_branches(tx.get());
    }
    int r = rank(status);
    if (r < ctx->best_rank) {
      ctx->best_rank = r;
      if (response) {
        ctx->best = std::move(response);
        ctx->best_is_ours = false;
      } else if (auto server = ctx->server.lock()) {
        ctx->best = Message::make_response(server->request(), synthesized_status, {},
                                           registrar::make_tag());
        ctx->best_is_ours = true;
      }
    }
    if (ctx->pending == 0 && !ctx->final_sent && ctx->best) {
      ctx->final_sent = true;
      send = std::move(ctx->best);
      ours = ctx->best_is_ours;
      int final_status = send->status();
      if (final_status == 401 || final_status == 407) {
        for (const auto& [id, value] : ctx->challenges) {
          bool present = false;
          for (const sip::Header* h : send->find_all(id)) present = present || h->value == value;
          if (!present) send->push_back(id, value);
        }
      }
    }
  }
  for (auto& b : cancel) b->cancel();
  if (!send) return;
  if (send->status() == 503) send->set_status(500);  // 16.7 step 6
  send_upstream(ctx, *send, /*pop_via=*/!ours);
}

void Proxy::on_cancel(const sip::ServerTransactionPtr& invite,
                      const sip::ServerTransactionPtr& cancel) {
  // RFC 3261 16.10 / 8.2.6.2: answered as a UAS would, with a To tag.
  cancel->respond(Message::make_response(cancel->request(), 200, {}, registrar::make_tag()));
  auto ctx = std::static_pointer_cast<Context>(invite->context());
  std::vector<sip::ClientTransactionPtr> branches;
  bool answer_now = false;
  if (ctx) {
    std::lock_guard lock(ctx->mu);
    ctx->cancelled = true;
    branches = ctx->live_branches(nullptr);
    if (ctx->branches.empty() && !ctx->final_sent) {
      ctx->final_sent = true;
      answer_now = true;
    }
  } else {
    answer_now = true;
  }
  log_.accepted(cancel->request(), cancel->source(),
                "cancelling " + std::to_string(branches.size()) + " branch(es)");
  for (auto& b : branches) b->cancel();
  if (answer_now)
    invite->respond(Message::make_response(invite->request(), 487, {}, registrar::make_tag()));
}

void Proxy::on_ack(const Message& ack, const sip::Peer& from) {
  // The ACK for a 2xx is its own transaction-less request (RFC 3261 13.2.2.4):
  // follow the route set statelessly.
  // Only along a dialog this proxy record-routed, or to a local user: an ACK
  // is never challenged, so it must not become a way to relay.
  if (gateway_ && gateway_->absorbs(ack)) return;  // for a 200 the gateway sent itself
  if (local_for(ack)) return;  // for a 200 a local role (the Focus, an MCU) sent itself
  Message m = ack;
  bool dialog_route = pop_own_routes(m);
  std::optional<sip::Peer> dest;
  const sip::Uri& ruri = m.request_uri();
  if (m.count(HeaderId::Route) == 0 && ruri.is_sip() && is_local_domain(ruri.host_lower())) {
    auto bindings = location_.lookup(ruri.aor(), clock_.now());
    if (!bindings.empty()) {
      m.set_request_uri(bindings.front().contact);
      dest = bindings.front().flow;
    }
  } else if (dialog_route) {
    dest = route_to(m);
  }
  if (!dest) {
    log_.rejected(ack, from, 0,
                  dialog_route ? "ACK: next hop not reachable" : "ACK: not in a dialog of ours");
    return;
  }
  auto mf = m.max_forwards();
  if (mf && *mf == 0) return;
  m.set(HeaderId::MaxForwards, std::to_string(mf ? *mf - 1 : 70));
  // A stateless forward: the branch is derived from the incoming one, so a
  // retransmitted ACK leaves with the same branch (RFC 3261 16.11).
  std::string in_branch;
  if (auto v = m.top_via()) in_branch = std::string(v->branch());
  std::string branch = "z9hG4bKPa" + hex64(std::hash<std::string>{}(in_branch));
  m.push_front(HeaderId::Via, identity_.via(identity_.listener_for(dest->transport), branch));
  log_.accepted(ack, from, "forwarded to " + dest->to_string());
  stateless_.send(*dest, m.serialize(), 0);
}

void Proxy::on_stray_response(const Message& response, const sip::Peer& from) {
  // RFC 3261 16.7 / 16.11: a response without a transaction (a 2xx
  // retransmission) goes statelessly to the next Via.
  auto top = response.top_via();
  if (!top) return;
  sip::Transport t = sip::Transport::Udp;
  sip::parse_transport(top->transport, t);
  if (!identity_.is_our_sent_by(top->host, top->port, t)) return;
  Message out = response;
  out.pop_front(HeaderId::Via);
  auto next = out.top_via();
  if (!next) return;
  sip::Peer dest;
  if (!sip::parse_transport(next->transport, dest.transport)) return;
  dest.ip = std::string(sip::unbracket_host(next->received().value_or(next->host)));
  dest.port = next->port ? next->port : (dest.transport == sip::Transport::Tls ? 5061 : 5060);
  if (auto rport = sip::find_param(next->params, "rport"); rport && !rport->empty()) {
    unsigned p = 0;
    for (char c : *rport) p = p * 10 + static_cast<unsigned>(c - '0');
    if (p > 0 && p < 65536) dest.port = static_cast<std::uint16_t>(p);
  }
  stateless_.send(dest, out.serialize(), 0);
}

}  // namespace parley::proxy
