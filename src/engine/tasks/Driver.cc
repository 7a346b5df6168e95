#include "engine/tasks/Driver.h"

#include <algorithm>
#include <chrono>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "data/DatasetMeta.h"
#include "engine/tasks/Daemon.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/ObjectStore.h"

namespace scaleml::tasks {
namespace {

// A driver silent this long is gone: its tasks are cancelled.
constexpr int kKeepAliveTtlMs = 10000;

}  // namespace

std::unique_ptr<Driver> Driver::Connect(const std::string& address, const std::string& token,
                                        double reconnect_timeout_s, const std::string& home) {
  const std::string resolved = ResolveHome(home);
  return std::make_unique<Driver>(ResolveCluster(resolved, address, token), reconnect_timeout_s,
                                  resolved);
}

Driver::Driver(ClusterFile cluster, double reconnect_timeout_s, const std::string& home)
    : home_(home),
      cluster_(std::move(cluster)),
      control_(cluster_.address, cluster_.token, 5.0, reconnect_timeout_s),
      driver_id_(RandomHex(6)) {
  if (cluster_.session.empty()) cluster_.session = control_.Session();
  control_.DriverKeepAlive(driver_id_, kKeepAliveTtlMs);
  // The keep-alive never gives up while the driver lives: through a restart of Redis it keeps
  // trying (a fresh connection each period), so the key is back as soon as Redis is.
  keepalive_ = std::thread([this] {
    std::unique_ptr<ControlStore> control;
    bool warned = false;
    auto refresh = [&](bool gone) {
      try {
        if (!control)
          control = std::make_unique<ControlStore>(cluster_.address, cluster_.token, 2.0);
        if (gone) {
          control->DriverGone(driver_id_);
        } else {
          control->DriverKeepAlive(driver_id_, kKeepAliveTtlMs);
        }
        warned = false;
      } catch (const std::exception& e) {
        control.reset();
        if (!warned) LogWarning("driver ", driver_id_, ": keep-alive: ", e.what(), "; retrying");
        warned = true;
      }
    };
    std::unique_lock<std::mutex> lock(keepalive_mutex_);
    while (!keepalive_wake_.wait_for(lock, std::chrono::milliseconds(kKeepAliveTtlMs / 20),
                                     [this] { return stopping_; })) {
      refresh(false);
    }
    refresh(true);
  });
}

Driver::~Driver() {
  // Tasks nobody will collect: cancel them now rather than leave them pending (a task no node
  // can place would wait for ever). Without Redis, the keep-alive's expiry does it later.
  control_.redis().SetReconnectTimeout(0);
  try {
    for (const auto& [id, spec] : unfinished_) {
      if (finished_.count(id) == 0) control_.Cancel(id, "cancelled: its driver is gone (exited)");
    }
  } catch (const std::exception& e) {
    LogWarning("driver ", driver_id_, ": could not cancel its tasks: ", e.what());
  }
  {
    std::lock_guard<std::mutex> lock(keepalive_mutex_);
    stopping_ = true;
  }
  keepalive_wake_.notify_all();
  if (keepalive_.joinable()) keepalive_.join();
}

bool Driver::Cancel(const TaskRef& ref, const std::string& reason) {
  return control_.Cancel(ref.id, reason);
}

const NodeFile& Driver::LocalNode() {
  if (local_node_) return *local_node_;
  std::vector<NodeFile> candidates;
  const std::string home = ResolveHome(home_);
  for (const auto& file : ReadNodeFiles(home)) {
    if (file.session == cluster_.session && ProcessAlive(file.pid, "")) {
      candidates.push_back(file);
    }
  }
  if (candidates.empty()) {
    throw InputError("put: no node agent of this cluster runs on this machine (", home,
                     "/nodes); start one with scaleml start --address ", cluster_.address);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const NodeFile& a, const NodeFile& b) { return a.head > b.head; });
  local_node_ = std::make_unique<NodeFile>(candidates.front());
  return *local_node_;
}

ObjectRef Driver::Put(const Dataset& data) {
  const NodeFile& node = LocalNode();
  // The agents this machine started spill into the home they share with this driver.
  ObjectStore store("/dev/shm", node.shm_prefix, node.store_limit,
                    ObjectStore::SpillDirIn(ResolveHome(home_)));
  ObjectInfo info;
  info.object_id = RandomHex(8);
  info.size = static_cast<std::int64_t>(DatasetObject::SizeOf(data));
  info.owner = node.node_id;
  std::vector<std::string> evicted;
  auto mapping = store.Create(info.object_id, info.size, true, &evicted);
  for (const auto& id : evicted) control_.RemoveLocation(id, node.node_id);
  const std::string temp = mapping->path();
  try {
    DatasetObject::Write(data, mapping->mutable_data());
    info.checksum = ChecksumOf(mapping->data(), mapping->size());
    mapping->Seal();
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  control_.AddObject(info, node.node_id);
  return ObjectRef{info.object_id};
}

void Driver::Free(const ObjectRef& ref) { control_.FreeObject(ref.id); }

TaskRef Driver::Submit(const std::string& function, const nlohmann::json& args,
                       const std::vector<ObjectRef>& refs, int cpus, int max_retries,
                       std::int64_t memory) {
  if (cpus < 1) throw InputError("submit ", function, ": cpus must be at least 1");
  if (max_retries < 0) throw InputError("submit ", function, ": max_retries must be >= 0");
  if (memory < 0) throw InputError("submit ", function, ": memory must be >= 0 bytes");
  TaskSpec spec;
  spec.task_id = StrCat(driver_id_, std::hex, ++next_task_);
  spec.function = function;
  spec.args = args;
  for (const auto& ref : refs) spec.refs.push_back(ref.id);
  spec.cpus = cpus;
  spec.max_retries = max_retries;
  spec.memory = memory;
  control_.Submit(spec, driver_id_);
  unfinished_[spec.task_id] = spec;
  return TaskRef{spec.task_id};
}

void Driver::Collect(double timeout_s) {
  for (auto& id : control_.PopFinished(driver_id_, timeout_s)) finished_.insert(std::move(id));
}

bool Driver::Finished(const std::string& task_id) {
  if (finished_.count(task_id) != 0) return true;
  auto record = control_.Task(task_id);
  if (!record) {
    auto spec = unfinished_.find(task_id);
    if (spec == unfinished_.end()) throw InputError("no task ", task_id, " in this cluster");
    // A restarted Redis lost the submission (its last second of writes): submit it again.
    LogWarning("driver ", driver_id_, ": task ", task_id,
               " was lost with the head's last writes; submitting it again");
    control_.Submit(spec->second, driver_id_);
    return false;
  }
  if (record->final()) {
    finished_.insert(task_id);
    unfinished_.erase(task_id);
  }
  return record->final();
}

TaskRecord Driver::Get(const TaskRef& ref, double timeout_s) {
  Stopwatch clock;
  while (true) {
    if (Finished(ref.id)) {
      auto record = control_.Task(ref.id);
      if (record && record->final()) {
        unfinished_.erase(ref.id);
        return *record;
      }
      if (!record && unfinished_.count(ref.id) == 0) {
        throw InputError("no task ", ref.id, " in this cluster");
      }
      // Notified, but a restarted Redis lost the task's end: its node records it again.
      finished_.erase(ref.id);
      continue;
    }
    const double left = timeout_s - clock.Seconds();
    if (left <= 0) throw Failure("task ", ref.id, " did not finish within ", timeout_s, " s");
    Collect(std::min(left, 1.0));
  }
}

std::vector<TaskRef> Driver::Wait(const std::vector<TaskRef>& refs, std::size_t n,
                                  double timeout_s) {
  Stopwatch clock;
  n = std::min(n, refs.size());
  for (const auto& ref : refs) {
    if (finished_.count(ref.id) == 0) Finished(ref.id);
  }
  while (true) {
    std::vector<TaskRef> ready;
    for (const auto& ref : refs) {
      if (finished_.count(ref.id) != 0) ready.push_back(ref);
    }
    const double left = timeout_s - clock.Seconds();
    if (ready.size() >= n || left <= 0) return ready;
    Collect(std::min(left, 1.0));
  }
}

}  // namespace scaleml::tasks
