#include "net/transport_layer.hpp"

#include <linux/filter.h>
#include <sys/socket.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/acceptor.hpp"
#include "net/address.hpp"
#include "net/connection.hpp"
#include "net/transport_core.hpp"
#include "net/udp_socket.hpp"

namespace parley::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Receive buffer for UDP sockets: room for bursts of datagrams while a worker
// is busy. Best effort (the kernel caps it at net.core.rmem_max).
constexpr int kUdpReceiveBuffer = 1 << 20;

// Spreads the datagrams of a UDP listener over its sockets (one per worker) at
// random instead of by the hash of the source address and port, which puts
// every datagram of one source on one worker: a single busy source (an
// upstream proxy or SBC relaying many users, a load generator) would load one
// worker while the others idle. Kamailio's children get the same effect by
// all reading one socket. Classic BPF program for SO_ATTACH_REUSEPORT_CBPF
// (Linux 4.5): A = random; A %= sockets; return A, the index of the socket in
// the group in bind order. Datagrams of one source may then be handled out of
// order on two workers; UDP never promised order, and the transaction tables
// are shared. Best effort: without it the kernel keeps hashing.
bool spread_at_random(int fd, std::size_t sockets) {
  sock_filter code[] = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, static_cast<__u32>(SKF_AD_OFF + SKF_AD_RANDOM)},
      {BPF_ALU | BPF_MOD | BPF_K, 0, 0, static_cast<__u32>(sockets)},
      {BPF_RET | BPF_A, 0, 0, 0},
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
  return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) == 0;
}

std::string where(sip::Transport t, const asio::ip::address& a, std::uint16_t port) {
  std::string s(sip::transport_param(t));
  s += ' ';
  s += a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  s += ':';
  s += std::to_string(port);
  return s;
}

void check(const error_code& ec, const char* what, sip::Transport t, const asio::ip::address& a,
           std::uint16_t port) {
  if (ec) {
    throw std::system_error(ec, std::string(what) + " " + where(t, a, port));
  }
}

}  // namespace

TransportLayer::TransportLayer(WorkerPool& workers, TransportOptions options)
    : pool_(workers), core_(std::make_shared<TransportCore>(workers, std::move(options))) {}

TransportLayer::~TransportLayer() { stop(); }

void TransportLayer::set_message_handler(MessageHandler handler) {
  core_->on_message = std::move(handler);
}

void TransportLayer::set_flow_closed_handler(FlowClosedHandler handler) {
  core_->on_flow_closed = std::move(handler);
}

std::vector<BoundListener> TransportLayer::start(const std::vector<ListenerSpec>& specs) {
  if (started_) throw std::logic_error("TransportLayer::start called twice");
  started_ = true;
  std::vector<BoundListener> bound;
  for (const auto& spec : specs) {
    auto addr = parse_ip(spec.address);
    if (!addr) throw std::invalid_argument("listener address is not numeric: " + spec.address);
    error_code ec;
    if (spec.transport == sip::Transport::Udp) {
      // One socket per worker on the same address and port (SO_REUSEPORT); the
      // first one fixes the port when 0 was asked for.
      std::uint16_t port = spec.port;
      for (std::size_t i = 0; i < pool_.size(); ++i) {
        Worker& w = pool_.at(i);
        udp::socket s(w.context());
        s.open(addr->is_v6() ? udp::v6() : udp::v4(), ec);
        check(ec, "open", spec.transport, *addr, port);
        if (addr->is_v6()) s.set_option(asio::ip::v6_only(true), ec);
        s.set_option(reuse_port(true), ec);
        check(ec, "SO_REUSEPORT on", spec.transport, *addr, port);
        s.set_option(asio::socket_base::receive_buffer_size(kUdpReceiveBuffer), ec);
        s.bind(udp::endpoint(*addr, port), ec);
        check(ec, "bind", spec.transport, *addr, port);
        port = s.local_endpoint().port();
        sip::Local local{sip::Transport::Udp, ip_text(*addr), port};
        udp_.push_back(
            std::make_shared<UdpSocket>(core_, w, std::move(s), core_->new_flow_id(), local));
      }
      if (pool_.size() > 1 && !spread_at_random(udp_.back()->native_handle(), pool_.size())) {
        spdlog::warn("{}: datagrams go to workers by source address (SO_ATTACH_REUSEPORT_CBPF "
                     "refused)", where(spec.transport, *addr, port));
      }
      bound.push_back(BoundListener{spec.transport, ip_text(*addr), port});
    } else {
      if (spec.transport == sip::Transport::Tls && !core_->options.tls_server) {
        throw std::invalid_argument("TLS listener " + where(spec.transport, *addr, spec.port) +
                                    " needs a server TLS context");
      }
      Worker& w = pool_.next();
      tcp::acceptor a(w.context());
      a.open(addr->is_v6() ? tcp::v6() : tcp::v4(), ec);
      check(ec, "open", spec.transport, *addr, spec.port);
      if (addr->is_v6()) a.set_option(asio::ip::v6_only(true), ec);
      a.set_option(asio::socket_base::reuse_address(true), ec);
      a.bind(tcp::endpoint(*addr, spec.port), ec);
      check(ec, "bind", spec.transport, *addr, spec.port);
      a.listen(asio::socket_base::max_listen_connections, ec);
      check(ec, "listen on", spec.transport, *addr, spec.port);
      std::uint16_t port = a.local_endpoint().port();
      acceptors_.push_back(std::make_shared<Acceptor>(core_, w, std::move(a), spec.transport));
      bound.push_back(BoundListener{spec.transport, ip_text(*addr), port});
    }
    spdlog::debug("listening on {}", where(spec.transport, *addr, bound.back().port));
  }
  core_->bound = bound;
  for (auto& u : udp_) u->start();
  for (auto& a : acceptors_) a->start();
  return bound;
}

std::vector<BoundListener> TransportLayer::listeners() const { return core_->bound; }

void TransportLayer::send(const sip::Peer& to, std::string bytes, SendDone done) {
  if (to.transport == sip::Transport::Udp) {
    send_udp(to, std::move(bytes), std::move(done));
  } else {
    send_stream(to, std::move(bytes), std::move(done));
  }
}

void TransportLayer::send_udp(const sip::Peer& to, std::string bytes, SendDone done) {
  auto addr = parse_ip(to.ip);
  if (!addr || to.port == 0) {
    spdlog::debug("udp send: bad destination {}", to.to_string());
    core_->complete(std::move(done), false);
    return;
  }
  const udp::endpoint ep(*addr, to.port);
  bool ok = false;
  {
    std::shared_lock lock(udp_mu_);
    if (core_->stopping.load()) {
      lock.unlock();
      core_->complete(std::move(done), false);
      return;
    }
    UdpSocket* socket = nullptr;
    // RFC 3261 18.2.2: answer from the socket the request arrived on.
    if (to.flow != 0) {
      for (auto& u : udp_) {
        if (u->id() == to.flow && u->is_v6() == addr->is_v6()) socket = u.get();
      }
    }
    if (socket == nullptr) {
      // Prefer a socket of the calling worker (its cache, its queue).
      Worker* here = pool_.current();
      for (auto& u : udp_) {
        if (u->is_v6() != addr->is_v6()) continue;
        if (socket == nullptr || (here != nullptr && &u->worker() == here)) socket = u.get();
      }
    }
    if (socket != nullptr) {
      ok = socket->send_to(ep, bytes);
      if (!ok) spdlog::debug("udp send to {} failed", to.to_string());
    } else {
      spdlog::debug("udp send to {}: no UDP listener of that address family", to.to_string());
    }
  }
  core_->complete(std::move(done), ok);
}

void TransportLayer::send_stream(const sip::Peer& to, std::string bytes, SendDone done) {
  if (core_->stopping.load()) {
    core_->complete(std::move(done), false);
    return;
  }
  if (to.flow != 0) {
    auto c = core_->flows.find(to.flow);
    if (c && c->usable() && c->transport() == to.transport) {
      c->send(std::move(bytes), std::move(done));
      return;
    }
  }
  auto addr = parse_ip(to.ip);
  if (!addr || to.port == 0) {
    spdlog::debug("send: flow gone and no address for {}", to.to_string());
    core_->complete(std::move(done), false);
    return;
  }
  if (to.transport == sip::Transport::Tls && !core_->options.tls_client) {
    spdlog::debug("send to {}: no client TLS context", to.to_string());
    core_->complete(std::move(done), false);
    return;
  }
  const tcp::endpoint ep(*addr, to.port);
  auto [conn, created] = core_->flows.find_or_add(
      flow_key(to.transport, *addr, to.port), [&]() -> std::shared_ptr<Connection> {
        if (!core_->admission.try_acquire(std::string())) return nullptr;
        return Connection::outbound(core_, pool_.next(), to.transport, ep, core_->new_flow_id());
      });
  if (!conn) {
    spdlog::debug("send to {}: connection limit reached", to.to_string());
    core_->complete(std::move(done), false);
    return;
  }
  if (created) asio::post(conn->worker().context(), [conn = conn] { conn->start(); });
  conn->send(std::move(bytes), std::move(done));
}

bool TransportLayer::has_flow(sip::FlowId flow) const {
  auto c = core_->flows.find(flow);
  return c && c->usable();
}

std::size_t TransportLayer::connection_count() const { return core_->flows.size(); }

void TransportLayer::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    // Waits for UDP sends in progress; later ones see `stopping`.
    std::unique_lock lock(udp_mu_);
    core_->stopping = true;
  }
  // Everything is closed on the worker that owns it.
  std::vector<std::vector<std::function<void()>>> jobs(pool_.size());
  for (auto& a : acceptors_) jobs[a->worker().index()].push_back([a] { a->close(); });
  for (auto& u : udp_) jobs[u->worker().index()].push_back([u] { u->close(); });
  for (auto& c : core_->flows.all()) {
    jobs[c->worker().index()].push_back([c] { c->close("transport stopped"); });
  }
  std::vector<std::future<void>> waits;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].empty()) continue;
    Worker& w = pool_.at(i);
    auto run = [js = std::move(jobs[i])] {
      for (auto& j : js) j();
    };
    if (!pool_.running() || w.in_this_thread()) {
      run();
    } else {
      auto done = std::make_shared<std::promise<void>>();
      waits.push_back(done->get_future());
      asio::post(w.context(), [run = std::move(run), done] {
        run();
        done->set_value();
      });
    }
  }
  for (auto& f : waits) f.wait();
}

}  // namespace parley::net
