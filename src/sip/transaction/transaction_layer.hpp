// The SIP transaction layer (RFC 3261 section 17): the entry point between the
// transport (below) and the TU, a UA core or the proxy core (above).
//
//   transport --receive()--> TransactionLayer --TransactionUser callbacks--> TU
//   transport <--Sender::send()-- TransactionLayer <--send_request/respond/cancel-- TU
//
// One layer serves every worker thread. Its two tables (server and client
// transactions) are sharded maps, one mutex per shard; each transaction has
// its own mutex for its state. Timers run on the given TimerService.
//
// Choices worth knowing:
//  - INVITE transactions implement RFC 6026 (Accepted states, Timers L and M)
//    rather than the original RFC 3261 "terminate on 2xx": retransmitted
//    INVITEs after a 2xx are absorbed instead of reaching the TU as new
//    requests, and 2xx retransmissions reach the TU through the client
//    transaction for 64*T1.
//  - Server transactions are matched by RFC 3261 17.2.3 (branch + sent-by +
//    method) when the top Via branch has the magic cookie, and by the RFC 2543
//    rules otherwise (transaction_key.hpp). Client transactions by branch +
//    CSeq method (17.1.3).
//  - A non-INVITE server transaction over UDP hands its Completed state
//    (RFC 3261 17.2.2) to a compact record in the layer: key, destination and
//    final response bytes, re-sent for a retransmission until Timer J. The
//    transaction object itself terminates once its final response is sent
//    (state() is then Terminated, on_server_terminated runs), so neither the
//    request nor the TU's context is held for the 32 s of Timer J.
//  - ACK never creates a transaction: it is absorbed by an INVITE server
//    transaction in Completed/Confirmed, or passed to TransactionUser::on_ack.
//  - Responses go to response_destination(request, source) (RFC 3261 18.2.2,
//    RFC 3581): the same flow for TCP/TLS; for UDP the source address, with
//    the source port when the Via has rport and the sent-by port otherwise.
//
// Lifetime: the Sender, the TransactionUser and the TimerService must outlive
// the layer, and receive()/timer threads must have stopped calling into it
// before it is destroyed. Destroying the layer cancels every transaction's
// timers; handles the TU still holds then refuse all operations.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/timer.hpp"
#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/client_transaction.hpp"
#include "sip/transaction/sender.hpp"
#include "sip/transaction/server_transaction.hpp"
#include "sip/transaction/transaction_types.hpp"
#include "sip/transaction/transaction_user.hpp"

namespace parley::sip {

namespace detail {
class Core;
}

// What receive() did with a message (for logs, statistics and tests).
enum class Disposition : std::uint8_t {
  NewTransaction,  // a server transaction was created; on_request or on_cancel ran
  Retransmission,  // matched a server transaction and was absorbed (maybe a response re-sent)
  AckAbsorbed,     // ACK for a 300-699 response, absorbed (17.2.1)
  AckPassedUp,     // ACK given to TransactionUser::on_ack
  Response,        // matched a client transaction
  StrayResponse,   // matched nothing; given to on_stray_response
  Dropped,         // unusable (no Via / CSeq / branch); nothing happened
};
std::string_view to_string(Disposition d);

class TransactionLayer {
 public:
  TransactionLayer(TransactionConfig config, Sender& sender, TransactionUser& tu,
                   base::TimerService& timers);
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // Every parsed message from the transport. `from` is the packet's source:
  // transport, address, port and the flow it arrived on. Any thread. Calls
  // the TU synchronously on this thread (see transaction_user.hpp).
  Disposition receive(Message message, const Peer& from);

  // Starts a client transaction for `request` toward `to` (RFC 3261 17.1).
  // The request must carry its final top Via with a fresh RFC 3261 branch
  // (make_branch()) and a CSeq; the layer does not add Via. ACK is refused:
  // the ACK for a 2xx is sent without a transaction (send_stateless()), the
  // one for non-2xx by the INVITE transaction itself.
  // Returns null, with a reason in *error when given, for an unusable request
  // or a branch already in use. A transport failure on the first send is
  // reported through on_client_error (posted, never from inside this call).
  ClientTransactionPtr send_request(Message request, const Peer& to, ClientOptions options = {},
                                    std::string* error = nullptr);

  // Sends a message outside any transaction (ACK for 2xx, RFC 3261 13.2.2.4;
  // stateless forwarding, 16.11). Returns Sender::send's result.
  bool send_stateless(const Message& message, const Peer& to);

  // The transport reports that bytes it was given for transaction `tid` could
  // not be delivered (RFC 3261 17.1.4, 17.2.4): the transaction ends with
  // TransactionError::TransportError. Unknown or ended ids are ignored. Any
  // thread; the TU hears about it from a zero-delay timer.
  void transport_failed(TransactionId tid);

  // The INVITE server transaction a CANCEL would match (RFC 3261 9.2), for a
  // proxy that looks it up itself. Null when none.
  ServerTransactionPtr find_cancelled(const Message& cancel) const;

  // Live transactions (not yet Terminated).
  std::size_t server_count() const;
  std::size_t client_count() const;
  // Non-INVITE server transactions in Completed over UDP, kept as compact
  // records until Timer J (completed_table.hpp); not in server_count().
  std::size_t completed_count() const;
  const TransactionConfig& config() const;

 private:
  Disposition receive_request(Message message, const Peer& from);
  Disposition receive_ack(const Message& ack, const Peer& from);
  Disposition receive_response(const Message& response, const Peer& from);

  std::shared_ptr<detail::Core> core_;
};

}  // namespace parley::sip
