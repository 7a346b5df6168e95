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

namespace scaleml::tasks {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

}  // namespace

void NodeAgent::RequestStop() { g_stop = 1; }

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

  control_ = std::make_unique<ControlStore>(options_.address, options_.token);
  const std::string session = control_->Session();
  info_.node_id = RandomHex(6);
  info_.name = options_.node_name;
  info_.host = options_.host;
  info_.cpus = options_.cpus;
  info_.store_limit = options_.store_limit;
  info_.pid = getpid();
  info_.started = UnixNow();
  store_ = std::make_unique<ObjectStore>(
      options_.shm_dir, ObjectStore::PrefixFor(session, info_.node_id), options_.store_limit);

  // The object server: a child process forked before any worker, serving until we die.
  int port = 0;
  const int listen_fd = ObjectTransfer::Listen(options_.host, &port);
  info_.object_port = port;
  SpawnOptions server_options;
  server_options.new_process_group = false;
  server_options.die_with_parent = true;
  server_options.default_signals = {SIGTERM};
  server_options.process_name = "scaleml-objsrv";
  object_server_ = Subprocess::Fork(server_options, [&] {
    close(control_->redis().fd());
    ObjectTransfer::Serve(listen_fd, *store_, options_.token);
    return 0;
  });
  close(listen_fd);

  const int redis_fd = control_->redis().fd();
  pool_ = std::make_unique<WorkerPool>(registry_, *store_, info_.node_id, options_.cpus,
                                       [redis_fd] { close(redis_fd); });
  control_->RegisterNode(info_);
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
    WriteNodeFile(file);
  }
  LogInfo("node ", info_.name, " (", info_.node_id, ") up: ", info_.cpus, " CPUs, objects on ",
          info_.host, ":", port);

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
      while (!waiting_.empty() && waiting_.front().spec.cpus <= FreeCpus()) {
        QueuedTask task = std::move(waiting_.front());
        waiting_.erase(waiting_.begin());
        Dispatch(task);
      }
      // One task at a time while CPUs are free, so that an agent never holds tasks that another
      // node with free CPUs could run now.
      bool took = false;
      for (int block_ms = running_.empty() ? 100 : 0; waiting_.empty() && FreeCpus() > 0;
           block_ms = 0) {
        auto taken = control_->Take(info_.node_id, 1, block_ms);
        if (taken.empty()) break;
        took = true;
        QueuedTask& task = taken.front();
        if (task.spec.cpus > options_.cpus) {
          // Never fits here: hand it back for a bigger node.
          LogInfo("task ", task.spec.task_id, " needs ", task.spec.cpus, " CPUs; node has ",
                  options_.cpus);
          control_->Bounce(task);
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          break;
        }
        if (task.spec.cpus <= FreeCpus()) {
          Dispatch(task);
        } else {
          waiting_.push_back(std::move(task));
        }
      }
      idle_rounds = took ? 0 : std::min(idle_rounds + 1, 5);
      const int poll_ms = running_.empty() ? 0 : (FreeCpus() > 0 ? (1 << idle_rounds) : 50);
      for (const auto& event : pool_->Poll(poll_ms)) HandleEvent(event);
    } catch (const Error& e) {
      LogWarning("node ", info_.name, ": ", e.what(), "; stopping");
      code = 1;
      break;
    }
  }
  Shutdown();
  return code;
}

void NodeAgent::Tick() {
  control_->Heartbeat(info_.node_id, used_cpus_, static_cast<int>(running_.size()),
                      control_->NodeTimeoutMs());
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
    try {
      std::vector<std::string> evicted;
      const auto start = UnixNow();
      const std::int64_t bytes = ObjectTransfer::Pull(it->second.host, it->second.object_port,
                                                      options_.token, *object, *store_, &evicted);
      for (const auto& id : evicted) control_->RemoveLocation(id, info_.node_id);
      control_->AddLocation(object_id, info_.node_id);
      LogInfo("pulled object ", object_id, " (", bytes, " bytes) from ", it->second.name, " in ",
              UnixNow() - start, " s");
      return true;
    } catch (const Error& e) {
      *error = e.what();
      LogWarning(e.what());
    }
  }
  if (error->empty()) *error = "object " + object_id + " has no live copy";
  return false;
}

void NodeAgent::Dispatch(const QueuedTask& task) {
  if (!control_->Start(task, info_.node_id)) return;  // stale duplicate
  std::string error;
  for (const auto& ref : task.spec.refs) {
    if (!EnsureLocal(ref, &error)) {
      control_->Retry(task, error);
      return;
    }
  }
  if (!registry_.Contains(task.spec.function)) {
    control_->Finish(task, false, nullptr, "no task function named '" + task.spec.function + "'");
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
}

void NodeAgent::HandleEvent(const WorkerEvent& event) {
  auto it = running_.find(event.slot);
  if (it == running_.end()) return;
  const QueuedTask task = it->second.task;
  running_.erase(it);
  used_cpus_ -= task.spec.cpus;
  if (event.died) {
    LogWarning("task ", task.spec.task_id, " attempt ", task.attempt, ": ", event.reason);
    control_->Retry(task, event.reason + " on node " + info_.name);
  } else if (event.response.is_object() && event.response.value("ok", false)) {
    control_->Finish(task, true, event.response["result"], "");
  } else {
    const std::string error = event.response.is_object()
                                  ? event.response.value("error", std::string("unknown error"))
                                  : "unreadable worker response";
    control_->Finish(task, false, nullptr, error);
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
  if (options_.write_node_file) RemoveNodeFile(info_.name);
}

}  // namespace scaleml::tasks
