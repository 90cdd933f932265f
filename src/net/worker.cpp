#include "net/worker.hpp"

#include <exception>

#include <spdlog/spdlog.h>

namespace parley::net {

Worker::Worker(std::size_t index) : index_(index), guard_(boost::asio::make_work_guard(ioc_)) {}

WorkerPool::WorkerPool(unsigned count) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(count);
  for (unsigned i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(i));
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::start() {
  if (running_.load() || stopped_) return;
  running_ = true;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    worker->thread_ = std::thread([worker] {
      for (;;) {
        try {
          worker->ioc_.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("worker {}: handler threw: {}", worker->index_, e.what());
        } catch (...) {
          spdlog::error("worker {}: handler threw a non-standard exception", worker->index_);
        }
      }
    });
  }
}

void WorkerPool::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) {
    w->guard_.reset();
    w->ioc_.stop();
  }
  for (auto& w : workers_) {
    if (w->thread_.joinable()) w->thread_.join();
  }
  running_ = false;
}

Worker& WorkerPool::next() {
  return *workers_[next_.fetch_add(1, std::memory_order_relaxed) % workers_.size()];
}

Worker* WorkerPool::current() {
  for (auto& w : workers_) {
    if (w->in_this_thread()) return w.get();
  }
  return nullptr;
}

}  // namespace parley::net
