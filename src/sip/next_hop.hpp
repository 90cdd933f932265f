// Where a request to a URI goes when no flow is known (RFC 3263 without DNS).
#pragma once

#include "sip/peer.hpp"
#include "sip/uri.hpp"

namespace parley::sip {

// Numeric hosts only (plus "localhost" = 127.0.0.1); maddr overrides the host
// (RFC 3261 19.1.1). The transport comes from the transport parameter, sips
// means TLS, else UDP; the default port is 5060, or 5061 for TLS. Sets `out`
// (flow 0) and returns true, or returns false for a non-sip URI, an unknown
// transport or a host name that would need DNS.
bool next_hop(const Uri& uri, Peer& out);

}  // namespace parley::sip
