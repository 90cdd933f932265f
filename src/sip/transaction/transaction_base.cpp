#include "sip/transaction/transaction_base.hpp"

#include "sip/transaction/core.hpp"

namespace parley::sip::detail {

TransactionBase::TransactionBase(std::weak_ptr<Core> core, TransactionId id, std::string key,
                                 bool reliable)
    : core_(std::move(core)), id_(id), key_(std::move(key)), reliable_(reliable) {}

void TransactionBase::start_timer(Core& core, Slot slot, base::Millis after) {
  stop_timer(core, slot);
  Timer& t = timers_[slot];
  std::uint64_t generation = ++t.generation;
  std::weak_ptr<TransactionBase> weak = weak_from_this();
  t.id = core.timers.schedule(after, [weak, slot, generation] {
    if (auto self = weak.lock()) self->fire(slot, generation);
  });
}

void TransactionBase::stop_timer(Core& core, Slot slot) {
  Timer& t = timers_[slot];
  if (t.id != 0) core.timers.cancel(t.id);
  t.id = 0;
  ++t.generation;  // a callback already on its way finds a stale generation
}

void TransactionBase::stop_all_timers(Core& core) {
  for (std::uint8_t s = 0; s < kSlotCount; ++s) stop_timer(core, static_cast<Slot>(s));
}

void TransactionBase::queue(Effects& fx, Event event) {
  events_.push_back(std::move(event));
  if (!dispatching_) {
    dispatching_ = true;
    fx.dispatch = true;
  }
}

bool TransactionBase::send_locked(Core& core, const Peer& to, const std::string& bytes) {
  return core.sender.send(to, bytes, id_);
}

void TransactionBase::finish(Core& core, Effects& fx, bool from_tu) {
  for (auto& f : fx.after) f();
  if (fx.terminated) {
    remove_from_tables(core);
    core.by_id.erase_if(id_, [](const auto&) { return true; });
  }
  if (!fx.dispatch) return;
  if (!from_tu) {
    drain(core);
    return;
  }
  // The queued events hold the transaction itself (they hand it to the TU), so
  // events that are never delivered would keep it alive for ever. The pending
  // drain therefore owns them: if the timer service drops it without running it
  // (shutdown), or runs it after the layer is gone, the events are discarded and
  // the cycle is broken (LeakSanitizer found it).
  struct PendingDrain {
    std::shared_ptr<TransactionBase> self;
    std::weak_ptr<Core> core;
    bool ran = false;
    void discard() {
      std::vector<Event> dropped;
      {
        std::lock_guard lock(self->mu_);
        dropped.swap(self->events_);
        self->dispatching_ = false;
      }
    }
    ~PendingDrain() {
      if (!ran) discard();
    }
  };
  auto pending = std::make_shared<PendingDrain>();
  pending->self = shared_from_this();
  pending->core = core_;
  core.timers.schedule(base::Millis{0}, [pending] {
    pending->ran = true;
    if (auto c = pending->core.lock()) {
      pending->self->drain(*c);
      return;
    }
    pending->discard();
  });
}

void TransactionBase::drain(Core& core) {
  auto keep_alive = shared_from_this();
  std::vector<Event> batch;
  for (;;) {
    batch.clear();
    {
      std::lock_guard lock(mu_);
      if (events_.empty()) {
        dispatching_ = false;
        return;
      }
      batch.swap(events_);
    }
    // In queue order; events queued meanwhile wait for the next batch, after these.
    for (Event& event : batch) event(core.tu);
  }
}

void TransactionBase::fire(Slot slot, std::uint64_t generation) {
  auto c = core_.lock();
  if (!c) return;
  Effects fx;
  {
    std::lock_guard lock(mu_);
    Timer& t = timers_[slot];
    if (t.generation != generation || t.id == 0) return;
    t.id = 0;
    on_timer_locked(*c, slot, fx);
  }
  finish(*c, fx, false);
}

void TransactionBase::transport_failed() {
  auto c = core_.lock();
  if (!c) return;
  Effects fx;
  {
    std::lock_guard lock(mu_);
    on_transport_failed_locked(*c, fx);
  }
  // Reported by the transport, not by the TU: but the transport may call this
  // from inside its own code paths, so deliver through the timer service.
  finish(*c, fx, true);
}

void TransactionBase::shutdown(Core& core) {
  std::lock_guard lock(mu_);
  stop_all_timers(core);
  events_.clear();
  on_shutdown_locked();
}

}  // namespace parley::sip::detail
