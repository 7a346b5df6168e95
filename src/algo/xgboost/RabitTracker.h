// The tracker of libxgboost's rabit collective, speaking the protocol of XGBoost 1.7's Python
// tracker (python-package/xgboost/tracker.py) so that no Python runs: each worker connects,
// trades the magic number 0xff99, sends its rank (-1 at start), the world size, its task id and
// a command. "start" gets it a rank, its parent, its tree and ring neighbours, then, round after
// round until it reports no failed connection, the address and port of each neighbour that is
// already listening (it accepts the others) and finally its own listening port. "print" carries
// a line to log; "shutdown" says the worker is done. Rank 0 of a ddp group runs one for the
// length of a distributed xgboost fit.
//
// Ranks: when every task id is a distinct number below the world size (XgboostCollective gives
// each worker its scaleml rank), rabit rank = task id, so XGBoost's ranks are ours; otherwise the
// workers are ordered by address as rabit's tracker does.
// Addresses: a worker is reached at the address the tracker saw it connect from (rabit's rule;
// the worker never names itself), so it works across hosts and network namespaces.
// Timeouts: every worker must have said "start" within `start_timeout_s` of Start() (the error
// says how many did); each exchange with a connected worker must finish within it too.
//
// Thread-safety: the constructor, Start, Wait and the destructor belong to one owner thread. The
// protocol runs on the tracker's own thread, which owns every worker socket; the two share only
// the stop pipe and the result (behind a mutex). The destructor stops and joins the thread and
// closes every socket, whatever state the protocol is in.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/Status.h"
#include "net/Socket.h"

namespace scaleml {

class RabitTracker {
 public:
  // Listens on `host`, an ephemeral port. Throws a Failure when it cannot.
  RabitTracker(std::string host, int workers, double start_timeout_s);
  ~RabitTracker();
  RabitTracker(const RabitTracker&) = delete;
  RabitTracker& operator=(const RabitTracker&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  int workers() const { return workers_; }

  // Runs the protocol on the tracker's thread.
  void Start();
  // Waits up to `timeout_s` for the protocol to end: Ok once every worker said "shutdown", the
  // error that stopped the tracker otherwise (a start timeout names how many workers arrived),
  // or a failure naming how many shut down when the wait itself ran out.
  Status Wait(double timeout_s);
  // Whether the protocol has ended (Wait would return at once).
  bool finished();

  // The address of this host that the other ranks of a ddp group reach: the local end of the
  // route to the group's rendezvous address (MASTER_ADDR and MASTER_PORT, which rank 0 hosts),
  // 127.0.0.1 outside a launched group (threads or processes of one host).
  static std::string ReachableHost();

 private:
  class Session;
  void Run();
  void Finish(Status status);

  std::string host_;
  int workers_;
  double start_timeout_s_;
  net::Socket listener_;
  int port_ = 0;
  int stop_read_fd_ = -1;
  int stop_write_fd_ = -1;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable finished_;
  std::optional<Status> result_;  // guarded by mutex_
  int shutdowns_ = 0;             // guarded by mutex_
};

}  // namespace scaleml
