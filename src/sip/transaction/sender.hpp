// The transaction layer's way onto the wire (RFC 3261 section 18 is behind it).
#pragma once

#include <string>

#include "sip/peer.hpp"
#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {

class Sender {
 public:
  virtual ~Sender() = default;

  // Puts one serialized message on the wire toward `to`: over connection
  // `to.flow` when it is non-zero, otherwise over a connection to (or a socket
  // for) to.ip:to.port with to.transport. `tid` names the transaction the bytes
  // belong to (0 for stateless sends).
  //
  // Returns false when the message certainly cannot be sent (no route, flow
  // closed, connect refused synchronously): the transaction then ends with
  // TransactionError::TransportError. A failure found later (an asynchronous
  // write error) is reported with TransactionLayer::transport_failed(tid).
  //
  // Thread rules: called from any thread, while the layer holds the lock of
  // transaction `tid` (that keeps retransmissions in order). It must not block
  // and must not call back into the TransactionLayer synchronously (post the
  // transport_failed() call instead).
  virtual bool send(const Peer& to, std::string bytes, TransactionId tid) = 0;
};

}  // namespace parley::sip
