#include "sip/transaction/client_transaction.hpp"

#include <algorithm>

#include "sip/transaction/core.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transaction/uac_requests.hpp"

namespace parley::sip {

using detail::Core;

ClientTransaction::ClientTransaction(std::weak_ptr<Core> core, TransactionId id, std::string key,
                                     Message request, Peer to, ClientOptions options, bool silent)
    : TransactionBase(std::move(core), id, std::move(key), is_reliable(to.transport)),
      request_(std::move(request)),
      context_(std::move(options.context)),
      timer_c_(request_.method() == Method::Invite ? options.timer_c : std::nullopt),
      silent_(silent),
      to_(std::move(to)),
      state_(request_.method() == Method::Invite ? ClientState::Calling : ClientState::Trying) {}

ClientTransactionPtr ClientTransaction::create(Core& core, std::weak_ptr<Core> weak_core,
                                               std::string key, Message request, Peer to,
                                               ClientOptions options, bool silent, bool deferred) {
  TransactionId id = core.next_id();
  ClientTransactionPtr tx(new ClientTransaction(std::move(weak_core), id, key, std::move(request),
                                                std::move(to), std::move(options), silent));
  if (deferred) tx->state_ = ClientState::Deferred;
  if (!core.clients.try_insert(key, tx).second) return nullptr;
  core.by_id.try_insert(id, tx);
  return tx;
}

ClientTransactionPtr ClientTransaction::self() {
  return std::static_pointer_cast<ClientTransaction>(shared_from_this());
}

Peer ClientTransaction::destination() const {
  std::lock_guard lock(mu_);
  return to_;
}

ClientState ClientTransaction::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void ClientTransaction::start(Core& core, bool from_tu) {
  Effects fx;
  {
    std::lock_guard lock(mu_);
    if (started_ || state_ == ClientState::Terminated) return;
    started_ = true;
    if (state_ == ClientState::Deferred) state_ = ClientState::Trying;
    request_bytes_ = request_.serialize();
    if (!send_locked(core, to_, request_bytes_)) {
      fail_locked(core, fx, TransactionError::TransportError);
    } else {
      interval_ = core.config.t1;
      if (!reliable()) start_timer(core, kRetransmit, interval_);  // A or E
      start_timer(core, kTimeout, core.t1x64());                   // B or F
      if (timer_c_) start_timer(core, kExtra, *timer_c_);          // C
    }
  }
  finish(core, fx, from_tu);
}

void ClientTransaction::abandon(Core& core) {
  Effects fx;
  {
    std::lock_guard lock(mu_);
    if (state_ != ClientState::Deferred) return;
    outcome_known_ = true;
    terminate_locked(core, fx);
  }
  finish(core, fx, false);
}

bool ClientTransaction::on_response(Core& core, const Message& response, const Peer& from) {
  Effects fx;
  {
    std::lock_guard lock(mu_);
    if (state_ == ClientState::Deferred || state_ == ClientState::Terminated) return false;
    const int code = response.status();
    auto pass_up = [this, &fx, &response] {
      if (silent_) return;
      queue(fx, [self = self(), response](TransactionUser& tu) { tu.on_response(self, response); });
    };
    if (reliable() && to_.flow == 0 && from.flow != 0 && from.same_address(to_)) to_.flow = from.flow;

    switch (state_) {
      case ClientState::Calling:
      case ClientState::Trying:
      case ClientState::Proceeding:
        if (code < 200) {
          if (state_ != ClientState::Proceeding) {
            state_ = ClientState::Proceeding;
            if (is_invite()) {
              // RFC 3261 17.1.1.2: no more retransmissions; Timer B only runs
              // in Calling. Non-INVITE keeps Timer E (at T2 from now on) and F.
              stop_timer(core, kRetransmit);
              stop_timer(core, kTimeout);
            }
            if (cancel_deferred_) {  // RFC 3261 9.1: now the CANCEL may go
              cancel_deferred_ = false;
              send_cancel_locked(core, fx, cancel_);
            }
          }
          // RFC 3261 16.7 step 2: provisional other than 100 restarts Timer C.
          if (timer_c_ && code > 100) start_timer(core, kExtra, *timer_c_);
          pass_up();
        } else if (is_invite() && code < 300) {
          // RFC 6026 7.2: Accepted, 2xx retransmissions and other forks' 2xx
          // keep coming up for Timer M.
          stop_all_timers(core);
          drop_deferred_cancel_locked(fx);
          state_ = ClientState::Accepted;
          outcome_known_ = true;
          std::string().swap(request_bytes_);  // never re-sent from here on
          start_timer(core, kTimeout, core.t1x64());  // M
          pass_up();
        } else if (is_invite()) {
          // RFC 3261 17.1.1.2 / 17.1.1.3: ACK it ourselves, wait Timer D.
          stop_all_timers(core);
          drop_deferred_cancel_locked(fx);
          state_ = ClientState::Completed;
          outcome_known_ = true;
          std::string().swap(request_bytes_);
          ack_bytes_ = make_ack_for_non2xx(request_, response).serialize();
          pass_up();
          if (!send_locked(core, to_, ack_bytes_) || reliable()) {
            terminate_locked(core, fx);  // D is zero on TCP/TLS
          } else {
            start_timer(core, kTimeout, core.config.timer_d);
          }
        } else {
          // RFC 3261 17.1.2.2: Completed, absorb retransmissions for Timer K.
          stop_all_timers(core);
          state_ = ClientState::Completed;
          outcome_known_ = true;
          std::string().swap(request_bytes_);
          pass_up();
          if (reliable()) {
            terminate_locked(core, fx);
          } else {
            start_timer(core, kTimeout, core.config.t4);  // K
          }
        }
        break;
      case ClientState::Completed:
        // Retransmitted final response: INVITE re-sends the ACK (17.1.1.2);
        // everything is absorbed.
        if (is_invite() && code >= 300 && !send_locked(core, to_, ack_bytes_)) {
          terminate_locked(core, fx);
        }
        break;
      case ClientState::Accepted:
        if (code >= 200 && code < 300) pass_up();
        break;
      case ClientState::Deferred:
      case ClientState::Terminated:
        break;
    }
  }
  finish(core, fx, false);
  return true;
}

ClientTransactionPtr ClientTransaction::cancel() {
  auto c = core();
  if (!c || !is_invite()) return nullptr;
  Effects fx;
  ClientTransactionPtr result;
  {
    std::lock_guard lock(mu_);
    if (cancel_) return cancel_;
    if (state_ != ClientState::Calling && state_ != ClientState::Proceeding) return nullptr;
    result = make_cancel_locked(*c, false);
    if (!result) return nullptr;
    if (state_ == ClientState::Proceeding) {
      send_cancel_locked(*c, fx, result);
    } else {
      cancel_deferred_ = true;
    }
  }
  finish(*c, fx, true);
  return result;
}

ClientTransactionPtr ClientTransaction::make_cancel_locked(Core& core, bool silent) {
  Message cancel = make_cancel(request_);
  auto key = client_transaction_key(cancel);
  if (!key) return nullptr;
  auto tx = create(core, core_weak(), std::move(*key), std::move(cancel), to_, ClientOptions{},
                   silent, /*deferred=*/true);
  if (tx) cancel_ = tx;
  return tx;
}

void ClientTransaction::send_cancel_locked(Core& core, Effects& fx, ClientTransactionPtr c) {
  // RFC 3261 9.1: without a final response 64*T1 after the CANCEL, consider
  // the INVITE cancelled.
  start_timer(core, kGuard, core.t1x64());
  fx.after.push_back([c = std::move(c), weak = core_weak()] {
    if (auto core = weak.lock()) c->start(*core, true);
  });
}

void ClientTransaction::drop_deferred_cancel_locked(Effects& fx) {
  if (!cancel_deferred_) return;
  cancel_deferred_ = false;
  fx.after.push_back([c = cancel_, weak = core_weak()] {
    if (auto core = weak.lock()) c->abandon(*core);
  });
}

void ClientTransaction::fail_locked(Core& core, Effects& fx, TransactionError error) {
  if (!outcome_known_ && !silent_) {
    queue(fx, [self = self(), error](TransactionUser& tu) { tu.on_client_error(self, error); });
  }
  outcome_known_ = true;
  drop_deferred_cancel_locked(fx);
  terminate_locked(core, fx);
}

void ClientTransaction::terminate_locked(Core& core, Effects& fx) {
  if (state_ == ClientState::Terminated) return;
  state_ = ClientState::Terminated;
  stop_all_timers(core);
  fx.terminated = true;
  if (!silent_) {
    queue(fx, [self = self()](TransactionUser& tu) { tu.on_client_terminated(self); });
  }
}

void ClientTransaction::retransmit_locked(Core& core, Effects& fx) {
  if (!send_locked(core, to_, request_bytes_)) fail_locked(core, fx, TransactionError::TransportError);
}

void ClientTransaction::on_timer_locked(Core& core, Slot slot, Effects& fx) {
  switch (slot) {
    case kRetransmit:
      if (state_ == ClientState::Calling) {  // Timer A: 17.1.1.2
        interval_ *= 2;
        start_timer(core, kRetransmit, interval_);
        retransmit_locked(core, fx);
      } else if (state_ == ClientState::Trying) {  // Timer E: 17.1.2.2
        interval_ = std::min(interval_ * 2, core.config.t2);
        start_timer(core, kRetransmit, interval_);
        retransmit_locked(core, fx);
      } else if (state_ == ClientState::Proceeding && !is_invite()) {
        interval_ = core.config.t2;
        start_timer(core, kRetransmit, interval_);
        retransmit_locked(core, fx);
      }
      break;
    case kTimeout:
      switch (state_) {
        case ClientState::Calling:     // B
        case ClientState::Trying:      // F
        case ClientState::Proceeding:  // F (non-INVITE only: INVITE stops B)
          fail_locked(core, fx, TransactionError::Timeout);
          break;
        case ClientState::Completed:   // D, K
        case ClientState::Accepted:    // M
          terminate_locked(core, fx);
          break;
        default:
          break;
      }
      break;
    case kExtra:  // Timer C, RFC 3261 16.8
      if (state_ == ClientState::Calling) {
        fail_locked(core, fx, TransactionError::Timeout);
      } else if (state_ == ClientState::Proceeding) {
        // Unless the TU cancelled already (then the 9.1 guard is running).
        if (!cancel_) {
          if (auto c = make_cancel_locked(core, /*silent=*/true)) {
            send_cancel_locked(core, fx, c);
          } else {
            start_timer(core, kGuard, core.t1x64());  // CANCEL key taken: just bound the wait
          }
        }
      }
      break;
    case kGuard:  // RFC 3261 9.1
      if (state_ == ClientState::Proceeding) fail_locked(core, fx, TransactionError::Timeout);
      break;
    default:
      break;
  }
}

void ClientTransaction::on_transport_failed_locked(Core& core, Effects& fx) {
  if (state_ == ClientState::Terminated) return;
  fail_locked(core, fx, TransactionError::TransportError);
}

void ClientTransaction::on_shutdown_locked() {
  state_ = ClientState::Terminated;
  cancel_deferred_ = false;
}

void ClientTransaction::remove_from_tables(Core& core) {
  auto me = this;
  core.clients.erase_if(key(), [me](const ClientTransactionPtr& p) { return p.get() == me; });
}

}  // namespace parley::sip
