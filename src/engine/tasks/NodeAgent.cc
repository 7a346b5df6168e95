#include "engine/tasks/NodeAgent.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "core/Error.h"
#include "core/Log.h"
#include "engine/tasks/ClusterFiles.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/ObjectTransfer.h"
#include "engine/tasks/SpillPolicy.h"

namespace scaleml::tasks {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

template <class... Args>
void LogErrorLine(Args&&... args) {
  if (GetLogLevel() <= LogLevel::kError) {
    LogLine(LogLevel::kError, StrCat(std::forward<Args>(args)...));
  }
}

}  // namespace

void NodeAgent::RequestStop() { g_stop = 1; }

NodeResources NodeAgent::Resources() const {
  return NodeResources{options_.cpus, used_cpus_, info_.memory, used_memory_};
}

Admission NodeAgent::Fits(const TaskSpec& spec) const {
  return Admit(spec.cpus, spec.memory, Resources());
}

NodeAgent::NodeAgent(NodeAgentOptions options, const TaskRegistry& registry)
    : options_(std::move(options)), registry_(registry) {}

NodeAgent::~NodeAgent() = default;

int NodeAgent::Run() {
  g_stop = 0;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  control_ = std::make_unique<ControlStore>(options_.address, options_.token, 5.0,
                                            options_.reconnect_timeout_s);
  control_->redis().SetInterrupt([] { return g_stop != 0; });
  const std::string session = control_->Session();
  info_.node_id = options_.adopt_node_id.empty() ? RandomHex(6) : options_.adopt_node_id;
  info_.name = options_.node_name;
  info_.host = options_.host;
  info_.cpus = options_.cpus;
  info_.store_limit = options_.store_limit;
  info_.pid = getpid();
  info_.started = UnixNow();
  info_.memory = options_.memory > 0
                     ? options_.memory
                     : DefaultNodeMemory(options_.store_limit, FreeBytesAt(options_.shm_dir));
  store_ = std::make_unique<ObjectStore>(options_.shm_dir,
                                         ObjectStore::PrefixFor(session, info_.node_id),
                                         options_.store_limit, options_.spill_dir);

  // The object server: a child process forked before any worker, serving until we die.
  net::Listener listener;
  if (Status s = ObjectTransfer::Listen(options_.host, 0, &listener); !s.ok()) {
    throw Failure("object server: ", s.message());
  }
  const int port = listener.port;
  info_.object_port = port;
  SpawnOptions server_options;
  server_options.new_process_group = false;
  server_options.die_with_parent = true;
  server_options.default_signals = {SIGTERM};
  server_options.process_name = "scaleml-objsrv";
  object_server_ = Subprocess::Fork(server_options, [&] {
    close(control_->redis().fd());
    ObjectTransfer::Serve(std::move(listener.socket), *store_, options_.token);
    return 0;
  });
  listener.socket.Close();

  // The connection's socket changes when it reconnects: close the current one in each worker.
  pool_ = std::make_unique<WorkerPool>(registry_, *store_, info_.node_id, options_.cpus, [this] {
    if (control_->redis().fd() >= 0) close(control_->redis().fd());
  });
  pool_->set_control(options_.address, options_.token, options_.reconnect_timeout_s);
  control_->RegisterNode(info_);
  if (!options_.adopt_node_id.empty()) {
    // The crashed agent's workers died with it: what it had taken runs again.
    int rerun = 0;
    std::vector<std::string> dead;
    for (const auto& task : control_->OwnPending(info_.node_id, &dead)) {
      rerun += control_->Retry(task, "node " + info_.name + " restarted") ? 1 : 0;
    }
    for (const auto& letter : dead) LogErrorLine("task queue: moved aside ", letter);
    LogInfo("node ", info_.name, " (", info_.node_id, ") restarted: ", store_->List().size(),
            " objects kept, ", rerun, " tasks run again");
  }
  redis_generation_ = control_->redis().generation();
  control_->Heartbeat(info_.node_id, 0, 0, control_->NodeTimeoutMs());
  if (options_.write_node_file) {
    NodeFile file;
    file.node_id = info_.node_id;
    file.name = info_.name;
    file.session = session;
    file.address = options_.address;
    file.pid = getpid();
    file.shm_prefix = ObjectStore::PrefixFor(session, info_.node_id);
    file.store_limit = options_.store_limit;
    file.head = options_.head;
    WriteNodeFile(ResolveHome(options_.home), file);
  }
  LogInfo("node ", info_.name, " (", info_.node_id, ") up: ", info_.cpus, " CPUs, ",
          Megabytes(info_.memory), " of memory for tasks, objects on ", info_.host, ":", port);

  int idle_rounds = 0;
  int code = 0;
  while (!g_stop) {
    // Without the control store there is no cluster: stop cleanly rather than spin.
    try {
      const double now = UnixNow();
      if (now - last_tick_ >= options_.heartbeat_s) {
        Tick();
        last_tick_ = now;
      }
      // Tasks taken earlier that now fit.
      while (!waiting_.empty() && Fits(waiting_.front().spec) == Admission::kRun) {
        QueuedTask task = std::move(waiting_.front());
        waiting_.erase(waiting_.begin());
        Dispatch(task);
      }
      const std::size_t before = running_.size() + waiting_.size();
      TakeTasks();
      const bool took = running_.size() + waiting_.size() != before;
      idle_rounds = took ? 0 : std::min(idle_rounds + 1, 5);
      const int poll_ms = running_.empty() ? 0 : (FreeCpus() > 0 ? (1 << idle_rounds) : 50);
      for (const auto& event : pool_->Poll(poll_ms)) HandleEvent(event);
      if (control_->redis().generation() != redis_generation_) Reconcile();
    } catch (const Error& e) {
      LogWarning("node ", info_.name, ": ", e.what(), "; stopping");
      code = 1;
      break;
    }
  }
  // Deregistering is best effort: never wait out the reconnect timeout again on the way out.
  control_->redis().SetReconnectTimeout(g_stop ? 2.0 : 0.0);
  Shutdown();
  return code;
}

void NodeAgent::TakeTasks() {
  // One task at a time while CPUs are free, so that an agent never holds tasks that another
  // node with free CPUs could run now.
  for (int block_ms = running_.empty() ? 100 : 0; waiting_.empty() && FreeCpus() > 0;
       block_ms = 0) {
    std::vector<std::string> dead;
    auto taken = control_->Take(info_.node_id, 1, block_ms, &dead);
    for (const auto& letter : dead) {
      LogErrorLine("task queue: moved aside to sm:deadletter: ", letter);
    }
    if (taken.empty()) {
      if (!dead.empty()) continue;
      break;
    }
    QueuedTask& task = taken.front();
    const Admission admission = Fits(task.spec);
    if (admission == Admission::kNever) {
      // Never fits here: hand it back for a bigger node (or cancel it when its driver gave up),
      // and say so once per task, not at every bounce.
      const std::string why =
          NeverFitsMessage(task.spec.cpus, task.spec.memory, Resources(), info_.name);
      const BounceOutcome outcome = control_->Bounce(task);
      if (outcome == BounceOutcome::kCancelled) {
        LogWarning("task ", task.spec.task_id, " cancelled: ", why,
                   "; no node took it, and its driver is gone");
        reported_unplaceable_.erase(task.spec.task_id);
      } else if (outcome == BounceOutcome::kRequeued &&
                 reported_unplaceable_.insert(task.spec.task_id).second) {
        if (reported_unplaceable_.size() > 10000) reported_unplaceable_.clear();
        LogInfo("task ", task.spec.task_id, " ", why, ": left for a bigger node");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      break;
    }
    if (admission == Admission::kRun) {
      Dispatch(task);
    } else {
      waiting_.push_back(std::move(task));
    }
  }
}

bool NodeAgent::InGrace() const { return UnixNow() < grace_until_; }

void NodeAgent::Record(Outcome outcome) {
  const double now = UnixNow();
  outcome.time = now;
  recent_.push_back(std::move(outcome));
  // Long enough to outlive Redis's one second of unsynced writes and a slow restart.
  while (recent_.size() > 256 || (!recent_.empty() && now - recent_.front().time > 600)) {
    recent_.pop_front();
  }
}

void NodeAgent::Replay(const Outcome& outcome) {
  // Only when the task still reads as this node's attempt (its end was lost): then say it again.
  if (!control_->Reassert(outcome.task, info_.node_id)) return;
  if (outcome.kind == Outcome::Kind::kRetry) {
    control_->Retry(outcome.task, outcome.error);
  } else {
    control_->Finish(outcome.task, outcome.ok, outcome.result, outcome.error);
  }
  LogWarning("task ", outcome.task.spec.task_id, " attempt ", outcome.task.attempt,
             ": its outcome was lost with Redis's last writes; recorded again");
}

void NodeAgent::Reconcile() {
  redis_generation_ = control_->redis().generation();
  // Every node's heartbeat and every driver's keep-alive may have expired while Redis was away:
  // give them a node timeout to come back before any is declared lost or gone.
  grace_until_ = UnixNow() + control_->NodeTimeoutMs() / 1000.0;
  control_->RegisterNode(info_);
  control_->Heartbeat(info_.node_id, used_cpus_, static_cast<int>(running_.size()),
                      control_->NodeTimeoutMs());
  int reclaimed = 0, stopped = 0, replayed = static_cast<int>(recent_.size());
  for (const auto& [slot, running] : running_) {
    if (control_->Reassert(running.task, info_.node_id)) {
      ++reclaimed;
    } else {
      ++stopped;
      pool_->Kill(slot);
    }
  }
  for (const auto& outcome : recent_) Replay(outcome);
  // Entries this node took but holds nowhere (their delivery's reply was lost): run them now.
  std::set<std::string> held;
  for (const auto& [slot, running] : running_) held.insert(running.task.message_id);
  for (const auto& task : waiting_) held.insert(task.message_id);
  std::vector<std::string> dead;
  int retaken = 0;
  for (auto& task : control_->OwnPending(info_.node_id, &dead)) {
    if (held.count(task.message_id) != 0) continue;
    if (Fits(task.spec) == Admission::kNever) {
      control_->Bounce(task);
      continue;
    }
    waiting_.push_back(std::move(task));
    ++retaken;
  }
  for (const auto& letter : dead)
    LogErrorLine("task queue: moved aside to sm:deadletter: ", letter);
  LogWarning("node ", info_.name, ": reconnected to Redis; ", reclaimed, " running tasks kept, ",
             stopped, " stopped, ", replayed, " recent outcomes checked, ", retaken,
             " taken entries rehandled");
}

void NodeAgent::Tick() {
  control_->Heartbeat(info_.node_id, used_cpus_, static_cast<int>(running_.size()),
                      control_->NodeTimeoutMs(), used_memory_, store_->Usage());
  if (control_->redis().generation() != redis_generation_) Reconcile();
  if (InGrace()) return;
  for (const auto& lost : control_->ClaimLostNodes()) {
    const int n = control_->ReclaimTasksOf(lost, "node " + lost + " lost (no heartbeat)");
    for (const auto& object_id : control_->ObjectsOn(lost))
      control_->RemoveLocation(object_id, lost);
    LogWarning("node ", lost, " lost its heartbeat; ", n, " of its tasks run again");
  }
  // Tasks cancelled, rerun elsewhere, or whose driver is gone: stop their workers.
  for (const auto& [slot, running] : running_) {
    const TaskSpec& spec = running.task.spec;
    auto record = control_->Task(spec.task_id);
    bool stop = !record || record->final() || record->attempt != running.task.attempt;
    if (!stop && !spec.driver.empty() && !control_->DriverAlive(spec.driver)) {
      control_->Cancel(spec.task_id, "cancelled: its driver is gone");
      stop = true;
    }
    if (stop) {
      LogInfo("task ", spec.task_id, " is no longer wanted: stopping its worker");
      pool_->Kill(slot);
    }
  }
  // Objects freed by their driver.
  for (const auto& object : store_->List()) {
    if (!control_->Object(object.object_id)) {
      store_->Remove(object.object_id);
      control_->RemoveLocation(object.object_id, info_.node_id);
    }
  }
}

bool NodeAgent::EnsureLocal(const std::string& object_id, std::string* error) {
  if (store_->Contains(object_id)) return true;
  auto object = control_->Object(object_id);
  if (!object) {
    *error = "object " + object_id + " does not exist (freed?)";
    return false;
  }
  std::map<std::string, NodeInfo> nodes;
  for (const auto& n : control_->Nodes()) {
    if (n.alive) nodes[n.info.node_id] = n.info;
  }
  for (const auto& location : control_->Locations(object_id)) {
    auto it = nodes.find(location);
    if (it == nodes.end() || location == info_.node_id) continue;
    std::vector<std::string> evicted;
    std::int64_t bytes = 0;
    const auto start = UnixNow();
    const Status pulled = ObjectTransfer::Pull(it->second.host, it->second.object_port,
                                               options_.token, *object, *store_, &evicted, &bytes);
    for (const auto& id : evicted) control_->RemoveLocation(id, info_.node_id);
    if (pulled.ok()) {
      control_->AddLocation(object_id, info_.node_id);
      LogInfo("pulled object ", object_id, " (", bytes, " bytes) from ", it->second.name, " in ",
              UnixNow() - start, " s");
      return true;
    }
    *error = pulled.message();
    LogWarning(pulled.message());
  }
  if (error->empty()) *error = "object " + object_id + " has no live copy";
  return false;
}

void NodeAgent::Dispatch(const QueuedTask& task) {
  // Right after a reconnect a live driver's keep-alive may not be back yet: do not cancel then.
  if (!control_->Start(task, info_.node_id, !InGrace())) return;  // stale duplicate
  std::string error;
  for (const auto& ref : task.spec.refs) {
    if (!EnsureLocal(ref, &error)) {
      control_->Retry(task, error);
      Record({Outcome::Kind::kRetry, task, false, nullptr, error});
      return;
    }
  }
  if (!registry_.Contains(task.spec.function)) {
    const std::string error = "no task function named '" + task.spec.function + "'";
    control_->Finish(task, false, nullptr, error);
    Record({Outcome::Kind::kFinished, task, false, nullptr, error});
    return;
  }
  const int slot = pool_->Acquire();
  nlohmann::json request = {{"task_id", task.spec.task_id},   {"attempt", task.attempt},
                            {"function", task.spec.function}, {"args", task.spec.args},
                            {"refs", task.spec.refs},         {"cpus", task.spec.cpus}};
  if (!pool_->Send(slot, request)) {
    // The worker is gone: its death shows up in Poll, which retries the task.
    LogWarning("worker ", pool_->PidOf(slot), " did not take task ", task.spec.task_id);
  }
  running_[slot] = Running{task, slot};
  used_cpus_ += task.spec.cpus;
  used_memory_ += task.spec.memory;
}

void NodeAgent::HandleEvent(const WorkerEvent& event) {
  auto it = running_.find(event.slot);
  if (it == running_.end()) return;
  const QueuedTask task = it->second.task;
  running_.erase(it);
  used_cpus_ -= task.spec.cpus;
  used_memory_ -= task.spec.memory;
  if (event.died) {
    LogWarning("task ", task.spec.task_id, " attempt ", task.attempt, ": ", event.reason);
    const std::string reason = event.reason + " on node " + info_.name;
    control_->Retry(task, reason);
    Record({Outcome::Kind::kRetry, task, false, nullptr, reason});
  } else if (event.response.is_object() && event.response.value("ok", false)) {
    control_->Finish(task, true, event.response["result"], "");
    Record({Outcome::Kind::kFinished, task, true, event.response["result"], ""});
  } else {
    const std::string error = event.response.is_object()
                                  ? event.response.value("error", std::string("unknown error"))
                                  : "unreadable worker response";
    control_->Finish(task, false, nullptr, error);
    Record({Outcome::Kind::kFinished, task, false, nullptr, error});
  }
}

void NodeAgent::Shutdown() {
  LogInfo("node ", info_.name, " stopping");
  pool_->Shutdown();
  try {
    for (auto& [slot, running] : running_) {
      control_->Retry(running.task, "node " + info_.name + " stopped");
    }
    for (auto& task : waiting_) control_->Bounce(task);
    for (const auto& object : store_->List())
      control_->RemoveLocation(object.object_id, info_.node_id);
    control_->DeregisterNode(info_.node_id);
  } catch (const Error& e) {
    LogWarning("node ", info_.name, ": could not deregister: ", e.what());
  }
  running_.clear();
  waiting_.clear();
  if (object_server_.running()) {
    object_server_.Signal(SIGKILL);
    object_server_.Wait();
  }
  store_->RemoveAll();
  if (options_.write_node_file) RemoveNodeFile(ResolveHome(options_.home), info_.name);
}

}  // namespace scaleml::tasks
