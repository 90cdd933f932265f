#include "sip/header_tokens.hpp"

#include "sip/chars.hpp"
#include "sip/uri.hpp"

namespace parley::sip {

bool supports_option(const Message& m, std::string_view option) {
  for (const Header* h : m.find_all(HeaderId::Supported)) {
    for (auto v : split_comma_list(h->value)) {
      if (iequals(trim(v), option)) return true;
    }
  }
  return false;
}

bool accepts_type(const Message& m, std::string_view type) {
  for (const Header* h : m.find_all(HeaderId::Accept)) {
    for (auto v : split_comma_list(h->value)) {
      if (iequals(trim(v.substr(0, v.find(';'))), type)) return true;
    }
  }
  return false;
}

std::string_view event_package(const Message& m) {
  const Header* e = m.find(HeaderId::Event);
  if (!e) return {};
  std::string_view v = e->value;
  return trim(v.substr(0, v.find(';')));
}

}  // namespace parley::sip
