// Membership of libxgboost's rabit collective for the length of one distributed fit: rank 0
// starts a RabitTracker and broadcasts its host:port over our own Comm, then every rank joins
// with XGCommunicatorInit (its task id is its scaleml rank, so XGBoost's ranks are ours). From
// then on libxgboost sums the quantile sketches and gradient histograms across ranks by itself,
// and every rank grows the same trees.
//
// libxgboost keeps the communicator outside any object: XGBoost 1.7 holds it per thread
// (thread_local), later versions per process. Either way a second distributed fit in the same
// process while one runs would join the wrong group or tear down the running one, so at most
// one scope exists per process: a second is a Failure on every rank of its group (they agree
// through the Comm, so none of them is left waiting at the tracker).
//
// Thread-safety: one per process at a time (enforced); constructed, finished and destroyed on
// the rank's thread that trains, which is the thread libxgboost attaches the communicator to.
#pragma once

#include <memory>

#include "algo/xgboost/RabitTracker.h"
#include "comm/Comm.h"

namespace scaleml {

class XgboostCollective {
 public:
  // Collective over `comm` (size > 1). Throws on every rank when the group cannot form: another
  // fit holds the communicator, rank 0 cannot listen, or not every rank reaches the tracker
  // within `timeout_s` (rank 0's error names how many did). `timeout_s` also bounds each of
  // rabit's waits on a peer during training.
  XgboostCollective(Comm& comm, double timeout_s);
  // Leaves the collective if Finish did not; rank 0 gives the others a few seconds to say
  // goodbye, then stops its tracker.
  ~XgboostCollective();
  XgboostCollective(const XgboostCollective&) = delete;
  XgboostCollective& operator=(const XgboostCollective&) = delete;

  // The normal end, after training: leaves the collective; rank 0 waits for every rank's
  // shutdown and stops its tracker. Throws when leaving fails.
  void Finish();

 private:
  void Leave();

  Comm& comm_;
  double timeout_s_;
  std::unique_ptr<RabitTracker> tracker_;  // rank 0 only
  bool joined_ = false;
};

}  // namespace scaleml
