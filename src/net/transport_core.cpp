#include "net/transport_core.hpp"

#include <exception>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "net/address.hpp"

namespace parley::net {

void TransportCore::deliver(std::string bytes, const sip::Peer& source, const sip::Local& local) {
  if (!on_message) return;
  try {
    on_message(std::move(bytes), source, local);
  } catch (const std::exception& e) {
    spdlog::error("message handler threw on a message from {}: {}", source.to_string(), e.what());
  } catch (...) {
    spdlog::error("message handler threw on a message from {}", source.to_string());
  }
}

void TransportCore::flow_closed(sip::FlowId id) {
  if (!on_flow_closed) return;
  try {
    on_flow_closed(id);
  } catch (const std::exception& e) {
    spdlog::error("flow-closed handler threw for flow {}: {}", id, e.what());
  } catch (...) {
    spdlog::error("flow-closed handler threw for flow {}", id);
  }
}

void TransportCore::complete(SendDone done, bool ok) {
  if (!done) return;
  if (!pool.running()) {
    done(ok);
    return;
  }
  Worker* w = pool.current();
  if (w == nullptr) w = &pool.next();
  boost::asio::post(w->context(), [done = std::move(done), ok] { done(ok); });
}

std::uint16_t TransportCore::listen_port(sip::Transport t, bool v6) const {
  for (const auto& b : bound) {
    if (b.transport != t) continue;
    auto a = parse_ip(b.address);
    if (a && a->is_v6() == v6) return b.port;
  }
  return 0;
}

}  // namespace parley::net
