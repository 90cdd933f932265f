#include "net/asio_timer.hpp"

#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace parley::net {

// Shared with the handlers posted to the worker, so a handler that outlives
// the service finds `closed` set and does nothing.
struct AsioTimerService::State : std::enable_shared_from_this<State> {
  explicit State(boost::asio::io_context& c)
      : ioc(c), timer(std::make_unique<boost::asio::steady_timer>(c)) {}

  using Key = std::pair<base::TimePoint, base::TimerId>;  // due order; ties by id

  boost::asio::io_context& ioc;
  mutable std::mutex mu;
  bool closed = false;
  base::TimerId next_id = 0;
  std::map<Key, std::function<void()>> queue;          // every pending callback
  std::unordered_map<base::TimerId, base::TimePoint> due;  // id -> its key's time
  // The deadline the steady_timer is armed (or about to be armed) for;
  // TimePoint::max() when it is idle. Guarded by mu.
  base::TimePoint armed = base::TimePoint::max();
  // Touched only on the worker (or after it stopped, by the destructor).
  std::unique_ptr<boost::asio::steady_timer> timer;

  // Takes the callback of `id` out of the table, if still there. mu held.
  std::function<void()> take_locked(base::TimerId id) {
    auto it = due.find(id);
    if (it == due.end()) return {};
    auto q = queue.find(Key{it->second, id});
    std::function<void()> fn = std::move(q->second);
    queue.erase(q);
    due.erase(it);
    return fn;
  }

  // On the worker: arms the steady_timer for the earliest pending callback.
  void arm() {
    base::TimePoint target;
    boost::asio::steady_timer* t;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      target = queue.empty() ? base::TimePoint::max() : queue.begin()->first.first;
      armed = target;
      t = timer.get();
    }
    if (target == base::TimePoint::max()) {
      t->cancel();
      return;
    }
    t->expires_at(target);  // cancels the previous wait, if any
    t->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec != boost::asio::error::operation_aborted) self->fire();
    });
  }

  // On the worker: runs every callback now due, in due order, then re-arms.
  void fire() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mu);
        if (closed) return;
        if (queue.empty() || queue.begin()->first.first > base::SteadyClock::now()) {
          armed = base::TimePoint::max();
          break;
        }
        auto q = queue.begin();
        fn = std::move(q->second);
        due.erase(q->first.second);
        queue.erase(q);
      }
      fn();  // may schedule or cancel
    }
    arm();
  }
};

AsioTimerService::AsioTimerService(boost::asio::io_context& ioc)
    : state_(std::make_shared<State>(ioc)) {}

AsioTimerService::~AsioTimerService() {
  std::map<State::Key, std::function<void()>> dropped;
  std::unique_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    dropped.swap(state_->queue);
    state_->due.clear();
    timer = std::move(state_->timer);
  }
  // The steady_timer may be in use on the worker right now (arm()); hand it to
  // the worker to destroy when it still runs, which also cancels its wait.
  if (!state_->ioc.stopped()) {
    auto shared = std::make_shared<std::unique_ptr<boost::asio::steady_timer>>(std::move(timer));
    boost::asio::post(state_->ioc, [shared] { shared->reset(); });
  }
}

base::TimePoint AsioTimerService::now() const { return base::SteadyClock::now(); }

base::TimerId AsioTimerService::schedule(base::Millis after, std::function<void()> fn) {
  const base::TimePoint at = now() + after;
  base::TimerId id;
  bool rearm = false;
  {
    std::lock_guard lock(state_->mu);
    if (state_->closed) return 0;
    id = ++state_->next_id;
    state_->queue.emplace(State::Key{at, id}, std::move(fn));
    state_->due.emplace(id, at);
    if (after.count() > 0 && at < state_->armed) {
      state_->armed = at;
      rearm = true;
    }
  }
  if (after.count() <= 0) {
    // Due now: straight to the worker's queue (FIFO keeps schedule order).
    boost::asio::post(state_->ioc, [state = state_, id] {
      std::function<void()> fn;
      {
        std::lock_guard lock(state->mu);
        if (state->closed) return;
        fn = state->take_locked(id);
      }
      if (fn) fn();
    });
  } else if (rearm) {
    boost::asio::post(state_->ioc, [state = state_] { state->arm(); });
  }
  return id;
}

bool AsioTimerService::cancel(base::TimerId id) {
  std::function<void()> fn;  // destroyed outside the lock
  std::lock_guard lock(state_->mu);
  fn = state_->take_locked(id);
  return static_cast<bool>(fn);
}

std::size_t AsioTimerService::pending() const {
  std::lock_guard lock(state_->mu);
  return state_->queue.size();
}

}  // namespace parley::net
