#include "sip/transaction/server_transaction.hpp"

#include <algorithm>

#include "sip/transaction/core.hpp"
#include "sip/transaction/response_destination.hpp"

namespace parley::sip {

using detail::Core;

ServerTransaction::ServerTransaction(std::weak_ptr<Core> core, TransactionId id, std::string key,
                                     Message request, Peer source)
    : TransactionBase(std::move(core), id, std::move(key), is_reliable(source.transport)),
      request_(std::move(request)),
      source_(std::move(source)),
      response_peer_(response_destination(request_, source_)),
      state_(request_.method() == Method::Invite ? ServerState::Proceeding : ServerState::Trying) {}

ServerTransactionPtr ServerTransaction::make(Core& core, std::weak_ptr<Core> weak_core,
                                             std::string key, Message request, Peer source) {
  return ServerTransactionPtr(new ServerTransaction(std::move(weak_core), core.next_id(),
                                                    std::move(key), std::move(request),
                                                    std::move(source)));
}

ServerTransactionPtr ServerTransaction::self() {
  return std::static_pointer_cast<ServerTransaction>(shared_from_this());
}

ServerState ServerTransaction::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void ServerTransaction::set_context(std::shared_ptr<void> context) {
  std::lock_guard lock(mu_);
  context_ = std::move(context);
}

std::shared_ptr<void> ServerTransaction::context() const {
  std::lock_guard lock(mu_);
  return context_;
}

void ServerTransaction::start(Core& core, const ServerTransactionPtr& cancelled) {
  Effects fx;
  {
    std::lock_guard lock(mu_);
    if (cancelled) {
      queue(fx, [self = self(), cancelled](TransactionUser& tu) { tu.on_cancel(cancelled, self); });
    } else {
      queue(fx, [self = self()](TransactionUser& tu) { tu.on_request(self); });
    }
    // RFC 3261 17.2.1: 100 Trying unless the TU answers within 200 ms.
    if (is_invite() && core.config.invite_trying_after) {
      if (core.config.invite_trying_after->count() <= 0) {
        on_timer_locked(core, kExtra, fx);
      } else {
        start_timer(core, kExtra, *core.config.invite_trying_after);
      }
    }
  }
  finish(core, fx, false);
}

bool ServerTransaction::on_retransmission(Core& core) {
  Effects fx;
  {
    std::lock_guard lock(mu_);
    // Ended, maybe just now handing its Completed state to the layer's record
    // while this retransmission waited for the lock: the caller looks there.
    if (state_ == ServerState::Terminated) return false;
    // RFC 3261 17.2.1, 17.2.2: re-send the last response; Trying, Confirmed and
    // Accepted (RFC 6026 8.5) absorb silently.
    if (state_ == ServerState::Proceeding && !provisional_bytes_.empty()) {
      send_response_locked(core, fx, provisional_bytes_);
    } else if (state_ == ServerState::Completed) {
      send_response_locked(core, fx, final_bytes_);
    }
  }
  finish(core, fx, false);
  return true;
}

ServerTransaction::AckResult ServerTransaction::on_ack(
    Core& core, std::optional<std::string_view> response_to_tag) {
  Effects fx;
  AckResult result = AckResult::Absorbed;
  {
    std::lock_guard lock(mu_);
    if (!is_invite()) return AckResult::NoMatch;
    if (response_to_tag && state_ != ServerState::Proceeding && *response_to_tag != final_to_tag_) {
      return AckResult::NoMatch;
    }
    switch (state_) {
      case ServerState::Completed:  // RFC 3261 17.2.1: Confirmed, Timer I
        stop_all_timers(core);
        state_ = ServerState::Confirmed;
        if (reliable()) {
          terminate_locked(core, fx);
        } else {
          start_timer(core, kTimeout, core.config.t4);
        }
        break;
      case ServerState::Accepted:  // RFC 6026 8.3: passed to the TU
        result = AckResult::PassUp;
        break;
      default:  // Confirmed absorbs; an ACK before any final response is dropped
        break;
    }
  }
  finish(core, fx, false);
  return result;
}

bool ServerTransaction::respond(Message response) {
  auto c = core();
  if (!c || !response.is_response()) return false;
  const int code = response.status();
  if (code < 100 || code > 699) return false;
  Core& core = *c;
  Effects fx;
  bool ok = false;
  {
    std::lock_guard lock(mu_);
    const bool final = code >= 200;
    if (is_invite()) {
      if (state_ == ServerState::Proceeding) {
        std::string bytes = response.serialize();
        if (final) {
          if (auto to = response.to()) final_to_tag_ = std::string(to->tag());
        }
        if (!final) {
          stop_timer(core, kExtra);  // no 100 Trying needed any more
          ok = send_response_locked(core, fx, bytes);
          if (ok) provisional_bytes_ = std::move(bytes);
        } else if (code < 300) {
          // RFC 6026 7.1: Accepted for Timer L. Retransmitted INVITEs are
          // absorbed silently from here on (8.5): the 1xx is not needed.
          stop_all_timers(core);
          state_ = ServerState::Accepted;
          std::string().swap(provisional_bytes_);
          ok = send_response_locked(core, fx, bytes);
          if (ok) start_timer(core, kTimeout, c->t1x64());
        } else {
          // RFC 3261 17.2.1: Completed; G over UDP, H always.
          stop_all_timers(core);
          state_ = ServerState::Completed;
          std::string().swap(provisional_bytes_);
          final_bytes_ = bytes;
          ok = send_response_locked(core, fx, bytes);
          if (ok) {
            g_interval_ = core.config.t1;
            if (!reliable()) start_timer(core, kRetransmit, g_interval_);
            start_timer(core, kTimeout, core.t1x64());
          }
        }
      } else if (state_ == ServerState::Accepted && final && code < 300) {
        ok = send_response_locked(core, fx, response.serialize());  // RFC 6026 8.5
      }
    } else if (state_ == ServerState::Trying || state_ == ServerState::Proceeding) {
      std::string bytes = response.serialize();
      if (!final) {
        state_ = ServerState::Proceeding;
        ok = send_response_locked(core, fx, bytes);
        if (ok) provisional_bytes_ = std::move(bytes);
      } else {
        // RFC 3261 17.2.2: Completed for Timer J (zero on TCP/TLS). Over UDP
        // the layer's compact record keeps the Completed state (key,
        // destination, response) and this object terminates at once.
        stop_all_timers(core);
        state_ = ServerState::Completed;
        ok = send_response_locked(core, fx, bytes);
        if (ok) {
          if (!reliable()) {
            core.completed->insert(key(), {response_peer_, std::move(bytes)}, core.t1x64());
          }
          terminate_locked(core, fx);
        }
      }
    }
  }
  finish(core, fx, true);
  return ok;
}

bool ServerTransaction::send_response_locked(Core& core, Effects& fx, const std::string& bytes) {
  if (send_locked(core, response_peer_, bytes)) return true;
  fail_locked(core, fx, TransactionError::TransportError);  // RFC 3261 17.2.4
  return false;
}

void ServerTransaction::fail_locked(Core& core, Effects& fx, TransactionError error) {
  if (state_ == ServerState::Terminated) return;
  queue(fx, [self = self(), error](TransactionUser& tu) { tu.on_server_error(self, error); });
  terminate_locked(core, fx);
}

void ServerTransaction::terminate_locked(Core& core, Effects& fx) {
  if (state_ == ServerState::Terminated) return;
  state_ = ServerState::Terminated;
  stop_all_timers(core);
  fx.terminated = true;
  queue(fx, [self = self()](TransactionUser& tu) { tu.on_server_terminated(self); });
}

void ServerTransaction::on_timer_locked(Core& core, Slot slot, Effects& fx) {
  switch (slot) {
    case kExtra:  // the 100 Trying delay, RFC 3261 17.2.1
      if (state_ == ServerState::Proceeding && provisional_bytes_.empty()) {
        std::string bytes = Message::make_response(request_, 100).serialize();
        if (send_response_locked(core, fx, bytes)) provisional_bytes_ = std::move(bytes);
      }
      break;
    case kRetransmit:  // Timer G
      if (state_ == ServerState::Completed) {
        g_interval_ = std::min(g_interval_ * 2, core.config.t2);
        start_timer(core, kRetransmit, g_interval_);
        send_response_locked(core, fx, final_bytes_);
      }
      break;
    case kTimeout:
      if (state_ == ServerState::Completed && is_invite()) {
        fail_locked(core, fx, TransactionError::Timeout);  // H
      } else if (state_ == ServerState::Completed || state_ == ServerState::Confirmed ||
                 state_ == ServerState::Accepted) {
        terminate_locked(core, fx);  // J, I, L
      }
      break;
    default:
      break;
  }
}

void ServerTransaction::on_transport_failed_locked(Core& core, Effects& fx) {
  fail_locked(core, fx, TransactionError::TransportError);
}

void ServerTransaction::on_shutdown_locked() { state_ = ServerState::Terminated; }

void ServerTransaction::remove_from_tables(Core& core) {
  auto me = this;
  core.servers.erase_if(key(), [me](const ServerTransactionPtr& p) { return p.get() == me; });
}

}  // namespace parley::sip
