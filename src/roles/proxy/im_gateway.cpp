#include "roles/proxy/im_gateway.hpp"

#include "roles/registrar/registrar.hpp"
#include "sip/auth/sipae.hpp"
#include "sip/chars.hpp"
#include "sip/uri.hpp"
#include "sip/random.hpp"
#include "sip/transaction/branch.hpp"

namespace parley::proxy {

using sip::HeaderId;
using sip::Message;

namespace {

constexpr auto kIdle = std::chrono::hours(1);

// The first message of a Lync conversation, from the INVITE's
// `Ms-Text-Format: text/plain; charset=UTF-8;msgr=...;ms-body=<base64>`.
bool first_message(const Message& invite, std::string& type, std::string& body) {
  const sip::Header* h = invite.find("Ms-Text-Format");
  if (!h) return false;
  std::string_view v = h->value;
  std::size_t at = v.find("ms-body=");
  if (at == std::string_view::npos) return false;
  std::string_view b64 = v.substr(at + 8);
  b64 = b64.substr(0, b64.find(';'));
  b64 = sip::trim(b64);
  auto decoded = sip::auth::sipae::base64_decode(b64);
  if (!decoded || decoded->empty()) return false;
  body.assign(decoded->begin(), decoded->end());
  // The content type and its charset, without the Lync-only parameters.
  std::string t;
  while (!v.empty()) {
    std::size_t semi = v.find(';');
    std::string_view part = sip::trim(v.substr(0, semi));
    v = semi == std::string_view::npos ? std::string_view{} : v.substr(semi + 1);
    if (part.empty() || part.starts_with("msgr=") || part.starts_with("ms-body=")) continue;
    if (!t.empty()) t += "; ";
    t += part;
  }
  type = t.empty() ? "text/plain" : t;
  return true;
}

}  // namespace

ImGateway::ImGateway(const LocalIdentity& identity, sip::TransactionLayer& transactions,
                     const base::TimerService& clock, std::string server_header)
    : identity_(identity),
      transactions_(transactions),
      clock_(clock),
      server_header_(std::move(server_header)) {}

bool ImGateway::wanted(const std::vector<registrar::Binding>& bindings) {
  if (bindings.empty()) return false;
  for (const auto& b : bindings) {
    if (b.lync) return false;
  }
  return true;
}

void ImGateway::answer(const sip::ServerTransactionPtr& tx, const std::string& caller_aor,
                       const std::string& callee_aor,
                       const std::vector<registrar::Binding>& bindings) {
  const Message& invite = tx->request();
  base::TimePoint now = clock_.now();
  Session s;
  s.caller = caller_aor;
  s.callee = callee_aor;
  s.our_tag = registrar::make_tag();
  s.relay_call_id = sip::random_hex(12) + "@" + identity_.fqdn();
  s.relay_tag = registrar::make_tag();
  s.bindings = bindings;
  s.last = now;

  sip::Local here = identity_.listener_for(tx->source().transport);
  Message ok = Message::make_response(invite, 200, {}, s.our_tag);
  ok.push_back(HeaderId::Contact, identity_.record_route(here, ";ms-imgw"));
  ok.push_back(HeaderId::Server, server_header_);
  std::string family = here.ip.find(':') == std::string::npos ? "IP4" : "IP6";
  std::string sdp = "v=0\r\no=- 0 0 IN " + family + " " + here.ip + "\r\ns=session\r\nc=IN " +
                    family + " " + here.ip + "\r\nt=0 0\r\nm=message " +
                    std::to_string(here.port) + " sip sip:" + callee_aor + "\r\n";
  ok.set_body(sdp, "application/sdp");

  std::string type, text;
  bool has_first = first_message(invite, type, text);
  {
    std::lock_guard lock(mu_);
    if (++answered_ % 64 == 0) forget_idle(now);
    auto [it, fresh] = sessions_.try_emplace(std::string(invite.call_id()), std::move(s));
    if (!fresh) {  // a retransmission the transaction layer did not absorb
      tx->respond(Message::make_response(invite, 482, "Loop Detected", registrar::make_tag()));
      return;
    }
    if (has_first) relay(it->second, type, text);
  }
  tx->respond(std::move(ok));
}

bool ImGateway::in_dialog(const sip::ServerTransactionPtr& tx) {
  const Message& req = tx->request();
  auto to = req.to();
  if (!to || to->tag().empty()) return false;
  std::string call_id(req.call_id());
  int status = 200;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(call_id);
    if (it == sessions_.end() || it->second.our_tag != to->tag()) return false;
    Session& s = it->second;
    s.last = clock_.now();
    switch (req.method()) {
      case sip::Method::Message:
        relay(s, req.content_type().empty() ? "text/plain" : req.content_type(), req.body());
        break;
      case sip::Method::Bye:
        sessions_.erase(it);
        break;
      case sip::Method::Info:     // typing (KeyboardActivity): nothing to tell a pager client
      case sip::Method::Options:
        break;
      default:
        status = 501;
        break;
    }
  }
  Message r = Message::make_response(req, status);
  r.push_back(HeaderId::Server, server_header_);
  tx->respond(std::move(r));
  return true;
}

bool ImGateway::absorbs(const Message& ack) const {
  auto to = ack.to();
  if (!to || to->tag().empty()) return false;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(ack.call_id()));
  return it != sessions_.end() && it->second.our_tag == to->tag();
}

std::size_t ImGateway::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void ImGateway::relay(Session& s, std::string_view content_type, std::string_view body) {
  // RFC 3428 pager mode: one MESSAGE per binding of the callee, From the caller.
  for (const auto& b : s.bindings) {
    sip::Local leaving = identity_.listener_for(b.flow.transport);
    std::vector<std::string> h = {
        "Via: " + identity_.via(leaving, sip::make_branch()),
        "Max-Forwards: 70",
        "From: <sip:" + s.caller + ">;tag=" + s.relay_tag,
        "To: <sip:" + s.callee + ">",
        "Call-ID: " + s.relay_call_id,
        "CSeq: " + std::to_string(++s.relay_cseq) + " MESSAGE",
        "Content-Type: " + std::string(content_type),
    };
    Message m = Message::make_request(sip::Method::Message, b.contact, h, body);
    transactions_.send_request(std::move(m), b.flow);
  }
}

void ImGateway::forget_idle(base::TimePoint now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.last > kIdle ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace parley::proxy
