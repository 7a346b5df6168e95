// A node agent's worker processes. A worker is forked from the (single-threaded) agent and then
// serves tasks one at a time over a pair of pipes (length-prefixed JSON), so a task costs a pipe
// round trip instead of a process start, and a task that crashes takes only its worker with it.
// Workers die with the agent (PR_SET_PDEATHSIG).
// Thread-safety: used by the agent's single thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Subprocess.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/TaskRegistry.h"

namespace scaleml::tasks {

// A finished task (response) or a worker that died while running one.
struct WorkerEvent {
  int slot = -1;
  bool died = false;
  std::string reason;       // why the worker died
  nlohmann::json response;  // {"ok": bool, "result": ..., "error": "..."}
};

class WorkerPool {
 public:
  // `in_child` runs in each new worker right after fork (close the agent's sockets there).
  WorkerPool(const TaskRegistry& registry, ObjectStore store, std::string node_id, int max_idle,
             std::function<void()> in_child);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Picks an idle worker (starting one if needed) and returns its slot; Send() then runs a task.
  int Acquire();
  pid_t PidOf(int slot) const;
  // Sends a request {task_id, attempt, function, args, refs, cpus}; false when the worker is gone.
  bool Send(int slot, const nlohmann::json& request);
  // Waits up to timeout_ms for responses and deaths.
  std::vector<WorkerEvent> Poll(int timeout_ms);
  int busy() const;
  // Kills the worker in `slot`; its death then shows up in Poll.
  void Kill(int slot);
  // Kills every worker and reaps it.
  void Shutdown();
  // The control store that tasks may reach (TaskContext::control_address); set before Acquire.
  void set_control(std::string address, std::string token, double reconnect_timeout_s) {
    control_address_ = std::move(address);
    control_token_ = std::move(token);
    control_reconnect_timeout_s_ = reconnect_timeout_s;
  }

 private:
  struct Worker {
    Subprocess process;  // pid() <= 0: the slot is empty
    int to_worker = -1;
    int from_worker = -1;
    bool busy = false;
  };
  void StartWorker(Worker& worker);
  void Reap(Worker& worker, std::string* reason);
  [[noreturn]] void WorkerMain(int in_fd, int out_fd);

  const TaskRegistry& registry_;
  ObjectStore store_;
  std::string node_id_;
  int max_idle_;
  std::function<void()> in_child_;
  std::vector<Worker> workers_;
  std::string control_address_;
  std::string control_token_;
  double control_reconnect_timeout_s_ = 0;
};

// Length-prefixed messages on a pipe; false at end of file or on error.
bool WriteMessage(int fd, const std::string& payload);
bool ReadMessage(int fd, std::string* payload);

}  // namespace scaleml::tasks
