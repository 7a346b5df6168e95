// cpp-httplib's connection queue with bounds: a fixed number of worker threads and at most
// `max_queued` accepted connections waiting for one. When the queue is full the accept loop
// blocks, so a flood of connections waits in the kernel's backlog instead of growing memory and
// file descriptors without limit. Idle workers sleep on a condition variable (no CPU).
// Thread-safety: enqueue from the accept loop, shutdown once; workers are internal.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace scaleml::dashboard {

class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(std::size_t threads, std::size_t max_queued);
  ~BoundedTaskQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable has_work_, has_room_;
  std::deque<std::function<void()>> queue_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace scaleml::dashboard
