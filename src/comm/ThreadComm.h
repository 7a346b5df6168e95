// An in-process communicator: N ranks as N threads of one process sharing memory. It gives every
// distributed algorithm a fast unit test (train on N shards, assert every rank ends with the same
// model) without sockets. Reductions are done in rank order, so results are deterministic.
// Thread-safety: each member Comm is used by its own rank's thread; the group is shared.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "comm/Comm.h"

namespace scaleml {

class ThreadCommGroup {
 public:
  explicit ThreadCommGroup(int size);
  ~ThreadCommGroup();
  ThreadCommGroup(const ThreadCommGroup&) = delete;
  ThreadCommGroup& operator=(const ThreadCommGroup&) = delete;

  int size() const;
  // The communicator of one rank; the group must outlive it.
  std::unique_ptr<Comm> Member(int rank);

  struct Shared;

 private:
  std::unique_ptr<Shared> shared_;
};

// Runs body(comm) on `size` threads, one per rank, and rethrows the first exception after all
// threads have ended.
void RunRanks(int size, const std::function<void(Comm&)>& body);

}  // namespace scaleml
