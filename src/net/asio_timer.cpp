#include "net/asio_timer.hpp"

#include <mutex>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace parley::net {

// Shared with the handlers posted to the worker, so a handler that outlives
// the service finds `closed` set and does nothing.
struct AsioTimerService::State {
  explicit State(boost::asio::io_context& c) : ioc(c) {}

  struct Entry {
    std::function<void()> fn;
    std::unique_ptr<boost::asio::steady_timer> timer;  // created on the worker
  };

  boost::asio::io_context& ioc;
  mutable std::mutex mu;
  bool closed = false;
  base::TimerId next_id = 0;
  std::unordered_map<base::TimerId, Entry> entries;
};

AsioTimerService::AsioTimerService(boost::asio::io_context& ioc)
    : state_(std::make_shared<State>(ioc)) {}

AsioTimerService::~AsioTimerService() {
  std::unordered_map<base::TimerId, State::Entry> dropped;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    dropped.swap(state_->entries);
  }
  // The steady_timers are released with the entries; if the worker still runs,
  // their pending waits complete with operation_aborted and find no entry.
  // Destroying a timer from this thread is safe only when the worker is not
  // using it: hand them to the worker when it is still running.
  auto timers = std::make_shared<std::vector<std::unique_ptr<boost::asio::steady_timer>>>();
  for (auto& [id, e] : dropped) {
    if (e.timer) timers->push_back(std::move(e.timer));
  }
  if (!timers->empty() && !state_->ioc.stopped()) {
    boost::asio::post(state_->ioc, [timers] { timers->clear(); });
  }
}

base::TimePoint AsioTimerService::now() const { return base::SteadyClock::now(); }

base::TimerId AsioTimerService::schedule(base::Millis after, std::function<void()> fn) {
  const base::TimePoint due = now() + after;
  base::TimerId id;
  {
    std::lock_guard lock(state_->mu);
    if (state_->closed) return 0;
    id = ++state_->next_id;
    state_->entries.emplace(id, State::Entry{std::move(fn), nullptr});
  }
  boost::asio::post(state_->ioc, [state = state_, id, due] {
    boost::asio::steady_timer* timer = nullptr;
    {
      std::lock_guard lock(state->mu);
      auto it = state->entries.find(id);
      if (it == state->entries.end()) return;  // cancelled before it was armed
      it->second.timer = std::make_unique<boost::asio::steady_timer>(state->ioc, due);
      timer = it->second.timer.get();
    }
    // Only this worker touches the timer object, so arming it outside the
    // lock is safe; the entry (and the timer) is erased only on this worker.
    timer->async_wait([state, id](const boost::system::error_code&) {
      std::function<void()> fn;
      std::unique_ptr<boost::asio::steady_timer> done;
      {
        std::lock_guard lock(state->mu);
        auto it = state->entries.find(id);
        if (it == state->entries.end()) return;  // cancelled
        fn = std::move(it->second.fn);
        done = std::move(it->second.timer);
        state->entries.erase(it);
      }
      fn();
    });
  });
  return id;
}

bool AsioTimerService::cancel(base::TimerId id) {
  std::unique_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard lock(state_->mu);
    auto it = state_->entries.find(id);
    if (it == state_->entries.end()) return false;
    timer = std::move(it->second.timer);
    state_->entries.erase(it);
  }
  // Release the timer on its worker so the wait is cancelled without touching
  // the timer from this thread.
  if (timer) {
    auto shared = std::make_shared<std::unique_ptr<boost::asio::steady_timer>>(std::move(timer));
    boost::asio::post(state_->ioc, [shared] { (*shared)->cancel(); shared->reset(); });
  }
  return true;
}

std::size_t AsioTimerService::pending() const {
  std::lock_guard lock(state_->mu);
  return state_->entries.size();
}

}  // namespace parley::net
