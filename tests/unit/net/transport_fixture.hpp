// A TransportLayer on 127.0.0.1 (UDP, TCP and TLS, ephemeral ports) over two
// workers, with a throwaway certificate, for the transport tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "net/tls_context.hpp"
#include "net/transport_layer.hpp"
#include "net/worker.hpp"
#include "test_support.hpp"

namespace parley::net::test {

// Certificates shared by every test of a binary run.
struct Certificates {
  TempDir dir;
  std::filesystem::path cert = dir.path() / "cert.pem";
  std::filesystem::path key = dir.path() / "key.pem";
  // A second, unrelated identity that `cert` as a CA does not vouch for.
  std::filesystem::path other_cert = dir.path() / "other.pem";
  std::filesystem::path other_key = dir.path() / "other.key";

  Certificates() {
    write_self_signed(cert, key, "parley.test", 1);
    write_self_signed(other_cert, other_key, "intruder.test", 2);
  }
  static const Certificates& get() {
    static const Certificates c;
    return c;
  }
  // Our identity, trusting our own certificate as the CA.
  config::Tls tls(bool verify_client = false) const {
    return config::Tls{cert, key, cert, verify_client};
  }
};

// One running transport layer with its own workers and sink.
struct Node {
  Sink sink;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<TransportLayer> transport;
  std::vector<BoundListener> bound;

  explicit Node(config::Limits limits = {}, config::Tls tls = Certificates::get().tls(),
                std::vector<sip::Transport> transports = {sip::Transport::Udp,
                                                          sip::Transport::Tcp,
                                                          sip::Transport::Tls},
                std::string address = "127.0.0.1") {
    pool = std::make_unique<WorkerPool>(2);
    pool->start();
    TransportOptions options;
    options.limits = limits;
    options.tls_server = make_server_tls_context(tls);
    options.tls_client = make_client_tls_context(tls);
    transport = std::make_unique<TransportLayer>(*pool, options);
    transport->set_message_handler(sink.message_handler());
    transport->set_flow_closed_handler(sink.flow_closed_handler());
    std::vector<ListenerSpec> specs;
    for (auto t : transports) specs.push_back(ListenerSpec{t, address, 0});
    bound = transport->start(specs);
  }
  ~Node() {
    transport->stop();
    transport.reset();
    pool->stop();
  }
  std::uint16_t port(sip::Transport t) const { return port_of(bound, t); }
};

inline config::Limits short_limits() {
  config::Limits l;
  l.tcp_idle_timeout = std::chrono::seconds(1);
  l.tls_handshake_timeout = std::chrono::seconds(1);
  return l;
}

}  // namespace parley::net::test
