#include "sip/peer.hpp"

#include <strings.h>

namespace parley::sip {

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::Udp: return "UDP";
    case Transport::Tcp: return "TCP";
    case Transport::Tls: return "TLS";
  }
  return "UDP";
}

std::string_view transport_param(Transport t) {
  switch (t) {
    case Transport::Udp: return "udp";
    case Transport::Tcp: return "tcp";
    case Transport::Tls: return "tls";
  }
  return "udp";
}

bool parse_transport(std::string_view s, Transport& out) {
  auto eq = [&](const char* w) {
    return s.size() == std::char_traits<char>::length(w) && strncasecmp(s.data(), w, s.size()) == 0;
  };
  if (eq("udp")) { out = Transport::Udp; return true; }
  if (eq("tcp")) { out = Transport::Tcp; return true; }
  if (eq("tls")) { out = Transport::Tls; return true; }
  return false;
}

std::string Peer::to_string() const {
  std::string s(transport_param(transport));
  s += ':';
  s += bracket_host(ip);
  s += ':';
  s += std::to_string(port);
  if (flow != 0) {
    s += '#';
    s += std::to_string(flow);
  }
  return s;
}

}  // namespace parley::sip
