#include "sip/transaction/uac_requests.hpp"

#include <string>
#include <vector>

namespace parley::sip {

namespace {

std::string line(HeaderId id, std::string_view value) {
  std::string s(header_name(id));
  s += ": ";
  s += value;
  return s;
}

void copy_first(const Message& from, HeaderId id, std::vector<std::string>& out) {
  if (const Header* h = from.find(id)) out.push_back(line(id, h->value));
}

void copy_all(const Message& from, HeaderId id, std::vector<std::string>& out) {
  for (const Header* h : from.find_all(id)) out.push_back(line(id, h->value));
}

std::string cseq_line(const Message& request, Method method) {
  auto cseq = request.cseq();
  std::string v = std::to_string(cseq ? cseq->number : 0);
  v += ' ';
  v += method_name(method);
  return line(HeaderId::CSeq, v);
}

}  // namespace

Message make_ack_for_non2xx(const Message& invite, const Message& response) {
  std::vector<std::string> h;
  copy_first(invite, HeaderId::Via, h);  // the top Via only
  copy_all(invite, HeaderId::Route, h);
  h.push_back("Max-Forwards: 70");
  copy_first(invite, HeaderId::From, h);
  copy_first(response, HeaderId::To, h);
  copy_first(invite, HeaderId::CallId, h);
  h.push_back(cseq_line(invite, Method::Ack));
  return Message::make_request(Method::Ack, invite.request_uri().text, h);
}

Message make_cancel(const Message& request) {
  std::vector<std::string> h;
  copy_first(request, HeaderId::Via, h);
  copy_all(request, HeaderId::Route, h);
  h.push_back("Max-Forwards: 70");
  copy_first(request, HeaderId::From, h);
  copy_first(request, HeaderId::To, h);
  copy_first(request, HeaderId::CallId, h);
  h.push_back(cseq_line(request, Method::Cancel));
  return Message::make_request(Method::Cancel, request.request_uri().text, h);
}

}  // namespace parley::sip
