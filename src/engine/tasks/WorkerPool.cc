#include "engine/tasks/WorkerPool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool WriteMessage(int fd, const std::string& payload) {
  const std::uint32_t size = static_cast<std::uint32_t>(payload.size());
  std::string frame(reinterpret_cast<const char*>(&size), sizeof(size));
  frame += payload;
  return WriteAll(fd, frame.data(), frame.size());
}

bool ReadMessage(int fd, std::string* payload) {
  std::uint32_t size = 0;
  if (!ReadAll(fd, reinterpret_cast<char*>(&size), sizeof(size))) return false;
  if (size > (1u << 30)) return false;
  payload->resize(size);
  return ReadAll(fd, payload->data(), size);
}

WorkerPool::WorkerPool(const TaskRegistry& registry, ObjectStore store, std::string node_id,
                       int max_idle, std::function<void()> in_child)
    : registry_(registry),
      store_(std::move(store)),
      node_id_(std::move(node_id)),
      max_idle_(max_idle),
      in_child_(std::move(in_child)) {}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::StartWorker(Worker& worker) {
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0) throw Failure("pipe: cannot start a worker");
  if (pipe2(up, O_CLOEXEC) != 0) {
    close(down[0]);
    close(down[1]);
    throw Failure("pipe: cannot start a worker");
  }
  SpawnOptions options;
  options.new_process_group = false;  // a worker goes wherever its agent goes
  options.die_with_parent = true;
  options.default_signals = {SIGTERM, SIGINT};
  options.process_name = "scaleml-worker";
  Subprocess process;
  try {
    process = Subprocess::Fork(options, [&] {
      close(down[1]);
      close(up[0]);
      for (const auto& other : workers_) {
        if (other.to_worker >= 0) close(other.to_worker);
        if (other.from_worker >= 0) close(other.from_worker);
      }
      if (in_child_) in_child_();
      WorkerMain(down[0], up[1]);
      return 0;
    });
  } catch (...) {
    for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
    throw;
  }
  close(down[0]);
  close(up[1]);
  worker.process = std::move(process);
  worker.to_worker = down[1];
  worker.from_worker = up[0];
  worker.busy = false;
}

void WorkerPool::WorkerMain(int in_fd, int out_fd) {
  std::string payload;
  while (ReadMessage(in_fd, &payload)) {
    nlohmann::json response;
    try {
      const auto request = nlohmann::json::parse(payload);
      TaskContext context;
      context.store = &store_;
      context.refs = request.value("refs", std::vector<std::string>{});
      context.cpus = request.value("cpus", 1);
      context.attempt = request.value("attempt", 0);
      context.task_id = request.value("task_id", "");
      context.node_id = node_id_;
      context.control_address = control_address_;
      context.control_token = control_token_;
      context.control_reconnect_timeout_s = control_reconnect_timeout_s_;
      const TaskFunction& function = registry_.Find(request.at("function").get<std::string>());
      response = {{"ok", true},
                  {"result", function(context, request.value("args", nlohmann::json()))}};
    } catch (const std::exception& e) {
      response = {{"ok", false}, {"error", e.what()}};
    }
    if (!WriteMessage(out_fd, response.dump())) break;
  }
  _exit(0);
}

int WorkerPool::Acquire() {
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].process.pid() > 0 && !workers_[i].busy) {
      workers_[i].busy = true;
      return static_cast<int>(i);
    }
  }
  size_t slot = workers_.size();
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].process.pid() <= 0) {
      slot = i;
      break;
    }
  }
  if (slot == workers_.size()) workers_.emplace_back();
  StartWorker(workers_[slot]);
  workers_[slot].busy = true;
  return static_cast<int>(slot);
}

pid_t WorkerPool::PidOf(int slot) const { return workers_.at(slot).process.pid(); }

bool WorkerPool::Send(int slot, const nlohmann::json& request) {
  return WriteMessage(workers_.at(slot).to_worker, request.dump());
}

void WorkerPool::Reap(Worker& worker, std::string* reason) {
  close(worker.to_worker);
  close(worker.from_worker);
  // The pipe closed: the exit follows at once.
  std::optional<ExitStatus> ended =
      worker.process.WaitUntil(Subprocess::Clock::now() + std::chrono::seconds(1));
  if (!ended) {
    worker.process.Signal(SIGKILL);
    ended = worker.process.Wait();
  }
  if (reason != nullptr) {
    *reason = StrCat("worker process ", worker.process.pid(), " ", ended->Describe());
  }
  worker = Worker{};
}

std::vector<WorkerEvent> WorkerPool::Poll(int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<int> slots;
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].process.pid() > 0 && workers_[i].busy) {
      fds.push_back({workers_[i].from_worker, POLLIN, 0});
      slots.push_back(static_cast<int>(i));
    }
  }
  std::vector<WorkerEvent> events;
  if (fds.empty()) {
    if (timeout_ms > 0) usleep(static_cast<useconds_t>(timeout_ms) * 1000);
    return events;
  }
  if (poll(fds.data(), fds.size(), timeout_ms) <= 0) return events;
  int idle = 0;
  for (const auto& w : workers_) idle += (w.process.pid() > 0 && !w.busy) ? 1 : 0;
  for (size_t k = 0; k < fds.size(); ++k) {
    if (fds[k].revents == 0) continue;
    Worker& worker = workers_[slots[k]];
    WorkerEvent event;
    event.slot = slots[k];
    std::string payload;
    if ((fds[k].revents & POLLIN) && ReadMessage(worker.from_worker, &payload)) {
      event.response = nlohmann::json::parse(payload, nullptr, false);
      worker.busy = false;
      if (idle >= max_idle_) {  // keep at most max_idle idle workers
        worker.process.Signal(SIGKILL);
        Reap(worker, nullptr);
      } else {
        ++idle;
      }
    } else {
      event.died = true;
      Reap(worker, &event.reason);
    }
    events.push_back(std::move(event));
  }
  return events;
}

int WorkerPool::busy() const {
  int n = 0;
  for (const auto& w : workers_) n += (w.process.pid() > 0 && w.busy) ? 1 : 0;
  return n;
}

void WorkerPool::Kill(int slot) {
  if (workers_.at(slot).process.running()) workers_[slot].process.Signal(SIGKILL);
}

void WorkerPool::Shutdown() {
  for (auto& worker : workers_) {
    if (worker.process.pid() <= 0) continue;
    worker.process.Signal(SIGKILL);
    Reap(worker, nullptr);
  }
  workers_.clear();
}

}  // namespace scaleml::tasks
