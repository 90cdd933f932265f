// Timers on an injectable clock.
//
// The SIP transaction layer (RFC 3261 section 17) is driven by timers A..K. It
// never sleeps and never reads the wall clock: it asks a TimerService to call it
// back later. Production code uses an Asio-backed service on a worker's
// io_context (net/asio_timer.hpp); tests use FakeTimerService and move time by
// hand, so every timer path can be checked without waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace parley::base {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Millis = std::chrono::milliseconds;

// Identifies one scheduled callback; 0 is never a valid id.
using TimerId = std::uint64_t;

class TimerService {
 public:
  virtual ~TimerService() = default;
  // The service's notion of "now" (monotonic).
  virtual TimePoint now() const = 0;
  // Runs `fn` once, `after` from now. Thread-safe. The callback runs on the
  // service's thread (a worker for the Asio service; the caller of advance()
  // for the fake), never inside schedule() itself.
  virtual TimerId schedule(Millis after, std::function<void()> fn) = 0;
  // Cancels a pending timer. Returns false if it already ran or was cancelled.
  virtual bool cancel(TimerId id) = 0;
};

// Deterministic timer service for tests. Time starts at an arbitrary epoch and
// moves only by advance(); timers due at the same instant fire in the order
// they were scheduled. Callbacks may schedule or cancel other timers.
class FakeTimerService final : public TimerService {
 public:
  TimePoint now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  TimerId schedule(Millis after, std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    TimerId id = ++next_id_;
    timers_.emplace(Key{now_ + after, id}, std::move(fn));
    return id;
  }
  bool cancel(TimerId id) override {
    std::lock_guard lock(mu_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.id == id) {
        timers_.erase(it);
        return true;
      }
    }
    return false;
  }
  // Moves time forward by `d`, firing every timer that falls due on the way,
  // each with now() equal to its due time.
  void advance(Millis d) {
    TimePoint end;
    {
      std::lock_guard lock(mu_);
      end = now_ + d;
    }
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        auto it = timers_.begin();
        if (it == timers_.end() || it->first.due > end) {
          now_ = end;
          return;
        }
        now_ = it->first.due;
        fn = std::move(it->second);
        timers_.erase(it);
      }
      fn();
    }
  }
  // Number of timers still pending.
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return timers_.size();
  }

 private:
  struct Key {
    TimePoint due;
    TimerId id;
    bool operator<(const Key& o) const { return due != o.due ? due < o.due : id < o.id; }
  };
  mutable std::mutex mu_;
  TimePoint now_{};
  TimerId next_id_ = 0;
  std::map<Key, std::function<void()>> timers_;
};

}  // namespace parley::base
