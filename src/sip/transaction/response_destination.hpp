// Where a server transaction sends its responses (RFC 3261 18.2.2, RFC 3581 4).
#pragma once

#include "sip/message.hpp"
#include "sip/peer.hpp"

namespace parley::sip {

// `source` is the transport-level origin of `request` (the Peer passed to
// TransactionLayer::receive). The result is:
//
//  - reliable transport (TCP, TLS): `source` unchanged, so the response goes
//    back over the same connection (18.2.2 first bullet). If that flow has
//    closed, the transport may open a new connection to the address; this
//    function does not compute the "received + sent-by port" alternative.
//  - UDP with rport in the top Via (RFC 3581 4): `source` unchanged (source
//    address and port; the transport also writes rport=<port> into the Via).
//  - UDP without rport (18.2.2 third bullet): the source address (what
//    `received` holds, or the sent-by host when they are equal) and the
//    sent-by port, 5060 when absent.
//
// The flow id is kept in every case, so a UDP response leaves from the socket
// the request came in on (NAT bindings stay valid). maddr (multicast, 18.2.2
// second bullet) is not supported and is ignored.
Peer response_destination(const Message& request, const Peer& source);

}  // namespace parley::sip
