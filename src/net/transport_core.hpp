// Internal: state shared by the transport layer and its sockets, acceptors and
// connections (each holds a shared_ptr to it, so it outlives all of them).
// Not part of the public interface; include transport_layer.hpp instead.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "net/connection_limits.hpp"
#include "net/flow_table.hpp"
#include "net/transport_types.hpp"
#include "net/worker.hpp"

namespace parley::net {

class Connection;

struct TransportCore {
  TransportCore(WorkerPool& p, TransportOptions o)
      : pool(p),
        options(std::move(o)),
        admission(options.limits.max_connections, options.limits.max_connections_per_ip) {}

  WorkerPool& pool;
  const TransportOptions options;
  // Set before start(), read-only afterwards.
  MessageHandler on_message;
  FlowClosedHandler on_flow_closed;
  // Filled by start(), read-only afterwards.
  std::vector<BoundListener> bound;

  FlowTable<Connection> flows;
  ConnectionLimits admission;
  std::atomic<sip::FlowId> last_flow{0};
  std::atomic<bool> stopping{false};

  const config::Limits& limits() const { return options.limits; }
  sip::FlowId new_flow_id() { return ++last_flow; }

  // Hands a message to the upper layer; an exception from it is logged, never
  // propagated into the I/O loop.
  void deliver(std::string bytes, const sip::Peer& source, const sip::Local& local);
  void flow_closed(sip::FlowId id);
  // Runs `done(ok)` on a worker thread (the calling worker if there is one),
  // never inside the caller; inline only when no worker runs any more.
  void complete(SendDone done, bool ok);
  // Port of our listener for this transport and address family, 0 if none
  // (the port an outbound connection's Local reports, RFC 3261 18.1.1 Via).
  std::uint16_t listen_port(sip::Transport t, bool v6) const;
};

}  // namespace parley::net
