// Parsing and reading SIP messages (RFC 3261 7, 8.1.1, 18.3, 20).
#include "sip/message.hpp"

#include <algorithm>
#include <cctype>

#include "sip/chars.hpp"

namespace parley::sip {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t'; }


bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Reads an unsigned decimal, saturating at UINT32_MAX.
std::optional<std::uint32_t> read_u32(std::string_view s) {
  s = trim(s);
  if (!all_digits(s)) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 0xFFFFFFFFull) return 0xFFFFFFFFu;
  }
  return static_cast<std::uint32_t>(v);
}

// Finds the end of the line starting at `pos`: returns the index of the line
// terminator and sets `next` past it (CRLF, or a bare LF from lenient peers).
std::size_t line_end(std::string_view s, std::size_t pos, std::size_t& next) {
  std::size_t lf = s.find('\n', pos);
  if (lf == std::string_view::npos) {
    next = s.size();
    return s.size();
  }
  next = lf + 1;
  return (lf > pos && s[lf - 1] == '\r') ? lf - 1 : lf;
}

// quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F) inside a quoted-string;
// elsewhere only HTAB among the controls.
bool controls_ok(std::string_view value) {
  bool quoted = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto u = static_cast<unsigned char>(value[i]);
    if (quoted && value[i] == '\\' && i + 1 < value.size()) {
      char next = value[i + 1];
      if (next == '\r' || next == '\n') return false;
      ++i;
      continue;
    }
    if (value[i] == '"') quoted = !quoted;
    if ((u < 0x20 && value[i] != '\t') || u == 0x7F) return false;
  }
  return true;
}

ParseError error(std::string reason, int status = 400) {
  return ParseError{std::move(reason), status, nullptr};
}

}  // namespace

ParseResult Message::parse(std::string bytes) {
  Message m;
  m.buffer_ = std::make_shared<const std::string>(std::move(bytes));
  if (auto e = parse_into(m)) {
    e->bytes = m.buffer_;
    return std::move(*e);
  }
  return m;
}

std::optional<ParseError> Message::parse_into(Message& m) {
  std::string_view s = *m.buffer_;

  // RFC 3261 7.5: ignore CRLFs before the start line.
  std::size_t pos = 0;
  while (pos < s.size() && (s[pos] == '\r' || s[pos] == '\n')) ++pos;
  if (pos >= s.size()) return error("Empty message");

  // Start line.
  std::size_t next;
  std::size_t end = line_end(s, pos, next);
  std::string_view start = s.substr(pos, end - pos);
  if (start.substr(0, 4) == "SIP/") {
    m.is_request_ = false;
    std::size_t sp = start.find(' ');
    if (sp == std::string_view::npos) return error("Bad status line");
    m.version_ = start.substr(0, sp);
    if (m.version_ != "SIP/2.0") return error("Version Not Supported", 505);
    std::string_view code = start.substr(sp + 1, 3);
    if (code.size() != 3 || !all_digits(code)) return error("Bad status code");
    m.status_ = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    if (m.status_ < 100 || m.status_ > 699) return error("Bad status code");
    std::string_view after = start.substr(sp + 4);
    if (!after.empty() && after.front() != ' ') return error("Bad status line");
    m.reason_ = trim(after);
  } else {
    // Method SP Request-URI SP SIP-Version: exactly single spaces (RFC 3261 7.1).
    std::size_t sp1 = start.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) return error("Bad request line");
    std::size_t sp2 = start.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return error("Bad request line");
    m.method_text_ = start.substr(0, sp1);
    for (char c : m.method_text_) {
      if (!is_token_char(c)) return error("Bad method");
    }
    m.method_ = method_from(m.method_text_);
    m.request_uri_text_ = start.substr(sp1 + 1, sp2 - sp1 - 1);
    m.version_ = start.substr(sp2 + 1);
    if (m.version_.find(' ') != std::string_view::npos) return error("Bad request line");
    std::string uri_error;
    auto uri = parse_uri(m.request_uri_text_, &uri_error);
    if (!uri) return error(uri_error.empty() ? "Bad Request-URI" : uri_error);
    m.request_uri_ = *uri;
    // RFC 3261 19.1.1 (table): no headers component in a Request-URI.
    if (!m.request_uri_.headers.empty()) return error("Request-URI has headers");
    if (!iequals(m.version_, "SIP/2.0")) return error("Version Not Supported", 505);
  }

  // Header lines, with folding (RFC 3261 7.3.1). One entry per line, reserved
  // up front with room for the few a proxy adds (Via, Record-Route): growing by
  // doubling would leave up to half the index unused in every kept message.
  pos = next;
  {
    std::size_t head_end = s.find("\r\n\r\n", pos);
    std::string_view head = s.substr(pos, head_end == std::string_view::npos ? s.size() - pos
                                                                            : head_end - pos);
    m.headers_.reserve(static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n')) + 3);
  }
  bool blank_line = false;
  while (pos < s.size()) {
    end = line_end(s, pos, next);
    if (end == pos) {  // empty line: end of headers
      blank_line = true;
      pos = next;
      break;
    }
    std::size_t line_begin = pos;
    std::size_t line_stop = end;
    pos = next;
    bool folded = false;
    while (pos < s.size() && is_ws(s[pos])) {  // continuation lines
      end = line_end(s, pos, next);
      line_stop = end;
      pos = next;
      folded = true;
    }
    std::string_view line = s.substr(line_begin, line_stop - line_begin);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return error("Malformed header line");
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && is_ws(name.back())) name.remove_suffix(1);
    if (name.empty()) return error("Empty header name");
    for (char c : name) {
      if (!is_token_char(c)) return error("Bad header name");
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (folded) {
      // Keep the line as written for forwarding; give readers one space per fold.
      std::string v;
      v.reserve(value.size());
      for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\r' || c == '\n') {
          while (i + 1 < value.size() && (value[i + 1] == '\r' || value[i + 1] == '\n' ||
                                          is_ws(value[i + 1])))
            ++i;
          v.push_back(' ');
        } else {
          v.push_back(c);
        }
      }
      value = m.own(v);
    }
    // RFC 3261 25.1: header values are printable text; of the controls only
    // HTAB (and the CRLF of folding, already removed above) may appear, except
    // as the escaped octet of a quoted-pair inside a quoted string.
    if (!controls_ok(value)) return error("Control character in header");
    HeaderId id = header_id(name);
    if (is_list_header(id)) {
      auto items = split_comma_list(value);
      if (items.empty()) return error(std::string("Empty ") + std::string(header_name(id)));
      if (items.size() == 1) {
        m.headers_.push_back(Header{id, name, items[0], line});
      } else {
        for (auto item : items) m.headers_.push_back(Header{id, name, item, {}});
      }
    } else {
      m.headers_.push_back(Header{id, name, value, line});
    }
  }

  // Body (RFC 3261 18.3, 20.14).
  std::string_view rest = pos <= s.size() ? s.substr(pos) : std::string_view{};
  if (!blank_line) rest = {};
  const Header* cl = m.find(HeaderId::ContentLength);
  if (cl) {
    if (m.count(HeaderId::ContentLength) > 1) return error("Multiple Content-Length");
    auto n = read_u32(cl->value);
    if (!n) return error("Bad Content-Length");
    if (*n > rest.size()) return error("Content-Length larger than message");
    m.body_ = rest.substr(0, *n);
  } else {
    m.body_ = rest;
  }

  // Mandatory headers (RFC 3261 8.1.1) and their syntax.
  for (HeaderId id : {HeaderId::CallId, HeaderId::CSeq, HeaderId::From, HeaderId::To,
                      HeaderId::MaxForwards, HeaderId::ContentType, HeaderId::Expires}) {
    if (m.count(id) > 1) return error("Multiple " + std::string(header_name(id)) + " headers");
  }
  const Header* call_id = m.find(HeaderId::CallId);
  if (!call_id || call_id->value.empty()) return error("Missing Call-ID");
  for (char c : call_id->value) {
    if (std::isspace(static_cast<unsigned char>(c))) return error("Bad Call-ID");
  }
  const Header* cseq_h = m.find(HeaderId::CSeq);
  if (!cseq_h) return error("Missing CSeq");
  auto cseq = parse_cseq(cseq_h->value);
  if (!cseq) return error("Bad CSeq");
  if (m.is_request_ && cseq->method_text != m.method_text_) return error("CSeq method does not match");
  std::string why;
  const Header* from = m.find(HeaderId::From);
  if (!from) return error("Missing From");
  if (!parse_name_addr(from->value, &why)) return error("Bad From: " + why);
  const Header* to = m.find(HeaderId::To);
  if (!to) return error("Missing To");
  if (!parse_name_addr(to->value, &why)) return error("Bad To: " + why);
  const Header* via = m.find(HeaderId::Via);
  if (!via) return error("Missing Via");
  for (const auto& h : m.headers_) {
    if (h.id == HeaderId::Via && !parse_via(h.value, &why)) return error("Bad Via: " + why);
  }
  for (const auto& h : m.headers_) {
    if (h.id == HeaderId::Contact && !parse_name_addr(h.value, &why))
      return error("Bad Contact: " + why);
  }
  if (const Header* mf = m.find(HeaderId::MaxForwards); mf && !read_u32(mf->value))
    return error("Bad Max-Forwards");
  if (const Header* ex = m.find(HeaderId::Expires); ex && !read_u32(ex->value))
    return error("Bad Expires");
  return std::nullopt;
}

const Header* Message::find(HeaderId id) const {
  for (const auto& h : headers_) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const Header* Message::find(std::string_view name) const {
  HeaderId id = header_id(name);
  if (id != HeaderId::Other) return find(id);
  for (const auto& h : headers_) {
    if (h.id == HeaderId::Other && iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::vector<const Header*> Message::find_all(HeaderId id) const {
  std::vector<const Header*> out;
  for (const auto& h : headers_) {
    if (h.id == id) out.push_back(&h);
  }
  return out;
}

std::size_t Message::count(HeaderId id) const {
  std::size_t n = 0;
  for (const auto& h : headers_) n += h.id == id;
  return n;
}

std::optional<Via> Message::top_via() const {
  const Header* h = find(HeaderId::Via);
  return h ? parse_via(h->value) : std::nullopt;
}

std::optional<NameAddr> Message::from() const {
  const Header* h = find(HeaderId::From);
  return h ? parse_name_addr(h->value) : std::nullopt;
}

std::optional<NameAddr> Message::to() const {
  const Header* h = find(HeaderId::To);
  return h ? parse_name_addr(h->value) : std::nullopt;
}

std::string_view Message::call_id() const {
  const Header* h = find(HeaderId::CallId);
  return h ? h->value : std::string_view{};
}

std::optional<CSeq> Message::cseq() const {
  const Header* h = find(HeaderId::CSeq);
  return h ? parse_cseq(h->value) : std::nullopt;
}

std::optional<std::uint32_t> Message::max_forwards() const {
  const Header* h = find(HeaderId::MaxForwards);
  return h ? read_u32(h->value) : std::nullopt;
}

std::optional<std::uint32_t> Message::expires() const {
  const Header* h = find(HeaderId::Expires);
  return h ? read_u32(h->value) : std::nullopt;
}

std::string_view Message::content_type() const {
  const Header* h = find(HeaderId::ContentType);
  return h ? h->value : std::string_view{};
}

std::string_view Message::raw() const { return buffer_ ? std::string_view(*buffer_) : std::string_view{}; }

std::string_view Message::own(std::string_view s) {
  auto p = std::make_shared<const std::string>(s);
  std::string_view v = *p;
  owned_.push_back(std::move(p));
  return v;
}

}  // namespace parley::sip
