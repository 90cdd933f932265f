#include "store/contact_store.hpp"

#include "base/ascii.hpp"

namespace parley::store {

std::string_view to_string(ContactRefusal r) {
  switch (r) {
    case ContactRefusal::stale_delta: return "stale deltaNum";
    case ContactRefusal::no_such_contact: return "no such contact";
    case ContactRefusal::no_such_group: return "no such group";
    case ContactRefusal::default_group: return "the default group cannot be deleted";
    case ContactRefusal::duplicate_group: return "a group with that name exists";
    case ContactRefusal::limit: return "limit exceeded";
    case ContactRefusal::invalid: return "invalid request";
  }
  return "invalid request";
}

std::optional<std::string> normalize_contact_uri(std::string_view uri) {
  if (uri.size() >= 4 && base::iequals(uri.substr(0, 4), "sip:")) uri.remove_prefix(4);
  const std::size_t at = uri.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == uri.size()) return std::nullopt;
  for (char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"') return std::nullopt;
  }
  std::string out(uri);
  for (std::size_t i = at + 1; i < out.size(); ++i) out[i] = base::ascii_lower(out[i]);
  return out;
}

}  // namespace parley::store
