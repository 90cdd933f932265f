#include "roles/proxy/local_identity.hpp"

#include <arpa/inet.h>

namespace parley::proxy {
namespace {

bool is_wildcard(const std::string& ip) { return ip == "0.0.0.0" || ip == "::" || ip.empty(); }

std::uint16_t default_port(sip::Transport t) { return t == sip::Transport::Tls ? 5061 : 5060; }

bool numeric(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

LocalIdentity::LocalIdentity(std::string fqdn, std::vector<sip::Local> listeners)
    : fqdn_(std::move(fqdn)), listeners_(std::move(listeners)) {}

bool LocalIdentity::is_our_sent_by(std::string_view host, std::uint16_t port,
                                   sip::Transport t) const {
  std::string h(sip::unbracket_host(host));
  if (port == 0) port = default_port(t);
  for (const auto& l : listeners_) {
    if (l.port != port) continue;
    if (sip::iequals(h, fqdn_) || h == l.ip || (is_wildcard(l.ip) && numeric(h))) return true;
  }
  return false;
}

bool LocalIdentity::is_ours(const sip::Uri& uri) const {
  if (!uri.is_sip()) return false;
  sip::Transport t = sip::Transport::Udp;
  if (auto tp = uri.param("transport")) sip::parse_transport(*tp, t);
  if (uri.is_sips()) t = sip::Transport::Tls;
  std::uint16_t port = uri.port ? uri.port : default_port(t);
  std::string host = uri.host_lower();
  for (const auto& l : listeners_) {
    if (l.port != port) continue;
    if (sip::iequals(host, fqdn_) || host == l.ip || (is_wildcard(l.ip) && numeric(host)))
      return true;
  }
  return false;
}

sip::Local LocalIdentity::outbound(sip::Transport t, const sip::Local& arrived) const {
  if (arrived.transport == t) return arrived;
  for (const auto& l : listeners_) {
    if (l.transport == t) return l;
  }
  return arrived;
}

sip::Local LocalIdentity::listener_for(sip::Transport t) const {
  for (const auto& l : listeners_) {
    if (l.transport == t) return l;
  }
  return listeners_.empty() ? sip::Local{} : listeners_.front();
}

std::string LocalIdentity::host_of(const sip::Local& l) const {
  return is_wildcard(l.ip) ? fqdn_ : sip::bracket_host(l.ip);
}

std::string LocalIdentity::via(const sip::Local& l, std::string_view branch) const {
  std::string v = "SIP/2.0/";
  v += sip::transport_name(l.transport);
  v += ' ';
  v += host_of(l);
  v += ':';
  v += std::to_string(l.port);
  v += ";branch=";
  v += branch;
  return v;
}

std::string LocalIdentity::record_route(const sip::Local& l, std::string_view params) const {
  std::string v = "<sip:" + host_of(l) + ":" + std::to_string(l.port);
  v += ";transport=";
  v += sip::transport_param(l.transport);
  v += ";lr";
  v += params;
  v += '>';
  return v;
}

std::string LocalIdentity::contact(const sip::Local& l) const {
  return "<sip:" + host_of(l) + ":" + std::to_string(l.port) + ";transport=" +
         std::string(sip::transport_param(l.transport)) + ">";
}

}  // namespace parley::proxy
