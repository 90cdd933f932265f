#include "app/ingress.hpp"

#include "app/router.hpp"
#include "sip/random.hpp"
#include "sip/transaction/response_destination.hpp"

#include <spdlog/spdlog.h>

namespace parley::app {

using sip::HeaderId;

Ingress::Ingress(sip::TransactionLayer& transactions, sip::Sender& sender, SpdlogRequestLog& log,
                 std::size_t max_headers, SourceThrottle& throttle, const base::TimerService& clock,
                 Router* router)
    : transactions_(transactions),
      sender_(sender),
      log_(log),
      max_headers_(max_headers),
      throttle_(throttle),
      clock_(clock),
      router_(router) {}

std::string via_with_received(const sip::Via& via, const sip::Peer& source) {
  std::string v(via.protocol);
  v += '/';
  v += via.transport;
  v += ' ';
  v += via.host;
  if (via.port) {
    v += ':';
    v += std::to_string(via.port);
  }
  for (const auto& p : via.params) {
    if (sip::iequals(p.name, "received") || sip::iequals(p.name, "rport")) continue;
    v += ';';
    v += p.name;
    if (p.has_value) {
      v += '=';
      v += p.value;
    }
  }
  v += ";received=";
  v += source.ip;
  v += ";rport=";
  v += std::to_string(source.port);
  return v;
}

std::string raw_error_response(std::string_view raw, int status, std::string_view reason) {
  std::size_t pos = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= raw.size()) return false;
    std::size_t lf = raw.find('\n', pos);
    std::size_t end = lf == std::string_view::npos ? raw.size() : lf;
    line = raw.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    return true;
  };
  std::string_view line;
  while (next_line(line) && line.empty()) {
  }
  if (line.starts_with("SIP/")) return {};  // a response: never answered
  std::string headers;
  bool via = false, from = false, to = false, call_id = false, cseq = false;
  while (next_line(line) && !line.empty()) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    HeaderId id = sip::header_id(sip::trim(line.substr(0, colon)));
    bool* seen = nullptr;
    switch (id) {
      case HeaderId::Via:
        seen = &via;
        break;
      case HeaderId::From:
        seen = &from;
        break;
      case HeaderId::To:
        seen = &to;
        break;
      case HeaderId::CallId:
        seen = &call_id;
        break;
      case HeaderId::CSeq:
        seen = &cseq;
        break;
      default:
        break;
    }
    if (!seen || (id != HeaderId::Via && *seen)) continue;
    for (char c : line) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return {};
    }
    *seen = true;
    headers += line;
    headers += "\r\n";
  }
  if (!via || !from || !to || !call_id || !cseq) return {};
  std::string out = "SIP/2.0 " + std::to_string(status) + " ";
  for (char c : reason) out += (c == '\r' || c == '\n') ? ' ' : c;
  out += "\r\n";
  out += headers;
  out += "Content-Length: 0\r\n\r\n";
  return out;
}

bool Ingress::signature_ok(sip::Message& m, const sip::Peer& source) {
  using Check = sip::auth::SecurityAssociations::Check;
  auto v = sas_->verify(m, source.flow);
  if (v.check == Check::NoAssociation) return true;
  bool is_register = m.is_request() && m.method() == sip::Method::Register;
  if (v.check == Check::Valid) {
    if (!is_register) m.remove_all(HeaderId::Authorization);
    return true;
  }
  // A REGISTER may start a new handshake (new SA, so the old one's check
  // fails): the registrar decides.
  if (is_register) return true;
  bool invalid = v.check == Check::Invalid;
  std::string_view why = invalid ? "invalid NTLM signature" : "unsigned message over an NTLM SA";
  if (!m.is_request() || m.method() == sip::Method::Ack) {
    log_.malformed(m.is_request() ? m.method_text() : std::string_view("response"), source, 0,
                   why);
    return false;
  }
  sip::Message r = invalid ? sip::Message::make_response(m, 403, "Invalid Message Signature",
                                                         sip::random_hex(5))
                           : sip::Message::make_response(m, 401, {},
                                                         sip::random_hex(5));
  log_.malformed(m.method_text(), source, r.status(), why);
  sender_.send(sip::response_destination(m, source), r.serialize(), 0);
  return false;
}

void Ingress::on_message(std::string bytes, const sip::Peer& source, const sip::Local& local) {
  // A throttled source costs one lookup and, for a request, a stateless 503.
  if (std::uint32_t wait = throttle_.blocked_for(source.ip, clock_.now())) {
    if (bytes.starts_with("SIP/") || bytes.starts_with("ACK ")) return;
    auto parsed = sip::Message::parse(std::move(bytes));
    if (auto* m = std::get_if<sip::Message>(&parsed)) {
      sip::Message r = sip::Message::make_response(*m, 503, "Too Many Unauthenticated Requests");
      r.push_back(HeaderId::RetryAfter, std::to_string(wait));
      sender_.send(source, r.serialize(), 0);
    }
    return;
  }
  auto parsed = sip::Message::parse(std::move(bytes));
  if (auto* err = std::get_if<sip::ParseError>(&parsed)) {
    std::string_view raw = err->bytes ? std::string_view(*err->bytes) : std::string_view{};
    std::string response = raw_error_response(raw, err->status, err->reason);
    std::string_view first = raw.substr(0, raw.find_first_of("\r\n"));
    log_.malformed(first, source, response.empty() ? 0 : err->status, err->reason);
    if (!response.empty()) sender_.send(source, std::move(response), 0);
    return;
  }
  sip::Message& m = std::get<sip::Message>(parsed);
  if (m.headers().size() > max_headers_) {
    if (m.is_request()) {
      sip::Message r = sip::Message::make_response(m, 400, "Too Many Headers");
      sender_.send(source, r.serialize(), 0);
    }
    log_.malformed(m.method_text(), source, m.is_request() ? 400 : 0, "too many headers");
    return;
  }
  if (sas_ && source.flow != 0 && !signature_ok(m, source)) return;
  if (m.is_request()) {
    if (auto via = m.top_via()) m.replace_value(HeaderId::Via, via_with_received(*via, source));
    if (router_) {
      if (auto response = router_->stateless_response(m, source)) {
        sender_.send(sip::response_destination(m, source), response->serialize(), 0);
        return;
      }
    }
  }
  transactions_.receive(std::move(m), source);
}

}  // namespace parley::app
