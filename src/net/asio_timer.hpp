// base::TimerService on a worker's io_context: one steady_timer per scheduled
// callback.
//
// Thread rules: schedule() and cancel() may be called from any thread; the
// timer objects themselves are created, armed and cancelled only on the
// worker (through post), and callbacks run on the worker. cancel() returning
// true guarantees the callback never runs, even if the timer was already
// expiring on the worker at that moment.
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
