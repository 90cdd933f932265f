// The OPTIONS request a probe sends and the reading of what comes back
// (RFC 3261 11, 8.1.1, 17.1.3).
#include <arpa/inet.h>

#include <string>
#include <variant>

#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/random.hpp"
#include "topology/check/detail.hpp"

namespace parley::check::detail {

bool is_numeric_address(std::string_view host) {
  std::string h(sip::unbracket_host(host));
  auto percent = h.find('%');  // IPv6 zone ("fe80::1%eth0")
  if (percent != std::string::npos) h.resize(percent);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string checked_name(const Options& options) {
  return std::string(
      sip::unbracket_host(options.server_name.empty() ? options.host : options.server_name));
}

namespace {

// An IPv6 zone ("fe80::1%eth0") has no place in a SIP URI or Via.
std::string_view without_zone(std::string_view ip) { return ip.substr(0, ip.find('%')); }

}  // namespace

OptionsRequest make_options(std::string_view host, std::uint16_t port, Transport transport,
                            std::string_view local_ip, std::uint16_t local_port) {
  const std::string h = sip::bracket_host(without_zone(sip::unbracket_host(host)));
  const std::string hostport = h + ":" + std::to_string(port);
  std::string_view token = "UDP";
  std::string uri = "sip:" + hostport;
  if (transport == Transport::Tcp) {
    token = "TCP";
    uri += ";transport=tcp";
  } else if (transport == Transport::Tls) {
    token = "TLS";
    uri += ";transport=tls";
  }

  OptionsRequest r;
  r.branch = "z9hG4bK" + sip::random_hex(12);  // RFC 3261 8.1.1.7
  r.call_id = sip::random_hex(16);
  std::string via = "Via: SIP/2.0/";
  via += token;
  via += ' ';
  via += sip::bracket_host(without_zone(local_ip));
  via += ':';
  via += std::to_string(local_port);
  via += ";branch=" + r.branch + ";rport";  // RFC 3581 3
  const std::vector<std::string> headers = {
      std::move(via),
      "Max-Forwards: 70",
      "From: <sip:check@" + h + ">;tag=" + sip::random_hex(8),
      "To: <sip:" + hostport + ">",
      "Call-ID: " + r.call_id,
      "CSeq: 1 OPTIONS",
      "Accept: application/sdp",  // RFC 3261 11.1
      "User-Agent: parley-check",
  };
  // make_request adds Content-Length: 0.
  r.wire = sip::Message::make_request(sip::Method::Options, uri, headers).serialize();
  return r;
}

Reception receive(std::string bytes, const OptionsRequest& request, OptionsResult& out) {
  sip::ParseResult parsed = sip::Message::parse(std::move(bytes));
  const auto* m = std::get_if<sip::Message>(&parsed);
  if (m == nullptr || !m->is_response()) return Reception::Ignored;
  // RFC 3261 17.1.3: the top Via branch and the CSeq method identify the
  // client transaction.
  auto via = m->top_via();
  auto cseq = m->cseq();
  if (!via || via->branch() != request.branch || !cseq || cseq->method != sip::Method::Options)
    return Reception::Ignored;
  if (m->status() < 200) return Reception::Provisional;
  out.answered = true;
  out.status = m->status();
  out.reason = std::string(m->reason());
  const sip::Header* server = m->find(sip::HeaderId::Server);
  if (server == nullptr) server = m->find(sip::HeaderId::UserAgent);
  out.server = server ? std::string(server->value) : std::string();
  out.error.clear();
  return Reception::Final;
}

}  // namespace parley::check::detail
