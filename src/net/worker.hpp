// Worker threads: each Worker is one boost::asio::io_context run by one thread.
//
// Everything owned by a worker (a socket, a connection, a timer) is touched
// only on that worker's thread, so it needs no lock; other threads hand work to
// it with boost::asio::post(worker.context(), fn). A TCP/TLS connection stays
// on the worker that accepted or opened it for its whole life (DESIGN.md,
// "Threads").
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace parley::net {

class Worker {
 public:
  explicit Worker(std::size_t index);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& context() { return ioc_; }
  std::size_t index() const { return index_; }
  // True when called from this worker's thread (inside a handler it runs).
  bool in_this_thread() { return ioc_.get_executor().running_in_this_thread(); }

 private:
  friend class WorkerPool;
  std::size_t index_;
  boost::asio::io_context ioc_{1};  // one thread per context: no internal locking needed
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread thread_;
};

class WorkerPool {
 public:
  // `count` workers; 0 means one per core (std::thread::hardware_concurrency,
  // at least 1). The threads start with start().
  explicit WorkerPool(unsigned count = 0);
  // Calls stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts one thread per worker. Idempotent. A handler that throws is logged
  // (spdlog error) and the worker goes on running.
  void start();
  // Stops every io_context and joins the threads; handlers not yet run are
  // destroyed with the contexts, never run. Idempotent; must not be called
  // from a worker thread. Components using the workers (TransportLayer) should
  // be stopped first so they can close their sockets cleanly.
  void stop();
  bool running() const { return running_.load(); }

  std::size_t size() const { return workers_.size(); }
  Worker& at(std::size_t i) { return *workers_.at(i); }
  // Round-robin choice for new work (accepted or outbound connections).
  // Thread-safe.
  Worker& next();
  // The worker whose thread is calling, or nullptr.
  Worker* current();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> running_{false};
  bool stopped_ = false;
};

}  // namespace parley::net
