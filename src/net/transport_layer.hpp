// The SIP transport layer (RFC 3261 18): UDP, TCP and TLS listeners, flows and
// sending, on a WorkerPool.
//
// Receiving: every framed message goes to the MessageHandler on the worker
// thread that owns the socket or connection, one message per call (a UDP
// datagram, or one message cut from a stream by sip::find_message()). CRLF
// keep-alives, STUN and other non-SIP datagrams are dropped; a CRLFCRLF ping on
// a stream is answered with CRLF (RFC 5626 3.5.1) and not delivered.
//
// sip::Local of a received message: TCP/TLS give the connection's real local
// address and the listener port (for an outbound connection, the port of our
// listener of that transport and family if there is one); UDP gives the
// listener's bound address as configured, so a wildcard ("0.0.0.0") bind
// reports 0.0.0.0 and the upper layer must substitute its advertised address.
//
// Flows: each TCP/TLS connection, accepted or opened, is a flow with a unique,
// never reused FlowId (each UDP socket has one too). sip::Peer::flow of a
// received message names it; send() to that Peer answers on the same
// connection (RFC 3261 18.2.2). When an established connection closes, the
// FlowClosedHandler is told (RFC 5626: bindings over that flow are dead).
//
// Limits (TransportOptions::limits): max_message_size (bigger datagrams are
// dropped, a stream carrying one is closed), max_connections and
// max_connections_per_ip (extra accepted connections are closed at once),
// tcp_idle_timeout (no bytes either way), tls_handshake_timeout (also bounds an
// outbound connect). A peer that sends garbage, stalls or stops reading loses
// only its own connection.
//
// Threads: set the handlers, then start(); send(), listeners(), has_flow()
// and connection_count() are thread-safe. Handlers run on worker threads and
// must not block. Destroy the TransportLayer before its WorkerPool.
#pragma once

#include <memory>
#include <shared_mutex>
#include <vector>

#include "net/transport_types.hpp"
#include "net/worker.hpp"

namespace parley::net {

struct TransportCore;
class UdpSocket;
class Acceptor;

class TransportLayer {
 public:
  TransportLayer(WorkerPool& workers, TransportOptions options);
  // Calls stop().
  ~TransportLayer();
  TransportLayer(const TransportLayer&) = delete;
  TransportLayer& operator=(const TransportLayer&) = delete;

  // Set once, before start().
  void set_message_handler(MessageHandler handler);
  void set_flow_closed_handler(FlowClosedHandler handler);

  // Opens the listeners (UDP: one SO_REUSEPORT socket per worker, datagrams
  // spread over them at random; TCP, TLS: one
  // acceptor each) and starts receiving; the pool may be started before or
  // after. Call once. Returns the listeners with their bound ports.
  // Throws (startup, not the message path): std::invalid_argument for a
  // non-numeric address or a TLS listener without options.tls_server;
  // std::system_error naming the transport and address when a bind fails.
  std::vector<BoundListener> start(const std::vector<ListenerSpec>& specs);

  // The listeners opened by start(), with actual ports.
  std::vector<BoundListener> listeners() const;

  // Sends one serialized message. Thread-safe; never blocks on the network.
  //   UDP: from the socket named by to.flow if it is one of ours, else from a
  //     listener socket of the destination's address family (RFC 3261 18.2.2).
  //   TCP/TLS: on connection to.flow if it is alive and of that transport;
  //     else on a live connection to to.ip:to.port (same transport); else a new
  //     outbound connection (TLS: verified against the CA only if one is
  //     configured, see tls_context.hpp). Messages to one connection are written
  //     whole and in order.
  // `done(ok)` (optional) runs once on a worker thread, never inside send()
  // (only after the workers have stopped is it called inline).
  void send(const sip::Peer& to, std::string bytes, SendDone done = {});

  // True while the TCP/TLS flow exists (connecting, handshaking or open).
  bool has_flow(sip::FlowId flow) const;
  // TCP/TLS connections, in any state.
  std::size_t connection_count() const;

  // Closes listeners and connections (each established flow is reported to
  // the FlowClosedHandler; queued sends fail) and waits until every worker
  // has done so. Idempotent. Afterwards send() fails. Join the threads with
  // WorkerPool::stop().
  void stop();

 private:
  void send_udp(const sip::Peer& to, std::string bytes, SendDone done);
  void send_stream(const sip::Peer& to, std::string bytes, SendDone done);

  WorkerPool& pool_;
  std::shared_ptr<TransportCore> core_;
  bool started_ = false;
  bool stopped_ = false;
  // Guards the UDP sockets' file descriptors against stop() while send()
  // writes on them from other threads.
  mutable std::shared_mutex udp_mu_;
  std::vector<std::shared_ptr<UdpSocket>> udp_;
  std::vector<std::shared_ptr<Acceptor>> acceptors_;
};

}  // namespace parley::net
