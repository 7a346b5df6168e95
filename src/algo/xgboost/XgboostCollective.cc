#include "algo/xgboost/XgboostCollective.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "algo/xgboost/XgboostHandles.h"
#include "comm/CommOps.h"
#include "core/Error.h"
#include "core/Log.h"

namespace scaleml {
namespace {

std::atomic<bool> collective_in_use{false};

// How long rank 0 waits, when a fit fails, for the other ranks' goodbyes before closing the
// tracker (they would otherwise retry connecting to it).
constexpr double kGoodbyeGraceSeconds = 5.0;

std::string RabitConfig(const std::string& host, int port, int rank, int size, double timeout_s) {
  const std::string seconds = std::to_string(std::max(1, static_cast<int>(timeout_s + 0.5)));
  nlohmann::json config = {
      {"xgboost_communicator", "rabit"},
      {"rabit_tracker_uri", host},
      {"rabit_tracker_port", std::to_string(port)},
      {"rabit_task_id", std::to_string(rank)},
      {"rabit_world_size", std::to_string(size)},
      // Without it a lost peer leaves the others waiting for ever.
      {"rabit_timeout", "1"},
      {"rabit_timeout_sec", seconds},
      // The tracker and the peers are listening before anyone connects: few retries, so that a
      // vanished tracker is reported quickly.
      {"DMLC_WORKER_CONNECT_RETRY", "2"},
  };
  return config.dump();
}

}  // namespace

XgboostCollective::XgboostCollective(Comm& comm, double timeout_s)
    : comm_(comm), timeout_s_(timeout_s) {
  const int rank = comm.rank();
  const bool mine = !collective_in_use.exchange(true);
  try {
    if (AllreduceValue<std::int32_t>(comm, mine ? 1 : 0, ReduceOp::kMin) == 0) {
      throw Failure("xgboost: rank ", rank,
                    ": another distributed xgboost fit is running in this process (libxgboost "
                    "has one rabit communicator, not one per model); train one model across "
                    "ranks at a time");
    }
    // Rank 0's tracker address, or why it has none, travels as text: "ok host port" or the error.
    std::string announcement;
    if (rank == 0) {
      try {
        tracker_ =
            std::make_unique<RabitTracker>(RabitTracker::ReachableHost(), comm.size(), timeout_s);
        tracker_->Start();
        announcement = StrCat("ok ", tracker_->host(), " ", tracker_->port());
      } catch (const Error& e) {
        announcement = e.what();
      }
    }
    std::vector<std::byte> bytes(announcement.size());
    std::transform(announcement.begin(), announcement.end(), bytes.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    Broadcast(comm, bytes, 0);
    announcement.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!announcement.starts_with("ok ")) {
      throw Failure("xgboost: rank ", rank,
                    ": rank 0 could not start the rabit tracker: ", announcement);
    }
    const std::size_t space = announcement.rfind(' ');
    const std::string host = announcement.substr(3, space - 3);
    const int port = std::stoi(announcement.substr(space + 1));

    const int rc =
        XGCommunicatorInit(RabitConfig(host, port, rank, comm.size(), timeout_s).c_str());
    if (rc != 0) {
      // Rank 0's tracker, when it has given up, knows what went wrong for everyone (who never
      // arrived).
      if (tracker_) {
        Status why = tracker_->Wait(1.0);
        if (tracker_->finished() && !why.ok()) throw Failure("xgboost: rank 0: ", why.message());
      }
      CheckXgb(rc, StrCat("rank ", rank, ": joining the rabit collective through the tracker at ",
                          host, ":", port, " (rank 0's error names the ranks that came)")
                       .c_str());
    }
    joined_ = true;
    if (XGCommunicatorGetWorldSize() != comm.size() || XGCommunicatorGetRank() != rank) {
      throw Failure("xgboost: rank ", rank, ": the rabit collective made it rank ",
                    XGCommunicatorGetRank(), " of ", XGCommunicatorGetWorldSize());
    }
    LogInfo("xgboost: rank ", rank, " joined the rabit collective at ", host, ":", port);
  } catch (...) {
    Leave();
    if (mine) collective_in_use = false;
    throw;
  }
}

XgboostCollective::~XgboostCollective() {
  Leave();
  collective_in_use = false;
}

void XgboostCollective::Leave() {
  if (joined_) {
    joined_ = false;
    if (XGCommunicatorFinalize() != 0) {
      LogWarning("xgboost: rank ", comm_.rank(),
                 ": leaving the rabit collective failed: ", XGBGetLastError());
    }
  }
  if (tracker_) {
    (void)tracker_->Wait(kGoodbyeGraceSeconds);
    tracker_.reset();
  }
}

void XgboostCollective::Finish() {
  joined_ = false;
  CheckXgb(XGCommunicatorFinalize(),
           StrCat("rank ", comm_.rank(), ": leaving the rabit collective").c_str());
  if (tracker_) {
    Status status = tracker_->Wait(timeout_s_);
    tracker_.reset();
    // Every rank has its model by now; a rank that could not say goodbye reports its own error.
    if (!status.ok()) LogWarning("xgboost: rank 0: ", status.message());
  }
}

}  // namespace scaleml
