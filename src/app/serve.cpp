// `parley serve`: a Standard Edition Front End in one process. Wires the
// layers of DESIGN.md together explicitly, in one place:
//
//   net::TransportLayer -> Ingress (parse) -> sip::TransactionLayer -> Router
//     -> registrar::Registrar | proxy::Proxy (-> presence::PresenceService)
//     -> store / location service
//
// and runs until SIGINT or SIGTERM.
#include "app/serve.hpp"

#include <atomic>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cstdio>
#include <thread>

#include "app/ingress.hpp"
#include "app/request_log.hpp"
#include "app/router.hpp"
#include "app/signing_sender.hpp"
#include "net/asio_timer.hpp"
#include "net/tls_context.hpp"
#include "net/transport_layer.hpp"
#include "net/worker.hpp"
#include "pki/pki.hpp"
#include "roles/conferencing/service/conference_service.hpp"
#include "roles/presence/service/presence_service.hpp"
#include "roles/proxy/proxy.hpp"
#include "roles/registrar/registrar.hpp"
#include "sip/auth/digest_authenticator.hpp"
#include "sip/auth/user_store_lookup.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite_contact_store.hpp"
#include "store/sqlite/sqlite_conference_store.hpp"
#include "store/sqlite/sqlite_presence_store.hpp"
#include "store/sqlite/sqlite_im_session_store.hpp"
#include "store/sqlite/sqlite_user_store.hpp"
#include "topology/listeners.hpp"

namespace parley::app {
namespace {

constexpr const char* kServerHeader = "Parley/0.1";

// The transaction layer's way onto the wire: the transport layer, with
// asynchronous send failures posted back as transport errors (RFC 3261 17.1.4).
class NetSender final : public sip::Sender {
 public:
  NetSender(net::TransportLayer& net, base::TimerService& timers) : net_(net), timers_(timers) {}
  void attach(sip::TransactionLayer& layer) { layer_ = &layer; }

  bool send(const sip::Peer& to, std::string bytes, sip::TransactionId tid) override {
    net_.send(to, std::move(bytes), [this, tid](bool ok) {
      if (ok || tid == 0 || layer_ == nullptr) return;
      timers_.schedule(base::Millis{0}, [this, tid] { layer_->transport_failed(tid); });
    });
    return true;
  }

 private:
  net::TransportLayer& net_;
  base::TimerService& timers_;
  sip::TransactionLayer* layer_ = nullptr;
};

// Every connection is a descriptor: lift the soft limit (often 1024) to the
// hard one, and say so when the configured connection limit does not fit.
void raise_descriptor_limit(std::size_t max_connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < max_connections + 64)
    spdlog::warn("descriptor limit {} is below limits.max_connections {}; raise it (ulimit -n)",
                 rl.rlim_cur, max_connections);
}

void schedule_purge(base::TimerService& timers, registrar::LocationService& location,
                    sip::auth::SecurityAssociations& sas, proxy::ImSessionTracker& im) {
  timers.schedule(base::Millis{30000}, [&timers, &location, &sas, &im] {
    std::size_t n = location.purge(timers.now());
    if (n) spdlog::debug("expired {} binding(s)", n);
    if (std::size_t s = sas.purge()) spdlog::debug("expired {} NTLM security association(s)", s);
    if (std::size_t i = im.expire()) spdlog::debug("closed {} idle IM session(s)", i);
    schedule_purge(timers, location, sas, im);
  });
}

// Presence: subscriptions and time-limited publications that ran out, and
// endpoint publications whose binding expired (every 5 s, so a watcher hears
// of an expiry within that); conferences past their expiry leave the store.
void schedule_role_sweeps(base::TimerService& timers, presence::PresenceService& presence,
                             conf::ConferenceService& conferencing) {
  timers.schedule(base::Millis{5000}, [&timers, &presence, &conferencing] {
    presence.sweep();
    if (std::size_t n = conferencing.expire()) spdlog::info("{} conference(s) expired", n);
    schedule_role_sweeps(timers, presence, conferencing);
  });
}

// Writes each finished IM session to the store; a store failure is logged, the
// session is not retried.
class StoreImSessionSink final : public proxy::ImSessionSink {
 public:
  explicit StoreImSessionSink(store::ImSessionStore& store) : store_(store) {}
  void record(const proxy::ImSession& s) override {
    try {
      store_.add({s.call_id, s.caller, s.callee, s.started_at, s.ended_at, s.messages,
                  s.ended_by_bye});
      spdlog::info("IM session {} -> {}: {} message(s), call-id={}", s.caller, s.callee,
                   s.messages, s.call_id);
    } catch (const std::exception& e) {
      spdlog::error("IM session record for call-id={} lost: {}", s.call_id, e.what());
    }
  }

 private:
  store::ImSessionStore& store_;
};

// The names the NTLM CHALLENGE gives ([MS-NLMP] 2.2.1.2): the server's FQDN
// as targetname, NetBIOS names from the first labels of the first local domain
// and of the FQDN, upper-cased as Windows writes them.
sip::auth::SecurityAssociationOptions ntlm_options(const config::Config& cfg) {
  auto netbios = [](std::string_view dns) {
    std::string n(dns.substr(0, dns.find('.')));
    if (n.size() > 15) n.resize(15);
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return n;
  };
  sip::auth::SecurityAssociationOptions o;
  o.targetname = cfg.fqdn;
  o.nb_domain = netbios(cfg.domains.front());
  o.nb_computer = netbios(cfg.fqdn);
  o.dns_domain = cfg.domains.front();
  return o;
}

}  // namespace

int serve(const config::Config& cfg) {
  // Signals are taken by sigwait() below: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  raise_descriptor_limit(cfg.limits.max_connections);

  // Embedded default: data directory, private CA and server certificate, SQLite.
  std::filesystem::create_directories(cfg.data_dir);
  pki::PkiPaths pki = pki::ensure_pki(cfg.pki_dir(), cfg.fqdn, cfg.domains);
  if (pki.created_ca) spdlog::info("created a private CA: {}", pki.ca_cert.string());
  if (pki.issued_server) spdlog::info("issued the server certificate ({})", pki.issue_reason);
  config::Tls tls = cfg.tls;
  if (tls.cert.empty()) tls.cert = pki.server_cert;
  if (tls.key.empty()) tls.key = pki.server_key;
  if (tls.ca.empty()) tls.ca = pki.ca_cert;
  auto db = std::make_shared<store::SqliteDatabase>(cfg.database_path());
  store::SqliteUserStore users(db);

  unsigned workers = cfg.workers ? cfg.workers : std::max(1u, std::thread::hardware_concurrency());
  net::WorkerPool pool(workers);
  net::AsioTimerService timers(pool.at(0).context());
  net::TransportOptions topts;
  topts.limits = cfg.limits;
  topts.tls_server = net::make_server_tls_context(tls);
  topts.tls_client = net::make_client_tls_context(tls);
  net::TransportLayer transport(pool, topts);
  NetSender sender(transport, timers);

  // Listeners, from the port catalogue (overridable in the configuration).
  std::vector<topology::ListenerSpec> specs = topology::listener_specs(cfg);
  if (specs.empty()) {
    // An Edge-only topology, or every listener disabled: nothing this build serves.
    spdlog::critical(
        "no listener to open: the topology's roles have none this build serves, or all are "
        "disabled (see `parley topology`)");
    return 1;
  }
  std::vector<net::ListenerSpec> net_specs;
  for (const auto& s : specs) net_specs.push_back({s.transport, s.address, s.port});

  sip::auth::DigestOptions dopts;
  dopts.nonce_lifetime = cfg.limits.nonce_lifetime;
  dopts.algorithms.clear();
  for (const auto& a : cfg.auth.digest_algorithms) {
    if (auto alg = sip::auth::parse_algorithm(a)) dopts.algorithms.push_back(*alg);
  }
  sip::auth::DigestAuthenticator authenticator(dopts, [&timers] { return timers.now(); });
  registrar::LocationService location;
  SourceThrottle throttle(ThrottleOptions{cfg.limits.unauthenticated_limit,
                                          std::chrono::seconds(10), cfg.limits.throttle_time});
  SpdlogRequestLog log(throttle, timers);

  // [MS-SIPAE] NTLM security associations for Lync-protocol clients over TLS.
  if (!sip::auth::ntlm::crypto_available())
    spdlog::warn("OpenSSL's legacy provider (MD4, RC4) is missing: NTLM sign-in will fail");
  sip::auth::SecurityAssociations sas(ntlm_options(cfg), timers);
  SigningSender signing(sender, sas);

  Router router(log, kServerHeader);
  sip::TransactionLayer transactions(sip::TransactionConfig{}, signing, router, timers);
  sender.attach(transactions);
  Ingress ingress(transactions, signing, log, cfg.limits.max_header_count, throttle, timers,
                  &router);
  ingress.set_security_associations(&sas);
  transport.set_message_handler(
      [&ingress](std::string bytes, const sip::Peer& source, const sip::Local& local) {
        ingress.on_message(std::move(bytes), source, local);
      });
  // The presence and conferencing roles exist only once the listeners are open
  // (below); a flow that closes before that had published or joined nothing.
  std::atomic<presence::PresenceService*> presence_role{nullptr};
  std::atomic<conf::ConferenceService*> conference_role{nullptr};
  transport.set_flow_closed_handler(
      [&location, &sas, &presence_role, &conference_role](sip::FlowId flow) {
        location.flow_closed(flow);
        sas.flow_closed(flow);
        if (auto* p = presence_role.load(std::memory_order_acquire)) p->flow_closed(flow);
        if (auto* c = conference_role.load(std::memory_order_acquire)) c->flow_closed(flow);
      });

  pool.start();
  std::vector<net::BoundListener> bound;
  try {
    bound = transport.start(net_specs);
  } catch (const std::exception& e) {
    spdlog::critical("cannot open listeners: {}", e.what());
    transport.stop();
    pool.stop();
    return 1;
  }
  std::vector<sip::Local> locals;
  for (std::size_t i = 0; i < bound.size(); ++i) {
    locals.push_back({bound[i].transport, bound[i].address, bound[i].port});
    spdlog::info("{}", topology::startup_line(specs[i], bound[i].port));
  }
  proxy::LocalIdentity identity(cfg.fqdn, locals);
  registrar::RegistrarOptions ropts{cfg.domains, cfg.limits.min_expires, cfg.limits.max_expires,
                                    cfg.limits.default_expires, kServerHeader};
  registrar::Registrar registrar(ropts, users, authenticator, location, timers);
  registrar.enable_ntlm(sas, sip::auth::ntlm_user_lookup(users, cfg.domains));
  proxy::ProxyOptions popts;
  popts.domains = cfg.domains;
  popts.server_header = kServerHeader;
  proxy::Proxy proxy(popts, identity, location, users, authenticator, transactions, signing,
                     timers, log);
  proxy.set_security_associations(&sas);
  store::SqliteImSessionStore im_records(db);
  StoreImSessionSink im_sink(im_records);
  proxy::ImSessionTracker im_sessions(im_sink);
  proxy.set_im_sessions(&im_sessions);
  proxy::ImGateway im_gateway(identity, transactions, timers, kServerHeader);
  proxy.set_im_gateway(&im_gateway);
  store::SqliteContactStore contacts(db);
  LyncSelfServices lync(contacts, identity, transactions, timers, kServerHeader);
  router.attach_lync(lync, sas);
  presence::PresenceOptions presence_opts;
  presence_opts.server_header = kServerHeader;
  presence_opts.domains = cfg.domains;
  presence::PresenceService presence(presence_opts, identity, location, transactions, timers);
  store::SqlitePresenceStore presence_store(db);
  presence.set_store(&presence_store);
  presence.set_contact_list([&contacts](const std::string& aor) {
    std::vector<std::string> uris;
    for (const store::Contact& c : contacts.list(aor).contacts) uris.push_back(c.uri);
    return uris;
  });
  proxy.add_local_service(&presence);
  conf::ConferenceOptions conf_opts;
  conf_opts.server_header = kServerHeader;
  conf_opts.domains = cfg.domains;
  conf::ConferenceService conferencing(conf_opts, identity, transactions, timers);
  store::SqliteConferenceStore conference_store(db);
  conferencing.set_store(&conference_store);
  proxy.add_local_service(&conferencing);
  conference_role.store(&conferencing, std::memory_order_release);
  lync.enable_conferencing();
  registrar.set_bindings_listener([&presence](const std::string& aor) {
    presence.bindings_changed(aor);
  });
  lync.set_roaming_self_source(
      [&presence](const std::string& aor) { return presence.roaming_self(aor); });
  presence.set_roaming_self_listener(
      [&lync](const std::string& aor) { lync.roaming_self_changed(aor); });
  router.attach_presence(presence);
  presence_role.store(&presence, std::memory_order_release);
  router.attach(registrar, proxy, identity);
  schedule_role_sweeps(timers, presence, conferencing);
  schedule_purge(timers, location, sas, im_sessions);

  spdlog::info("Parley Front End for {} is up ({} worker(s)); data in {}", cfg.domains.front(),
               workers, cfg.data_dir.string());
  {
    std::string roles;
    for (auto r : cfg.topology.roles) roles += (roles.empty() ? "" : ", ") + std::string(topology::to_token(r));
    spdlog::info("topology: {}{} (`parley topology` shows each service; `parley check` tests them)",
                 cfg.topology.standard_edition ? "Standard Edition, roles " : "roles ", roles);
  }
  spdlog::info("clients trust the CA at {}", tls.ca.string());
  spdlog::info("add a user: parley user add alice@{} --password <password>", cfg.domains.front());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  presence_role.store(nullptr, std::memory_order_release);
  conference_role.store(nullptr, std::memory_order_release);
  transport.stop();
  pool.stop();
  if (std::size_t n = im_sessions.close_all()) spdlog::info("recorded {} open IM session(s)", n);
  if (std::size_t n = conferencing.close_all()) spdlog::info("ended {} conference(s)", n);
  return 0;
}

}  // namespace parley::app
