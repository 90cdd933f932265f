#include "sip/transaction/transaction_key.hpp"

#include <cctype>

#include "sip/transaction/branch.hpp"

namespace parley::sip {

namespace {

// Appends "<length>:<text>" so that components cannot run into each other.
void put(std::string& key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view request_method_text(const Message& m) {
  return m.method() == Method::Unknown ? m.method_text() : method_name(m.method());
}

}  // namespace

bool has_rfc3261_branch(const Message& m) {
  auto via = m.top_via();
  return via && is_rfc3261_branch(via->branch());
}

std::optional<std::string> server_transaction_key(const Message& request,
                                                  std::optional<Method> as_method,
                                                  std::optional<std::string_view> to_tag) {
  auto via = request.top_via();
  auto cseq = request.cseq();
  const Header* via_header = request.find(HeaderId::Via);
  if (!via || !cseq || !via_header) return std::nullopt;

  std::string_view method;
  if (as_method) {
    method = method_name(*as_method);
  } else if (request.method() == Method::Ack) {
    method = method_name(Method::Invite);
  } else {
    method = request_method_text(request);
  }

  std::string key;
  if (is_rfc3261_branch(via->branch())) {
    key.reserve(64 + via->branch().size() + via->host.size());
    key += '3';  // RFC 3261 17.2.3, first paragraphs
    put(key, via->branch());
    put(key, lower(via->host));
    put(key, std::to_string(via->port));
    put(key, method);
    return key;
  }

  // RFC 2543 fallback.
  auto from = request.from();
  auto to = request.to();
  if (!from || !to) return std::nullopt;
  key += '2';
  put(key, request.request_uri().text);
  put(key, to_tag ? *to_tag : to->tag());
  put(key, from->tag());
  put(key, request.call_id());
  put(key, std::to_string(cseq->number));
  put(key, method);
  put(key, via_header->value);
  return key;
}

std::optional<std::string> client_transaction_key(const Message& m) {
  auto via = m.top_via();
  if (!via || via->branch().empty()) return std::nullopt;
  std::string_view method;
  if (m.is_request()) {
    method = request_method_text(m);
  } else {
    auto cseq = m.cseq();
    if (!cseq) return std::nullopt;
    method = cseq->method == Method::Unknown ? cseq->method_text : method_name(cseq->method);
  }
  std::string key;
  key += 'c';
  put(key, via->branch());
  put(key, method);
  return key;
}

}  // namespace parley::sip
