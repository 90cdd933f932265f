// Fuzz target: sip::Message::parse (RFC 3261 7, 8.1.1, 18.3, 20) on one
// datagram's worth of bytes.
//
// For every input: parse() returns a Message or a ParseError, never throws
// (an exception escaping here is a crash) and never reads out of bounds.
// For every input that parses:
//  - the readers of the common headers (top_via, from, to, cseq, call_id,
//    expires, max_forwards) work, and those parse() checked are present;
//  - header values and the body are views into the message's own bytes;
//  - serialize() gives bytes that parse again to the same start line, Call-ID,
//    CSeq, headers and body, and serializing those gives the same bytes
//    (serialize is a fixed point after one round);
//  - for a request, make_response(m, 400) and make_response(m, 180, {}, tag)
//    serialize to responses that parse, keeping Call-ID and CSeq;
//  - a proxy's edit (a new top Via, Max-Forwards) still serializes to a
//    message that parses with that Via on top.
// A failed check aborts with the reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "sip/message.hpp"

namespace {

using parley::fuzz::printable;
using parley::fuzz::within;
using namespace parley::sip;

// Parses `wire`, which came from serialize(); a failure is a round-trip bug.
Message reparse(const std::string& wire, const char* what) {
  auto r = Message::parse(wire);
  if (auto* e = std::get_if<ParseError>(&r)) {
    parley::fuzz::fail(what, __FILE__, __LINE__,
                       "reason \"" + e->reason + "\" for " + printable(wire));
  }
  return std::get<Message>(std::move(r));
}

void check_views(const Message& m) {
  std::string_view raw = m.raw();
  PARLEY_FUZZ_CHECK(within(m.body(), raw));
  PARLEY_FUZZ_CHECK(within(m.request_uri().text, raw));
  PARLEY_FUZZ_CHECK(within(m.method_text(), raw));
  for (const auto& h : m.headers()) {
    PARLEY_FUZZ_CHECK(!h.name.empty());
    PARLEY_FUZZ_CHECK(within(h.name, raw));
    PARLEY_FUZZ_CHECK(within(h.line, raw));
    // A folded value is unfolded into storage the message owns; an unfolded
    // one is part of its line.
    if (!h.line.empty() && h.line.find('\n') == std::string_view::npos) {
      PARLEY_FUZZ_CHECK(within(h.value, h.line));
    }
  }
}

// Reads everything a role would read; checks what parse() promised.
void exercise(const Message& m) {
  auto via = m.top_via();
  PARLEY_FUZZ_CHECK(via.has_value());  // parse() checked every Via
  (void)via->branch();
  (void)via->received();
  (void)via->has_rport();
  (void)via->rfc3261_branch();
  PARLEY_FUZZ_CHECK(m.from().has_value());
  auto to = m.to();
  PARLEY_FUZZ_CHECK(to.has_value());
  (void)to->tag();
  PARLEY_FUZZ_CHECK(!m.call_id().empty());
  auto cseq = m.cseq();
  PARLEY_FUZZ_CHECK(cseq.has_value());
  if (m.is_request()) {
    PARLEY_FUZZ_CHECK(cseq->method_text == m.method_text());
    PARLEY_FUZZ_CHECK(m.method() == method_from(m.method_text()));
    const Uri& ruri = m.request_uri();
    if (ruri.is_sip()) {
      (void)ruri.aor();
      PARLEY_FUZZ_CHECK(uri_equal(ruri, ruri));
    }
  } else {
    PARLEY_FUZZ_CHECK(m.status() >= 100 && m.status() <= 699);
  }
  (void)m.expires();
  (void)m.max_forwards();
  (void)m.content_type();
  for (const Header* h : m.find_all(HeaderId::Contact)) {
    PARLEY_FUZZ_CHECK(parse_name_addr(h->value).has_value());  // parse() checked Contacts
  }
  for (HeaderId id : {HeaderId::Route, HeaderId::RecordRoute, HeaderId::Path}) {
    for (const Header* h : m.find_all(id)) (void)parse_name_addr(h->value);
  }
  (void)m.find("Content-Length");
  (void)m.find("X-Unknown-Header");
}

void check_same(const Message& a, const Message& b) {
  PARLEY_FUZZ_CHECK(a.is_request() == b.is_request());
  if (a.is_request()) {
    PARLEY_FUZZ_CHECK(a.method() == b.method());
    PARLEY_FUZZ_CHECK(a.method_text() == b.method_text());
    PARLEY_FUZZ_CHECK(a.request_uri().text == b.request_uri().text);
  } else {
    PARLEY_FUZZ_CHECK(a.status() == b.status());
    PARLEY_FUZZ_CHECK(a.reason() == b.reason());
  }
  PARLEY_FUZZ_CHECK(a.call_id() == b.call_id());
  PARLEY_FUZZ_CHECK_MSG(a.body() == b.body(), printable(a.body()) + " vs " + printable(b.body()));
  auto ca = a.cseq();
  auto cb = b.cseq();
  PARLEY_FUZZ_CHECK(ca && cb && ca->number == cb->number && ca->method_text == cb->method_text);
  // serialize() writes Content-Length from the body, adding one if missing.
  auto without_length = [](const Message& m) {
    std::vector<const Header*> out;
    for (const auto& h : m.headers()) {
      if (h.id != HeaderId::ContentLength) out.push_back(&h);
    }
    return out;
  };
  auto ha = without_length(a);
  auto hb = without_length(b);
  PARLEY_FUZZ_CHECK_MSG(ha.size() == hb.size(),
                        std::to_string(ha.size()) + " vs " + std::to_string(hb.size()));
  for (std::size_t i = 0; i < ha.size(); ++i) {
    PARLEY_FUZZ_CHECK(ha[i]->id == hb[i]->id);
    PARLEY_FUZZ_CHECK(ha[i]->name == hb[i]->name);
    PARLEY_FUZZ_CHECK_MSG(ha[i]->value == hb[i]->value,
                          printable(ha[i]->value) + " vs " + printable(hb[i]->value));
  }
  PARLEY_FUZZ_CHECK(b.count(HeaderId::ContentLength) == 1);
}

void check_response(const Message& request, int status, std::string_view tag) {
  Message r = Message::make_response(request, status, {}, tag);
  std::string wire = r.serialize();
  Message back = reparse(wire, "make_response() output does not parse");
  PARLEY_FUZZ_CHECK(back.is_response());
  PARLEY_FUZZ_CHECK(back.status() == status);
  PARLEY_FUZZ_CHECK(back.call_id() == request.call_id());
  PARLEY_FUZZ_CHECK(back.count(HeaderId::Via) == request.count(HeaderId::Via));
  auto cq = request.cseq();
  auto cr = back.cseq();
  PARLEY_FUZZ_CHECK(cq && cr && cq->number == cr->number && cq->method_text == cr->method_text);
  PARLEY_FUZZ_CHECK(back.body().empty());
  auto to = back.to();
  PARLEY_FUZZ_CHECK(to.has_value());
  // RFC 3261 8.2.6.2: the UAS adds its tag when the To has none. (A To
  // holding a tag parameter already, even a valueless ";tag", is kept.)
  auto request_to = request.to();
  if (!tag.empty() && request_to && !request_to->param("tag")) {
    PARLEY_FUZZ_CHECK(to->tag() == tag);
  }
}

void check_proxy_edit(const Message& m) {
  constexpr std::string_view kVia = "SIP/2.0/TLS proxy.parley.test:5061;branch=z9hG4bKfuzz;rport";
  Message edited = m;
  edited.push_front(HeaderId::Via, kVia);
  edited.set(HeaderId::MaxForwards, "69");
  std::string wire = edited.serialize();
  Message back = reparse(wire, "edited message does not parse");
  auto via = back.top_via();
  PARLEY_FUZZ_CHECK(via && via->branch() == "z9hG4bKfuzz");
  PARLEY_FUZZ_CHECK(back.count(HeaderId::Via) == m.count(HeaderId::Via) + 1);
  PARLEY_FUZZ_CHECK(back.max_forwards() == 69u);
  PARLEY_FUZZ_CHECK(back.call_id() == m.call_id());
  PARLEY_FUZZ_CHECK(back.body() == m.body());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto result = Message::parse(std::move(bytes));
  if (auto* e = std::get_if<ParseError>(&result)) {
    PARLEY_FUZZ_CHECK(!e->reason.empty());
    PARLEY_FUZZ_CHECK(e->status == 400 || e->status == 505);
    PARLEY_FUZZ_CHECK(e->bytes && e->bytes->size() == size);
    return 0;
  }
  const Message& m = std::get<Message>(result);
  check_views(m);
  exercise(m);

  std::string wire = m.serialize();
  Message again = reparse(wire, "serialize() output does not parse");
  check_same(m, again);
  exercise(again);
  std::string wire2 = again.serialize();
  PARLEY_FUZZ_CHECK_MSG(wire2 == wire, printable(wire) + "\n  vs\n  " + printable(wire2));

  if (m.is_request()) {
    check_response(m, 400, {});
    check_response(m, 180, "fuzz1");
    check_proxy_edit(m);
  }
  return 0;
}
