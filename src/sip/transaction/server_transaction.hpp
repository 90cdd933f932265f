// Server transactions (RFC 3261 17.2): INVITE (17.2.1, with the Accepted state
// of RFC 6026 7.1) and non-INVITE (17.2.2).
//
// Created by TransactionLayer::receive() for every request but ACK, and handed
// to the TU in on_request() / on_cancel(). The TU answers through respond().
// The handle stays valid after the transaction ends; respond() then returns
// false.
//
// What the transaction does by itself:
//  - absorbs retransmitted requests, re-sending the last provisional response
//    (Proceeding) or the final one (Completed); nothing in Trying, Confirmed or
//    Accepted (17.2.1, 17.2.2, RFC 6026 8.5);
//  - INVITE: sends 100 Trying when the TU has not answered within
//    TransactionConfig::invite_trying_after (17.2.1); retransmits a 300-699
//    response over UDP (Timer G) until the ACK comes, which it absorbs
//    (Confirmed, Timer I), or Timer H fires (on_server_error Timeout); after a
//    2xx waits in Accepted for Timer L, sending every further 2xx the TU gives
//    it (the TU retransmits 2xx itself, 13.3.1.4) and passing ACKs up;
//  - non-INVITE: after the final response absorbs retransmissions for Timer J;
//    over UDP through the layer's compact record (completed_table.hpp), the
//    transaction itself terminating at once.
//
// Responses go to response_destination() (RFC 3261 18.2.2, RFC 3581).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/transaction_base.hpp"
#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {

class ServerTransaction final : public detail::TransactionBase {
 public:
  // The request that created the transaction. Immutable.
  const Message& request() const { return request_; }
  Method method() const { return request_.method(); }
  bool is_invite() const { return request_.method() == Method::Invite; }
  // The transport-level source of the request (as given to receive()).
  const Peer& source() const { return source_; }
  // Where responses go (response_destination.hpp).
  const Peer& response_peer() const { return response_peer_; }
  ServerState state() const;

  // Sends `response` (status 100-699, built with Message::make_response from
  // request() or forwarded by a proxy) and moves the state machine:
  //   INVITE, Proceeding: 1xx stays; 2xx -> Accepted; 300-699 -> Completed.
  //   INVITE, Accepted:   2xx is sent (RFC 6026 8.5); anything else refused.
  //   non-INVITE, Trying/Proceeding: 1xx -> Proceeding; 200-699 -> Completed.
  // Returns false when refused (not a response, bad status, a final response
  // was already sent, transaction ended) or when the transport refused the
  // bytes; in the latter case the transaction ends and on_server_error
  // (TransportError) follows. Thread-safe; never calls the TU synchronously.
  bool respond(Message response);

  // Opaque TU data (e.g. a proxy's response context). Thread-safe.
  void set_context(std::shared_ptr<void> context);
  std::shared_ptr<void> context() const;

 private:
  friend class TransactionLayer;

  ServerTransaction(std::weak_ptr<detail::Core> core, TransactionId id, std::string key,
                    Message request, Peer source);

  static ServerTransactionPtr make(detail::Core& core, std::weak_ptr<detail::Core> weak_core,
                                   std::string key, Message request, Peer source);
  // First step after insertion: timers, then on_request (or on_cancel when
  // `cancelled` is the INVITE transaction this CANCEL matched).
  void start(detail::Core& core, const ServerTransactionPtr& cancelled);
  // A retransmission of request() arrived. False when the transaction had
  // already terminated (its Completed record, if any, is the layer's).
  bool on_retransmission(detail::Core& core);

  enum class AckResult { Absorbed, PassUp, NoMatch };
  // An ACK matched the key. `response_to_tag`: for RFC 2543 matching, the To
  // tag the ACK carries, which must equal that of the response we sent.
  AckResult on_ack(detail::Core& core, std::optional<std::string_view> response_to_tag);

  bool send_response_locked(detail::Core& core, Effects& fx, const std::string& bytes);
  void fail_locked(detail::Core& core, Effects& fx, TransactionError error);
  void terminate_locked(detail::Core& core, Effects& fx);
  void on_timer_locked(detail::Core& core, Slot slot, Effects& fx) override;
  void on_transport_failed_locked(detail::Core& core, Effects& fx) override;
  void on_shutdown_locked() override;
  void remove_from_tables(detail::Core& core) override;
  ServerTransactionPtr self();

  const Message request_;
  const Peer source_;
  const Peer response_peer_;

  // Guarded by mu_.
  ServerState state_;
  std::string provisional_bytes_;  // last 1xx sent
  std::string final_bytes_;        // final response sent
  std::string final_to_tag_;       // To tag of the final response (RFC 2543 ACK matching)
  base::Millis g_interval_{0};
  std::shared_ptr<void> context_;
};

}  // namespace parley::sip
