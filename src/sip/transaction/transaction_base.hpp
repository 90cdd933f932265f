// Machinery shared by client and server transactions: the per-transaction
// lock, the timer slots, and the ordered delivery of TU events.
//
// Not part of the public API: use ClientTransaction / ServerTransaction.
//
// Locking rules (see also transaction_layer.hpp):
//  - `mu_` guards the state machine. It is taken after a table lookup has
//    returned (never while a shard lock is held); a shard lock may be taken
//    while `mu_` is held (to insert a CANCEL), never the other way round.
//  - An INVITE client transaction may lock its CANCEL's `mu_` while holding its
//    own, never the reverse.
//  - The Sender is called with `mu_` held (keeps retransmissions in order);
//    the TU never is: events are queued under `mu_` and delivered by finish().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/timer.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/transaction_types.hpp"

namespace parley::sip {
class TransactionUser;
}

namespace parley::sip::detail {

class Core;

class TransactionBase : public std::enable_shared_from_this<TransactionBase> {
 public:
  virtual ~TransactionBase() = default;
  TransactionBase(const TransactionBase&) = delete;
  TransactionBase& operator=(const TransactionBase&) = delete;

  TransactionId id() const { return id_; }
  // The table key (transaction_key.hpp).
  const std::string& key() const { return key_; }
  // Whether the transport is reliable (TCP, TLS): no retransmissions, zero
  // D/I/J/K (RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1, 17.2.2).
  bool reliable() const { return reliable_; }

  // Layer entry points (not for the TU).
  void transport_failed();
  void shutdown(Core& core);

 protected:
  TransactionBase(std::weak_ptr<Core> core, TransactionId id, std::string key, bool reliable);

  enum Slot : std::uint8_t {
    kRetransmit,  // A, E, G
    kTimeout,     // B, D, F, H, I, J, K, L, M
    kExtra,       // C (client INVITE), the 100 Trying delay (server INVITE)
    kGuard,       // 64*T1 after a CANCEL was sent (RFC 3261 9.1)
    kSlotCount,
  };

  // What one step of the state machine leaves to do once `mu_` is released.
  struct Effects {
    bool terminated = false;  // take the transaction out of the tables
    bool dispatch = false;    // deliver the queued TU events
    std::vector<std::function<void()>> after;  // run after unlock, before events
  };
  using Event = std::function<void(TransactionUser&)>;

  // ---- with mu_ held ----
  void start_timer(Core& core, Slot slot, base::Millis after);
  void stop_timer(Core& core, Slot slot);
  void stop_all_timers(Core& core);
  void queue(Effects& fx, Event event);
  bool send_locked(Core& core, const Peer& to, const std::string& bytes);

  // ---- without mu_ ----
  // Runs fx.after, removes the transaction from the tables when it ended, and
  // delivers queued events: right here, or, when the step was caused by a TU
  // call (`from_tu`), from a zero-delay timer so the TU is never re-entered.
  void finish(Core& core, Effects& fx, bool from_tu);
  std::shared_ptr<Core> core() const { return core_.lock(); }
  std::weak_ptr<Core> core_weak() const { return core_; }

  // ---- hooks, mu_ held ----
  virtual void on_timer_locked(Core& core, Slot slot, Effects& fx) = 0;
  virtual void on_transport_failed_locked(Core& core, Effects& fx) = 0;
  virtual void on_shutdown_locked() = 0;
  // Without mu_.
  virtual void remove_from_tables(Core& core) = 0;

  mutable std::mutex mu_;

 private:
  struct Timer {
    base::TimerId id = 0;
    std::uint64_t generation = 0;
  };
  void fire(Slot slot, std::uint64_t generation);
  void drain(Core& core);

  std::weak_ptr<Core> core_;
  const TransactionId id_;
  const std::string key_;
  const bool reliable_;
  std::array<Timer, kSlotCount> timers_{};
  // A vector, not a deque: libstdc++'s deque allocates about 600 bytes even
  // when empty, and every transaction has this queue.
  std::vector<Event> events_;
  bool dispatching_ = false;
};

}  // namespace parley::sip::detail
