// The Transaction User (TU) interface: what the transaction layer tells the
// layer above it, the UA core or the proxy core (RFC 3261 17, 8.1.3, 16).
//
// Thread rules (read these before implementing):
//  - Callbacks run on the thread that drove the event: a receive() caller (a
//    network worker) or a timer callback. Several transactions' callbacks may
//    run at the same time on different threads.
//  - The callbacks of one transaction are delivered one at a time and in the
//    order the events happened.
//  - The layer holds none of its locks while calling the TU, so a callback may
//    call respond(), send_request(), cancel() or receive() freely.
//  - The layer never calls the TU from inside a call the TU made (respond,
//    send_request, cancel, transport_failed): events those calls cause (e.g. a
//    synchronous transport error) are posted through the TimerService with a
//    zero delay and delivered from there.
#pragma once

#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {

class TransactionUser {
 public:
  virtual ~TransactionUser() = default;

  // A request that created a new server transaction (any method but ACK; a
  // CANCEL that matches no INVITE server transaction arrives here too, and the
  // TU answers it 481, or a proxy forwards it statelessly, RFC 3261 9.2,
  // 16.10). The request is tx->request(). Answer through tx->respond().
  virtual void on_request(const ServerTransactionPtr& tx) = 0;

  // RFC 3261 9.2 / 16.10: `cancel` (a new non-INVITE server transaction)
  // matched INVITE server transaction `invite`. The TU answers 200 to `cancel`
  // and, when invite->state() is still Proceeding, 487 to `invite` (a proxy
  // cancels its branches first). A CANCEL that matches a transaction that
  // already sent its final response comes here too; respond(487) then returns
  // false, and the CANCEL still gets its 200 (9.2).
  virtual void on_cancel(const ServerTransactionPtr& invite, const ServerTransactionPtr& cancel) = 0;

  // An ACK that is not absorbed by a transaction: in RFC 3261 the ACK for a
  // 2xx has its own branch and matches nothing (17.2.3, 13.3.1.4); an ACK that
  // matches an INVITE server transaction in the Accepted state (RFC 6026 8.3,
  // e.g. RFC 2543 peers) comes here as well. A proxy forwards it (16.7 ... 16.11).
  virtual void on_ack(const Message& ack, const Peer& from) = 0;

  // A response for client transaction `tx` (RFC 3261 17.1.1.2, 17.1.2.2):
  // every provisional, the final one once, and for INVITE every 2xx
  // (retransmissions and 2xx from other forks included, RFC 6026 7.2).
  // Retransmitted non-2xx final responses are absorbed.
  virtual void on_response(const ClientTransactionPtr& tx, const Message& response) = 0;

  // A response that matches no client transaction (RFC 3261 18.1.2, 16.7):
  // typically a 2xx retransmission after the transaction ended. A stateful
  // proxy forwards it statelessly (16.11); a UA core hands 2xx to its dialogs.
  virtual void on_stray_response(const Message& response, const Peer& from) = 0;

  // Client transaction `tx` failed before its final response: Timeout (treat
  // as 408) or TransportError (treat as 503), RFC 3261 8.1.3.1, 16.7 step 6.
  // Never called once the final response was passed up.
  virtual void on_client_error(const ClientTransactionPtr& tx, TransactionError error) = 0;

  // Server transaction `tx` failed: Timeout (Timer H: no ACK for the 300-699
  // response, 17.2.1) or TransportError (a response could not be sent, 17.2.4).
  virtual void on_server_error(const ServerTransactionPtr& tx, TransactionError error) = 0;

  // The transaction reached Terminated and left the tables (after any
  // on_response / on_*_error it caused). Optional: for cleaning up per
  // transaction state.
  virtual void on_client_terminated(const ClientTransactionPtr& tx) {}
  virtual void on_server_terminated(const ServerTransactionPtr& tx) {}
};

}  // namespace parley::sip
