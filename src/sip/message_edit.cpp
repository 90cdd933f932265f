// Editing, building and serializing SIP messages (RFC 3261 7, 8.2.6, 16.6).
#include <algorithm>

#include "sip/message.hpp"

namespace parley::sip {

Message& Message::set_request_uri(std::string_view uri) {
  std::string_view text = own(uri);
  auto parsed = parse_uri(text);
  request_uri_text_ = text;
  if (parsed) {
    request_uri_ = *parsed;
  } else {
    request_uri_ = Uri{};
    request_uri_.text = text;
  }
  return *this;
}

Message& Message::set_status(int status, std::string_view reason) {
  is_request_ = false;
  status_ = status;
  reason_ = reason.empty() ? reason_phrase(status) : own(reason);
  return *this;
}

Message& Message::push_front(HeaderId id, std::string_view value, std::string_view name) {
  std::string_view n = name.empty() ? header_name(id) : own(name);
  headers_.insert(headers_.begin(), Header{id, n, own(value), {}});
  return *this;
}

Message& Message::push_back(HeaderId id, std::string_view value, std::string_view name) {
  std::string_view n = name.empty() ? header_name(id) : own(name);
  headers_.push_back(Header{id, n, own(value), {}});
  return *this;
}

Message& Message::push_back(std::string_view name, std::string_view value) {
  HeaderId id = header_id(name);
  return push_back(id, value, id == HeaderId::Other ? name : std::string_view{});
}

Message& Message::pop_front(HeaderId id) {
  auto it = std::find_if(headers_.begin(), headers_.end(),
                         [id](const Header& h) { return h.id == id; });
  if (it != headers_.end()) headers_.erase(it);
  return *this;
}

Message& Message::remove_all(HeaderId id) {
  std::erase_if(headers_, [id](const Header& h) { return h.id == id; });
  return *this;
}

Message& Message::remove_all(std::string_view name) {
  HeaderId id = header_id(name);
  if (id != HeaderId::Other) return remove_all(id);
  std::erase_if(headers_, [name](const Header& h) {
    return h.id == HeaderId::Other && iequals(h.name, name);
  });
  return *this;
}

Message& Message::set(HeaderId id, std::string_view value) {
  std::vector<Header> kept;
  kept.reserve(headers_.size());
  bool placed = false;
  for (auto& h : headers_) {
    if (h.id != id) {
      kept.push_back(h);
    } else if (!placed) {
      kept.push_back(Header{id, header_name(id), own(value), {}});
      placed = true;
    }
  }
  headers_ = std::move(kept);
  if (!placed) push_back(id, value);
  return *this;
}

Message& Message::set_body(std::string_view body, std::string_view content_type) {
  body_ = own(body);
  body_edited_ = true;
  if (content_type.empty()) {
    remove_all(HeaderId::ContentType);
  } else {
    set(HeaderId::ContentType, content_type);
  }
  return *this;
}

Message& Message::add_param(HeaderId id, std::string_view param, std::size_t index) {
  std::size_t seen = 0;
  for (auto& h : headers_) {
    if (h.id != id) continue;
    if (seen++ != index) continue;
    std::string v(h.value);
    v += ';';
    v += param;
    h.value = own(v);
    h.line = {};
    break;
  }
  return *this;
}

Message& Message::replace_value(HeaderId id, std::string_view value, std::size_t index) {
  std::size_t seen = 0;
  for (auto& h : headers_) {
    if (h.id != id) continue;
    if (seen++ != index) continue;
    h.value = own(value);
    h.line = {};
    break;
  }
  return *this;
}

std::string Message::serialize() const {
  std::string out;
  // Exact but for the status line and Content-Length digits: these bytes are
  // often kept (a transaction's last response, a request to retransmit), so
  // capacity beyond their size would be held with them.
  std::size_t estimate = 64 + request_uri_text_.size() + request_uri_.text.size() + reason_.size() +
                         body_.size();
  for (const auto& h : headers_) {
    estimate += (h.line.empty() ? h.name.size() + 2 + h.value.size() : h.line.size()) + 2;
  }
  out.reserve(estimate);
  if (is_request_) {
    out += method_text_;
    out += ' ';
    out += request_uri_.text.empty() ? request_uri_text_ : request_uri_.text;
    out += " SIP/2.0\r\n";
  } else {
    out += "SIP/2.0 ";
    out += std::to_string(status_);
    out += ' ';
    out += reason_;
    out += "\r\n";
  }
  bool wrote_length = false;
  for (const auto& h : headers_) {
    if (h.id == HeaderId::ContentLength) {
      if (wrote_length) continue;
      out += h.name;
      out += ": ";
      out += std::to_string(body_.size());
      wrote_length = true;
    } else if (!h.line.empty()) {
      out += h.line;
    } else {
      out += h.name;
      out += ": ";
      out += h.value;
    }
    out += "\r\n";
  }
  if (!wrote_length) {
    out += "Content-Length: ";
    out += std::to_string(body_.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += body_;
  return out;
}

Message Message::make_response(const Message& request, int status, std::string_view reason,
                               std::string_view to_tag) {
  Message r;
  r.is_request_ = false;
  r.status_ = status;
  r.version_ = "SIP/2.0";
  r.buffer_ = request.buffer_;  // the copied headers are views into it
  r.owned_ = request.owned_;
  // After owned_ is copied: own() appends to it (TSan found the reason freed by
  // that assignment when it came first).
  r.reason_ = reason.empty() ? reason_phrase(status) : r.own(reason);
  r.headers_.reserve(12);  // the copied Via, From, To, Call-ID, CSeq and what a UAS adds
  for (const auto& h : request.headers_) {
    switch (h.id) {
      case HeaderId::Via:
      case HeaderId::From:
      case HeaderId::CallId:
      case HeaderId::CSeq:
        r.headers_.push_back(h);
        break;
      case HeaderId::To:
        if (!to_tag.empty() && status != 100) {
          auto to = parse_name_addr(h.value);
          if (to && !to->param("tag")) {
            std::string v(h.value);
            v += ";tag=";
            v += to_tag;
            r.headers_.push_back(Header{h.id, h.name, r.own(v), {}});
            break;
          }
        }
        r.headers_.push_back(h);
        break;
      case HeaderId::Timestamp:  // RFC 3261 8.2.6.1
        if (status == 100) r.headers_.push_back(h);
        break;
      default:
        break;
    }
  }
  r.body_ = {};
  r.body_edited_ = true;
  return r;
}

Message Message::make_request(Method method, std::string_view request_uri,
                              const std::vector<std::string>& headers, std::string_view body) {
  std::string text;
  text += method_name(method);
  text += ' ';
  text += request_uri;
  text += " SIP/2.0\r\n";
  for (const auto& h : headers) {
    text += h;
    text += "\r\n";
  }
  text += "Content-Length: ";
  text += std::to_string(body.size());
  text += "\r\n\r\n";
  text += body;
  auto result = parse(std::move(text));
  if (auto* m = std::get_if<Message>(&result)) return std::move(*m);
  // Built from parts the caller controls: a failure is a programming error.
  // Return a message that carries the method so callers fail visibly.
  Message m;
  m.method_ = method;
  m.method_text_ = method_name(method);
  m.set_request_uri(request_uri);
  return m;
}

}  // namespace parley::sip
