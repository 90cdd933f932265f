// Client transactions (RFC 3261 17.1): INVITE (17.1.1, with the Accepted
// state of RFC 6026 7.2) and non-INVITE (17.1.2).
//
// Created by TransactionLayer::send_request() (or by cancel() below) and shared
// between the layer's table and the TU: the handle stays valid after the
// transaction ends; its operations then do nothing.
//
// What the transaction does by itself:
//  - retransmits the request over UDP (Timer A, doubling without cap, INVITE;
//    Timer E, doubling up to T2 and then every T2 once a provisional came,
//    non-INVITE); never over TCP/TLS;
//  - INVITE: sends the ACK for a 300-699 response and re-sends it for every
//    retransmission of that response during Timer D (17.1.1.3); a 2xx moves it
//    to Accepted for Timer M (64*T1), where further 2xx are passed up (the TU
//    ACKs 2xx itself, 13.2.2.4);
//  - times out with Timer B / F (and C, see ClientOptions).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/transaction_base.hpp"
#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {

class ClientTransaction final : public detail::TransactionBase {
 public:
  // The request this transaction sends (for one made by cancel(): the CANCEL).
  // Immutable.
  const Message& request() const { return request_; }
  Method method() const { return request_.method(); }
  bool is_invite() const { return request_.method() == Method::Invite; }
  // Where the request goes. For TCP/TLS with flow 0, the flow is filled in from
  // the first response that arrives from that address, so the ACK uses the
  // same connection.
  Peer destination() const;
  ClientState state() const;
  // The ClientOptions::context given to send_request (null for a CANCEL).
  const std::shared_ptr<void>& context() const { return context_; }

  // RFC 3261 9.1: cancels this INVITE. Builds the CANCEL (make_cancel()) and
  // runs it as its own non-INVITE client transaction with the same branch,
  // whose responses reach the TU through on_response() like any other. When
  // no provisional response has arrived yet, the CANCEL is held (state
  // Deferred) and sent when one arrives; if a final response, a timeout or a
  // transport error comes first, it is never sent and just terminates. Once
  // the CANCEL is sent, the INVITE ends with Timeout if no final response
  // comes within 64*T1.
  //
  // Returns the CANCEL transaction (the same one when called again), or null
  // when this is not an INVITE, a final response already arrived, or the
  // transaction ended.
  ClientTransactionPtr cancel();

 private:
  friend class TransactionLayer;

  ClientTransaction(std::weak_ptr<detail::Core> core, TransactionId id, std::string key,
                    Message request, Peer to, ClientOptions options, bool silent);

  // Creates a transaction and puts it in the tables. Null when the key is taken.
  static ClientTransactionPtr create(detail::Core& core, std::weak_ptr<detail::Core> weak_core,
                                     std::string key, Message request, Peer to,
                                     ClientOptions options, bool silent, bool deferred);

  // Sends the request and starts the timers (Calling / Trying; a Deferred
  // CANCEL moves to Trying). Does nothing when already started.
  void start(detail::Core& core, bool from_tu);
  // A Deferred CANCEL whose INVITE ended: terminate without sending.
  void abandon(detail::Core& core);
  // A response matched this transaction. False when it had already ended
  // (the caller passes the response up as stray).
  bool on_response(detail::Core& core, const Message& response, const Peer& from);

  // Makes the CANCEL transaction (mu_ held). Null when its key is taken.
  ClientTransactionPtr make_cancel_locked(detail::Core& core, bool silent);
  void send_cancel_locked(detail::Core& core, Effects& fx, ClientTransactionPtr c);
  void fail_locked(detail::Core& core, Effects& fx, TransactionError error);
  void terminate_locked(detail::Core& core, Effects& fx);
  void drop_deferred_cancel_locked(Effects& fx);
  void retransmit_locked(detail::Core& core, Effects& fx);
  void on_timer_locked(detail::Core& core, Slot slot, Effects& fx) override;
  void on_transport_failed_locked(detail::Core& core, Effects& fx) override;
  void on_shutdown_locked() override;
  void remove_from_tables(detail::Core& core) override;
  ClientTransactionPtr self();

  const Message request_;
  const std::shared_ptr<void> context_;
  const std::optional<base::Millis> timer_c_;
  const bool silent_;  // made by Timer C: no TU events

  // Guarded by mu_.
  Peer to_;
  ClientState state_;
  bool started_ = false;
  bool outcome_known_ = false;  // final response passed up or error reported
  base::Millis interval_{0};    // current A / E interval
  std::string request_bytes_;
  std::string ack_bytes_;       // INVITE, Completed: the ACK to re-send
  ClientTransactionPtr cancel_; // INVITE: its CANCEL, once cancel() ran
  bool cancel_deferred_ = false;
};

}  // namespace parley::sip
