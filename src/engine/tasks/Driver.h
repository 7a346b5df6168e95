// The C++ driver API of the tasks engine, as Ray's: connect to a cluster, put a dataset into the
// object store, submit tasks by name with arguments, object references and a CPU demand, get a
// task's result, wait for some of many. The CLI's tune and train commands use it; so can any C++
// program linked with scaleml_engine_tasks.
//
//   auto driver = Driver::Connect("auto");
//   ObjectRef data = driver->Put(dataset);
//   TaskRef t = driver->Submit("train_trial", {{"algo", "logreg"}}, {data}, /*cpus=*/4);
//   TaskRecord r = driver->Get(t, 600);  // r.result is TrainReport::ToJson()
//
// A driver keeps a liveness key in Redis from a thread of its own (its own connection); when the
// driver exits or dies the key goes, and the cluster cancels the driver's unfinished tasks, as
// Ray does when a driver exits (a driver that exits normally cancels them itself).
// The driver survives a restart of the head's Redis: its connections reconnect, and a task whose
// submission the restarted Redis lost (its last second of writes) is submitted again, same id.
// Thread-safety: one Driver per thread (it owns one Redis connection).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "data/Dataset.h"
#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ControlStore.h"

namespace scaleml::tasks {

struct ObjectRef {
  std::string id;
};
struct TaskRef {
  std::string id;
};

class Driver {
 public:
  // address: "auto" (the cluster file in `home`) or HOST:PORT with its token. `home` (empty:
  // ScalemlHome()) is also where Put finds this machine's node agents.
  // Every call waits up to reconnect_timeout_s for a lost or restarting Redis to come back.
  static std::unique_ptr<Driver> Connect(const std::string& address = "auto",
                                         const std::string& token = "",
                                         double reconnect_timeout_s = 60.0,
                                         const std::string& home = "");
  explicit Driver(ClusterFile cluster, double reconnect_timeout_s = 60.0,
                  const std::string& home = "");
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Stores the dataset in the object store of a node agent on this machine (the head's when it
  // runs here) and registers it; workers on that node map it without copying.
  ObjectRef Put(const Dataset& data);
  // Removes the object from every node (agents drop their copies within a heartbeat).
  void Free(const ObjectRef& ref);
  // `memory`: bytes the task reserves on its node while it runs (0: none).
  TaskRef Submit(const std::string& function, const nlohmann::json& args,
                 const std::vector<ObjectRef>& refs = {}, int cpus = 1, int max_retries = 3,
                 std::int64_t memory = 0);
  // Stops a task that has not finished (FAILED with `reason`); false when it had finished.
  bool Cancel(const TaskRef& ref, const std::string& reason = "cancelled by its driver");
  // The final record (DONE or FAILED) of the task; a Failure after timeout_s.
  TaskRecord Get(const TaskRef& ref, double timeout_s);
  // The refs (at most n) among `refs` that are finished, waiting up to timeout_s for n of them.
  std::vector<TaskRef> Wait(const std::vector<TaskRef>& refs, std::size_t n, double timeout_s);
  std::vector<NodeStatus> Nodes() { return control_.Nodes(); }
  ControlStore& control() { return control_; }
  const ClusterFile& cluster() const { return cluster_; }
  // The node agent on this machine that Put uses.
  const NodeFile& LocalNode();

 private:
  bool Finished(const std::string& task_id);
  void Collect(double timeout_s);

  std::string home_;  // as given (empty: ScalemlHome()), resolved where a file is read
  ClusterFile cluster_;
  ControlStore control_;
  std::string driver_id_;
  std::uint64_t next_task_ = 0;
  std::set<std::string> finished_;
  std::map<std::string, TaskSpec> unfinished_;  // submitted, not seen final: resubmitted if lost
  std::unique_ptr<NodeFile> local_node_;
  std::mutex keepalive_mutex_;
  std::condition_variable keepalive_wake_;
  bool stopping_ = false;
  std::thread keepalive_;
};

}  // namespace scaleml::tasks
