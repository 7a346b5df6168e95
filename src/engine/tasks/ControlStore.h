// The cluster's state in Redis, and every transition of it: nodes and heartbeats, the task queue
// (a stream with one consumer group; a consumer per node, so a message an agent took and never
// acknowledged stays pending under that node's name), task records, counters, the object
// directory. Task transitions are Lua scripts that check the attempt number, so a late or
// duplicate writer (a stale attempt, a node thought lost) changes nothing: exactly one result per
// task, nothing counted twice.
// Thread-safety: like RedisClient, one ControlStore per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/RedisClient.h"

namespace scaleml::tasks {

// A stream entry of the task queue (XREADGROUP / XRANGE): [message id, [field, value, ...]].
// A Failure for anything else, a spec that is not valid JSON included. Pure (fuzzed).
QueuedTask ParseQueuedTask(const RedisReply& entry);
// A task record from HMGET state attempt node result error history submitted started finished;
// nullopt when the task does not exist, a Failure when the reply is malformed. Pure (fuzzed).
std::optional<TaskRecord> ParseTaskRecord(const std::string& task_id, const RedisReply& reply);
// A dead letter for a queue entry that failed to parse: JSON with the message id, the error, a
// short printable excerpt of each field and the entry's size. Pure.
std::string DescribeEntry(const RedisReply& entry, const std::string& error);

enum class BounceOutcome { kRequeued, kDropped, kCancelled };

class ControlStore {
 public:
  explicit ControlStore(std::unique_ptr<RedisClient> redis);
  // Connects to HOST:PORT with the token; with reconnect_timeout_s > 0, commands wait that long
  // for a lost or restarting Redis to come back (RedisClient::SetReconnectTimeout).
  ControlStore(const std::string& address, const std::string& token, double timeout_s = 5.0,
               double reconnect_timeout_s = 0);

  RedisClient& redis() { return *redis_; }

  // Cluster set-up (head): the session name and the heartbeat timeout.
  void InitCluster(const std::string& session, int node_timeout_ms);
  std::string Session();
  int NodeTimeoutMs();

  // Nodes.
  void RegisterNode(const NodeInfo& node);
  // The node's live record (sm:hb:ID): its load, memory reserved by its tasks, its object store.
  void Heartbeat(const std::string& node_id, int used_cpus, int running, int timeout_ms,
                 std::int64_t used_memory = 0, const StoreUse& store = {});
  void DeregisterNode(const std::string& node_id);
  std::vector<NodeStatus> Nodes();
  // Nodes whose heartbeat expired and that this caller is the first to mark lost.
  std::vector<std::string> ClaimLostNodes();
  // Requeues (or fails, past max_retries) the tasks a lost node had taken; returns how many.
  int ReclaimTasksOf(const std::string& node_id, const std::string& reason);

  // Tasks.
  void Submit(const TaskSpec& spec, const std::string& driver_id);
  // Up to `count` new tasks for this node; waits up to block_ms (0 = do not wait). An entry that
  // does not parse (bad JSON, wrong types, too large) is moved to the dead-letter list
  // (sm:deadletter) and described in *dead_lettered, never thrown: one bad entry must not stop
  // the agents that read it.
  std::vector<QueuedTask> Take(const std::string& node_id, int count, int block_ms,
                               std::vector<std::string>* dead_lettered = nullptr);
  // The entries this node took and has not acknowledged (after a reconnect: a reply lost with
  // the connection, or a Redis restart that rolled its state back).
  std::vector<QueuedTask> OwnPending(const std::string& node_id,
                                     std::vector<std::string>* dead_lettered = nullptr);
  // The dead-letter list, oldest first (JSON per entry, see DescribeEntry).
  std::vector<std::string> DeadLetters();
  // PENDING -> RUNNING on `node_id`; false (and the message acknowledged) when stale, or when
  // check_driver and the task's driver is gone (the task is cancelled then).
  bool Start(const QueuedTask& task, const std::string& node_id, bool check_driver = true);
  // RUNNING -> DONE/FAILED; false when this attempt is no longer current.
  bool Finish(const QueuedTask& task, bool ok, const nlohmann::json& result,
              const std::string& error);
  // The attempt ended without a result (worker died, node lost): run it again, or FAILED past
  // max_retries. Returns false when the attempt was stale.
  bool Retry(const QueuedTask& task, const std::string& reason);
  // Puts a task this node cannot run (too few CPUs) back for another node, same attempt; drops
  // it when it is no longer pending, cancels it when its driver is gone.
  BounceOutcome Bounce(const QueuedTask& task);
  // A task this node runs, after a reconnect: true when it is still this node's (claimed back
  // if a restarted Redis lost its start), false when the worker should stop.
  bool Reassert(const QueuedTask& task, const std::string& node_id);
  // PENDING/RUNNING -> FAILED with `reason`; the node running it kills its worker at its next
  // heartbeat. False when the task had already finished.
  bool Cancel(const std::string& task_id, const std::string& reason);
  std::optional<TaskRecord> Task(const std::string& task_id);
  // Ids of this driver's tasks that finished since the last call; waits up to timeout_s.
  std::vector<std::string> PopFinished(const std::string& driver_id, double timeout_s);
  TaskCounts Counts();
  // A driver's liveness: refreshed by the driver, gone when it exits or dies.
  void DriverKeepAlive(const std::string& driver_id, int ttl_ms);
  void DriverGone(const std::string& driver_id);
  bool DriverAlive(const std::string& driver_id);

  // Objects.
  void AddObject(const ObjectInfo& object, const std::string& node_id);
  void AddLocation(const std::string& object_id, const std::string& node_id);
  void RemoveLocation(const std::string& object_id, const std::string& node_id);
  std::optional<ObjectInfo> Object(const std::string& object_id);
  std::vector<std::string> Locations(const std::string& object_id);
  std::vector<std::string> ObjectsOn(const std::string& node_id);
  void FreeObject(const std::string& object_id);

 private:
  std::optional<QueuedTask> ParseOrDeadLetter(const RedisReply& entry,
                                              std::vector<std::string>* dead_lettered);

  std::unique_ptr<RedisClient> redis_;
};

double UnixNow();

}  // namespace scaleml::tasks
