#include "sip/transaction/response_destination.hpp"

namespace parley::sip {

Peer response_destination(const Message& request, const Peer& source) {
  Peer to = source;
  if (is_reliable(source.transport)) return to;
  auto via = request.top_via();
  if (!via || via->has_rport()) return to;
  to.port = via->port != 0 ? via->port : 5060;
  return to;
}

}  // namespace parley::sip
