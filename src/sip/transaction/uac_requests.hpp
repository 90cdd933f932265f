// Requests a client transaction builds by itself: the ACK for a non-2xx final
// response (RFC 3261 17.1.1.3) and CANCEL (RFC 3261 9.1).
//
// Both copy the header values they need out of the originals, so the result
// does not depend on the originals' lifetime.
#pragma once

#include "sip/message.hpp"

namespace parley::sip {

// RFC 3261 17.1.1.3: the ACK for a 300-699 response to `invite`. Same
// Request-URI, Call-ID, From and CSeq number (method ACK) as the INVITE; To
// from the response (with its tag); a single Via equal to the INVITE's top Via;
// the INVITE's Route headers; Max-Forwards: 70; no body.
Message make_ack_for_non2xx(const Message& invite, const Message& response);

// RFC 3261 9.1: a CANCEL for `request` (normally an INVITE). Same Request-URI,
// Call-ID, To, From and CSeq number (method CANCEL); a single Via equal to the
// request's top Via (so the branch matches); the request's Route headers;
// Max-Forwards: 70; no body.
Message make_cancel(const Message& request);

}  // namespace parley::sip
