#include "sip/next_hop.hpp"

#include <arpa/inet.h>

namespace parley::sip {

bool next_hop(const Uri& uri, Peer& out) {
  if (!uri.is_sip()) return false;
  out.transport = uri.is_sips() ? Transport::Tls : Transport::Udp;
  if (auto tp = uri.param("transport")) {
    if (!parse_transport(*tp, out.transport)) return false;
  }
  std::string host = uri.host_lower();
  if (auto maddr = uri.param("maddr")) host = std::string(*maddr);
  if (host == "localhost") host = "127.0.0.1";
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
    return false;
  out.ip = host;
  out.port = uri.port ? uri.port : (out.transport == Transport::Tls ? 5061 : 5060);
  out.flow = 0;
  return true;
}

}  // namespace parley::sip
