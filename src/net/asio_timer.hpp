// base::TimerService on a worker's io_context: every pending callback in one
// ordered table, one steady_timer armed for the earliest.
//
// The transaction layer schedules and cancels timers on every request (RFC 3261
// Timers E/F/K for each relayed MESSAGE, G/H/L for each INVITE...), almost
// always before they fire. Here schedule() is a table insert under a mutex and
// cancel() a table erase: nothing is posted to the worker unless the new timer
// is due before the one the steady_timer is armed for. Zero-delay callbacks
// (the TU events the layer defers, base/timer.hpp) are posted straight to the
// worker, in order.
//
// Thread rules: schedule() and cancel() may be called from any thread; the
// steady_timer is armed only on the worker (through post), and callbacks run on
// the worker. cancel() returning true guarantees the callback never runs, even
// if it was due at that moment.
//
// Lifetime: destroy the service before its io_context (before the WorkerPool).
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "base/timer.hpp"

namespace parley::net {

class AsioTimerService final : public base::TimerService {
 public:
  explicit AsioTimerService(boost::asio::io_context& ioc);
  // Pending callbacks are dropped: none runs after the destructor starts.
  ~AsioTimerService() override;
  AsioTimerService(const AsioTimerService&) = delete;
  AsioTimerService& operator=(const AsioTimerService&) = delete;

  base::TimePoint now() const override;
  base::TimerId schedule(base::Millis after, std::function<void()> fn) override;
  bool cancel(base::TimerId id) override;

  // Timers scheduled and neither run nor cancelled yet.
  std::size_t pending() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace parley::net
