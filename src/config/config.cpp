// Config methods that do not involve the file format.
#include "config/config.hpp"

#include <strings.h>

namespace parley::config {

bool Config::is_local_domain(std::string_view host) const {
  // A fully qualified name may end in the root label's dot ("parley.test.").
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  for (const auto& d : domains) {
    if (d.size() == host.size() && strncasecmp(d.data(), host.data(), host.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace parley::config
