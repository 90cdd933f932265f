// run_checks: every target probed at once, one coroutine per target on one
// io_context in the calling thread; each step bounded by a Deadline.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "pki/openssl_ptr.hpp"
#include "sip/framing.hpp"
#include "sip/peer.hpp"
#include "topology/check/detail.hpp"

namespace parley::check {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using StorePtr = std::unique_ptr<X509_STORE, pki::OpenSslDeleter<X509_STORE_free>>;

constexpr auto kAwait = asio::use_awaitable;

// The deadline of one step. arm() starts a step; if disarm() does not come
// first, `on_expiry` runs (it cancels the socket's operations, which then
// complete with operation_aborted) and expired() turns true. Owned by a
// shared_ptr so that a timer handler still queued after its probe ended finds
// it gone instead of dangling; `on_expiry` may therefore refer to objects that
// outlive the Deadline.
class Deadline : public std::enable_shared_from_this<Deadline> {
 public:
  Deadline(const asio::any_io_executor& ex, std::function<void()> on_expiry)
      : timer_(ex), on_expiry_(std::move(on_expiry)) {}

  void arm(std::chrono::milliseconds d) {
    const unsigned step = ++step_;
    expired_ = false;
    timer_.expires_after(d);
    timer_.async_wait([weak = weak_from_this(), step](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->step_ != step) return;  // disarmed, or a later step
      self->expired_ = true;
      self->on_expiry_();
    });
  }
  void disarm() {
    ++step_;
    timer_.cancel();
  }
  bool expired() const { return expired_; }

 private:
  asio::steady_timer timer_;
  std::function<void()> on_expiry_;
  unsigned step_ = 0;
  bool expired_ = false;
};

// RFC 3261 17.1.2.2: a non-INVITE request over UDP is sent again after T1,
// then at doubling intervals up to T2 (at T2 once a provisional came). A send
// that reports ECONNREFUSED (ICMP port unreachable) cancels the socket's
// receive so the probe sees it. Same ownership pattern as Deadline.
class Retransmitter : public std::enable_shared_from_this<Retransmitter> {
 public:
  Retransmitter(udp::socket& socket, std::string wire)
      : socket_(socket), timer_(socket.get_executor()), wire_(std::move(wire)) {}

  void start() { schedule(); }
  void proceeding() { interval_ = detail::kT2; }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }
  bool refused() const { return refused_; }

 private:
  void schedule() {
    timer_.expires_after(interval_);
    timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped_) return;
      error_code send_ec;
      self->socket_.send(asio::buffer(self->wire_), 0, send_ec);
      if (send_ec == asio::error::connection_refused) {
        self->refused_ = true;
        error_code ignored;
        self->socket_.cancel(ignored);
        return;
      }
      self->interval_ = std::min(self->interval_ * 2, detail::kT2);
      self->schedule();
    });
  }

  udp::socket& socket_;
  asio::steady_timer timer_;
  std::string wire_;
  std::chrono::milliseconds interval_ = detail::kT1;
  bool stopped_ = false;
  bool refused_ = false;
};

// What every probe shares; lives for the whole run.
struct Shared {
  const Options& options;
  asio::ip::address address;
  asio::ssl::context* tls = nullptr;  // set when some target is TLS
  X509_STORE* trust = nullptr;        // set when options.ca is given
  std::string name;                   // RFC 6125 reference identity
  std::string sni;                    // empty for a numeric name (RFC 6066 3)
};

std::string within(const Shared& s) {
  return "within " + std::to_string(s.options.timeout.count()) + " ms";
}

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

template <class Socket>
std::shared_ptr<Deadline> deadline_for(Socket& socket) {
  return std::make_shared<Deadline>(socket.get_executor(), [&socket] {
    error_code ignored;
    socket.cancel(ignored);
  });
}

// TCP connect (the first step of TCP and TLS probes). True when connected.
awaitable<bool> connect_step(tcp::socket& socket, Deadline& deadline, const Shared& s,
                             PortReport& r) {
  const tcp::endpoint remote(s.address, r.target.port);
  error_code ec;
  socket.open(remote.protocol(), ec);
  if (!ec) {
    deadline.arm(s.options.timeout);
    co_await socket.async_connect(remote, asio::redirect_error(kAwait, ec));
    deadline.disarm();
  }
  if (!ec) {
    r.state = PortState::Open;
    co_return true;
  }
  if (ec == asio::error::operation_aborted && deadline.expired()) {
    r.state = PortState::Filtered;
    r.detail = "no answer to the connection request " + within(s);
  } else if (ec == asio::error::connection_refused) {
    r.state = PortState::Closed;
    r.detail = ec.message();
  } else {
    // EHOSTUNREACH, ENETUNREACH and anything else that is not a refusal.
    r.state = PortState::Filtered;
    r.detail = ec.message();
  }
  co_return false;
}

std::string local_ip_text(const asio::ip::address& a) { return a.to_string(); }

// Sends the OPTIONS on a connected stream and reads until its final response,
// at most detail::kMaxRead bytes, all within one deadline.
template <class Stream>
awaitable<void> options_on_stream(Stream& stream, const tcp::endpoint& local, Transport transport,
                                  Deadline& deadline, const Shared& s, PortReport& r) {
  const detail::OptionsRequest request = detail::make_options(
      s.options.host, r.target.port, transport, local_ip_text(local.address()), local.port());
  OptionsResult o;
  const auto start = SteadyClock::now();
  deadline.arm(s.options.timeout);
  error_code ec;
  co_await asio::async_write(stream, asio::buffer(request.wire), asio::redirect_error(kAwait, ec));

  std::string buffer;
  std::size_t resume = 0;
  std::size_t total = 0;
  auto chunk = std::make_unique<std::array<char, 16 * 1024>>();
  while (!ec) {
    // Every whole message already read, then more bytes.
    bool done = false;
    while (!done) {
      sip::FrameResult f = sip::find_message(buffer, detail::kMaxRead, resume);
      if (const auto* c = std::get_if<sip::frame::Complete>(&f)) {
        std::string message = buffer.substr(c->offset, c->length);
        buffer.erase(0, c->consumed());
        resume = 0;
        done = detail::receive(std::move(message), request, o) == detail::Reception::Final;
      } else if (const auto* k = std::get_if<sip::frame::KeepAlive>(&f)) {
        buffer.erase(0, k->consumed);
        resume = 0;
      } else if (const auto* e = std::get_if<sip::frame::Error>(&f)) {
        o.error = e->reason == "not SIP" ? std::string("the peer does not speak SIP")
                                         : "unreadable SIP stream: " + std::string(e->reason);
        done = true;
      } else {
        resume = std::get<sip::frame::Incomplete>(f).resume;
        break;
      }
    }
    if (done) break;
    // The deadline may have passed between two reads, when its cancel() found
    // nothing to cancel.
    if (deadline.expired()) break;
    if (total >= detail::kMaxRead) {
      o.error = "no final response in the first " + std::to_string(detail::kMaxRead / 1024) +
                " KiB the peer sent";
      break;
    }
    const std::size_t want = std::min(chunk->size(), detail::kMaxRead - total);
    std::size_t n = co_await stream.async_read_some(asio::buffer(chunk->data(), want),
                                                    asio::redirect_error(kAwait, ec));
    total += n;
    buffer.append(chunk->data(), n);
  }
  deadline.disarm();

  if (o.answered) {
    o.round_trip =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
  } else if (o.error.empty()) {
    if (deadline.expired()) {
      o.error = "no final response " + within(s);
    } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      o.error = "connection closed by the peer before a final response";
    } else {
      o.error = ec.message();
    }
  }
  r.options = std::move(o);
}

awaitable<void> probe_tcp(const Shared& s, PortReport& r) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto deadline = deadline_for(socket);
  if (!co_await connect_step(socket, *deadline, s, r) || !r.target.sip) co_return;
  error_code ec;
  const tcp::endpoint local = socket.local_endpoint(ec);
  co_await options_on_stream(socket, local, Transport::Tcp, *deadline, s, r);
}

awaitable<void> probe_tls(const Shared& s, PortReport& r) {
  asio::ssl::stream<tcp::socket> stream(co_await asio::this_coro::executor, *s.tls);
  tcp::socket& socket = stream.next_layer();
  auto deadline = deadline_for(socket);
  if (!co_await connect_step(socket, *deadline, s, r)) co_return;

  SSL* ssl = stream.native_handle();
  if (!s.sni.empty()) SSL_set_tlsext_host_name(ssl, s.sni.c_str());
  TlsResult t;
  error_code ec;
  deadline->arm(s.options.timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(kAwait, ec));
  deadline->disarm();
  if (ec) {
    if (ec == asio::error::operation_aborted && deadline->expired()) {
      t.error = "no handshake " + within(s);
    } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      t.error = "connection closed by the peer during the handshake";
    } else {
      t.error = ec.message();
    }
    r.tls = std::move(t);
    co_return;
  }
  t.ok = true;
  t.version = SSL_get_version(ssl);
  t.cipher = SSL_get_cipher_name(ssl);
  pki::X509Ptr leaf(SSL_get1_peer_certificate(ssl));
  if (leaf) {
    t.certificate = detail::inspect_certificate(leaf.get(), SSL_get_peer_cert_chain(ssl), s.trust,
                                                s.name, std::chrono::system_clock::now());
  }
  r.tls = std::move(t);
  if (!r.target.sip) co_return;
  const tcp::endpoint local = socket.local_endpoint(ec);
  co_await options_on_stream(stream, local, Transport::Tls, *deadline, s, r);
}

awaitable<void> probe_udp(const Shared& s, PortReport& r) {
  if (!r.target.sip) {
    r.state = PortState::NotProbed;
    r.detail = "UDP port: not probed without a protocol to speak";
    co_return;
  }
  udp::socket socket(co_await asio::this_coro::executor);
  const udp::endpoint remote(s.address, r.target.port);
  error_code ec;
  socket.open(remote.protocol(), ec);
  if (!ec) socket.connect(remote, ec);  // no packet: picks the route and local address
  udp::endpoint local;
  if (!ec) local = socket.local_endpoint(ec);
  if (ec) {
    r.state = PortState::Filtered;
    r.detail = ec.message();
    co_return;
  }
  const detail::OptionsRequest request = detail::make_options(
      s.options.host, r.target.port, Transport::Udp, local_ip_text(local.address()), local.port());
  auto deadline = deadline_for(socket);
  auto retransmitter = std::make_shared<Retransmitter>(socket, request.wire);
  OptionsResult o;
  bool heard = false;  // any datagram came back
  auto buffer = std::make_unique<std::array<char, detail::kMaxRead>>();

  const auto start = SteadyClock::now();
  deadline->arm(s.options.timeout);
  socket.send(asio::buffer(request.wire), 0, ec);
  if (!ec) retransmitter->start();
  // expired() is checked too: the deadline may pass between two receives, when
  // its cancel() finds nothing to cancel.
  while (!ec && !deadline->expired()) {
    std::size_t n =
        co_await socket.async_receive(asio::buffer(*buffer), asio::redirect_error(kAwait, ec));
    if (ec) break;
    heard = true;
    auto payload = sip::datagram_message(std::string_view(buffer->data(), n));
    if (!payload) continue;
    auto got = detail::receive(std::string(*payload), request, o);
    if (got == detail::Reception::Provisional) retransmitter->proceeding();
    if (got == detail::Reception::Final) break;
  }
  deadline->disarm();
  retransmitter->stop();

  if (o.answered) {
    o.round_trip =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
    r.state = PortState::Open;
  } else if (ec == asio::error::connection_refused || retransmitter->refused()) {
    r.state = PortState::Closed;
    r.detail = error_code(asio::error::connection_refused).message();
    o.error = "port unreachable";
  } else if (deadline->expired()) {
    o.error = "no final response " + within(s);
    if (heard) {
      r.state = PortState::Open;
    } else {
      r.state = PortState::NoReply;
      r.detail = "nothing came back " + within(s);
    }
  } else {
    r.state = heard ? PortState::Open : PortState::Filtered;
    r.detail = ec.message();
    o.error = ec.message();
  }
  r.options = std::move(o);
}

awaitable<void> probe(const Shared& s, PortReport& r) {
  switch (r.target.transport) {
    case Transport::Tcp:
      co_await probe_tcp(s, r);
      break;
    case Transport::Tls:
      co_await probe_tls(s, r);
      break;
    case Transport::Udp:
      co_await probe_udp(s, r);
      break;
  }
}

asio::ip::address resolve(const std::string& host) {
  const std::string h(sip::unbracket_host(host));
  error_code ec;
  asio::ip::address a = asio::ip::make_address(h, ec);
  if (!ec) return a;
  asio::io_context io(1);
  tcp::resolver resolver(io);
  auto results = resolver.resolve(h, "", ec);
  if (ec) throw CheckError("cannot resolve " + host + ": " + ec.message());
  if (results.empty()) throw CheckError("cannot resolve " + host + ": no address");
  return results.begin()->endpoint().address();
}

StorePtr load_trust(const std::filesystem::path& ca) {
  StorePtr store(X509_STORE_new());
  if (!store) throw CheckError("out of memory for the CA store");
  std::error_code fs_ec;
  if (!std::filesystem::is_regular_file(ca, fs_ec))
    throw CheckError("CA file " + ca.string() + ": not a readable file");
  if (X509_STORE_load_file(store.get(), ca.c_str()) != 1)
    throw CheckError("CA file " + ca.string() + ": " + openssl_reason());
  return store;
}

std::unique_ptr<asio::ssl::context> make_tls_context(const Options& options) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  // The chain is verified after the handshake (inspect_certificate), so a
  // certificate that would not verify is still read and reported.
  ctx->set_verify_mode(asio::ssl::verify_none);
  if (options.client_certificate.empty() != options.client_key.empty())
    throw CheckError("a client certificate needs its key, and a key its certificate");
  if (!options.client_certificate.empty()) {
    error_code ec;
    ctx->use_certificate_chain_file(options.client_certificate.string(), ec);
    if (ec)
      throw CheckError("client certificate " + options.client_certificate.string() + ": " +
                       ec.message());
    ctx->use_private_key_file(options.client_key.string(), asio::ssl::context::pem, ec);
    if (ec) throw CheckError("client key " + options.client_key.string() + ": " + ec.message());
  }
  return ctx;
}

}  // namespace

std::vector<PortReport> run_checks(const Options& options, const std::vector<Target>& targets) {
  if (options.host.empty()) throw CheckError("no host to check");
  if (options.timeout.count() <= 0) throw CheckError("the timeout must be positive");
  Shared shared{.options = options, .address = resolve(options.host), .name = {}, .sni = {}};
  StorePtr trust;
  if (!options.ca.empty()) {
    trust = load_trust(options.ca);
    shared.trust = trust.get();
  }
  std::unique_ptr<asio::ssl::context> tls;
  if (std::any_of(targets.begin(), targets.end(),
                  [](const Target& t) { return t.transport == Transport::Tls; })) {
    tls = make_tls_context(options);
    shared.tls = tls.get();
  }
  shared.name = detail::checked_name(options);
  if (!detail::is_numeric_address(shared.name)) shared.sni = shared.name;

  std::vector<PortReport> reports(targets.size());
  asio::io_context io(1);
  std::exception_ptr failure;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    reports[i].target = targets[i];
    reports[i].address = shared.address.to_string();
    asio::co_spawn(io, probe(shared, reports[i]), [&failure](std::exception_ptr e) {
      if (e && !failure) failure = e;
    });
  }
  io.run();
  if (failure) std::rethrow_exception(failure);

  const auto now = std::chrono::system_clock::now();
  for (auto& r : reports) detail::judge(options, now, r);
  return reports;
}

}  // namespace parley::check
