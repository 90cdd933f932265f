// Transaction keys: which transaction a message belongs to (RFC 3261 17.1.3,
// 17.2.3).
//
// A key is an opaque string; two messages belong to the same transaction when
// their keys are equal. Components are length-prefixed, so no crafted header
// value can make two different tuples collide.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace parley::sip {

// True when the message's top Via has a branch starting with the magic cookie
// (RFC 3261 8.1.1.7), so RFC 3261 17.2.3 matching applies.
bool has_rfc3261_branch(const Message& m);

// Key of the server transaction a request creates or belongs to.
//
// RFC 3261 17.2.3, branch with the magic cookie: top Via branch (compared
// case-sensitively) + sent-by (host lower-cased, port as written or 0 when
// absent) + method, where ACK counts as INVITE. CANCEL is its own method, so it
// gets its own transaction.
//
// RFC 2543 fallback (17.2.3, last paragraphs), any other branch or none:
// Request-URI (as written) + To tag + From tag + Call-ID + CSeq number + method
// + the top Via value (as written). Retransmissions are byte copies, so
// comparing the text is what the RFC's "match" means in practice.
//
// `as_method` replaces the method used in the key: Method::Invite to find the
// INVITE transaction an ACK or a CANCEL refers to (RFC 3261 9.2: the CANCEL's
// target is found as if its method were the original one). Without it ACK maps
// to INVITE and every other method to itself (extension methods by their text).
// `to_tag` replaces the request's To tag in an RFC 2543 key (an ACK carries the
// tag of the response, not that of the INVITE); ignored for RFC 3261 keys.
//
// nullopt when the request has no usable top Via or CSeq (parse() normally
// rejects such requests).
std::optional<std::string> server_transaction_key(
    const Message& request, std::optional<Method> as_method = std::nullopt,
    std::optional<std::string_view> to_tag = std::nullopt);

// Key of the client transaction a request creates, or a response belongs to
// (RFC 3261 17.1.3): top Via branch + method (the CSeq method for a response,
// so a 200 to CANCEL does not match the INVITE). nullopt when the top Via has
// no branch or the CSeq is missing.
std::optional<std::string> client_transaction_key(const Message& m);

}  // namespace parley::sip
