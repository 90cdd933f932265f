// How the server names itself in Via, Record-Route and Route (RFC 3261 16.4,
// 16.6 steps 4 and 8), and how it recognises its own URIs when they come back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sip/next_hop.hpp"
#include "sip/peer.hpp"
#include "sip/uri.hpp"

namespace parley::proxy {

class LocalIdentity {
 public:
  // `fqdn` is the server's host name; `listeners` the bound SIP listeners with
  // their actual ports (an unspecified address, 0.0.0.0 or ::, means "all").
  LocalIdentity(std::string fqdn, std::vector<sip::Local> listeners);

  // RFC 3261 16.4: does this URI (a Route or Request-URI) name this server?
  // True when the host is the fqdn or the address of a listener (any address
  // for wildcard listeners bound to the URI's port) and the port, default
  // 5060 (5061 for sips or transport=tls), is one of ours.
  bool is_ours(const sip::Uri& uri) const;
  // Does a Via sent-by (host, port 0 = default) name this server?
  bool is_our_sent_by(std::string_view host, std::uint16_t port, sip::Transport t) const;

  // The listener a message that arrived on `local` leaves from when sent with
  // transport `t`: the same listener when the transport matches, else the
  // first listener with that transport.
  sip::Local outbound(sip::Transport t, const sip::Local& arrived) const;
  // The first listener with transport `t` (the one a message to a peer over
  // `t` leaves from); the first listener at all when none has it.
  sip::Local listener_for(sip::Transport t) const;
  // The host text (IPv6 bracketed) of a local address; the fqdn when the
  // listener is bound to a wildcard address.
  std::string host_of(const sip::Local& l) const;
  // "SIP/2.0/TCP 127.0.0.1:5060;branch=..." for a message leaving from `l`.
  std::string via(const sip::Local& l, std::string_view branch) const;
  // "<sip:127.0.0.1:5060;transport=tcp;lr>" for a Record-Route/Path entry;
  // `params` (";dt=...") are appended inside the brackets.
  std::string record_route(const sip::Local& l, std::string_view params = {}) const;
  // "<sip:127.0.0.1:5060;transport=tcp>" for the Contact of a dialog this
  // server is an endpoint of (a subscription it serves; no `lr`, which only
  // belongs in Route and Record-Route, RFC 3261 19.1.1).
  std::string contact(const sip::Local& l) const;

  const std::string& fqdn() const { return fqdn_; }
  const std::vector<sip::Local>& listeners() const { return listeners_; }

 private:
  std::string fqdn_;
  std::vector<sip::Local> listeners_;
};

using sip::next_hop;  // sip/next_hop.hpp

}  // namespace parley::proxy
