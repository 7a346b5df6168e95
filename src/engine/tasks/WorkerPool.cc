#include "engine/tasks/WorkerPool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

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
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Failure("fork: cannot start a worker");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    prctl(PR_SET_NAME, "scaleml-worker");
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    close(down[1]);
    close(up[0]);
    for (const auto& other : workers_) {
      if (other.to_worker >= 0) close(other.to_worker);
      if (other.from_worker >= 0) close(other.from_worker);
    }
    if (in_child_) in_child_();
    WorkerMain(down[0], up[1]);
  }
  close(down[0]);
  close(up[1]);
  worker.pid = pid;
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
    if (workers_[i].pid > 0 && !workers_[i].busy) {
      workers_[i].busy = true;
      return static_cast<int>(i);
    }
  }
  size_t slot = workers_.size();
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].pid <= 0) {
      slot = i;
      break;
    }
  }
  if (slot == workers_.size()) workers_.emplace_back();
  StartWorker(workers_[slot]);
  workers_[slot].busy = true;
  return static_cast<int>(slot);
}

pid_t WorkerPool::PidOf(int slot) const { return workers_.at(slot).pid; }

bool WorkerPool::Send(int slot, const nlohmann::json& request) {
  return WriteMessage(workers_.at(slot).to_worker, request.dump());
}

void WorkerPool::Reap(Worker& worker, std::string* reason) {
  close(worker.to_worker);
  close(worker.from_worker);
  int status = 0;
  pid_t got = 0;
  for (int i = 0; i < 200 && got == 0; ++i) {  // the pipe closed: the exit follows at once
    got = waitpid(worker.pid, &status, WNOHANG);
    if (got == 0) usleep(5000);
  }
  if (got == 0) {
    kill(worker.pid, SIGKILL);
    waitpid(worker.pid, &status, 0);
  }
  if (reason != nullptr) {
    if (WIFSIGNALED(status)) {
      *reason = StrCat("worker process ", worker.pid, " died (signal ", WTERMSIG(status), ")");
    } else {
      *reason = StrCat("worker process ", worker.pid, " exited (status ", WEXITSTATUS(status), ")");
    }
  }
  worker = Worker{};
}

std::vector<WorkerEvent> WorkerPool::Poll(int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<int> slots;
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i].pid > 0 && workers_[i].busy) {
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
  for (const auto& w : workers_) idle += (w.pid > 0 && !w.busy) ? 1 : 0;
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
        kill(worker.pid, SIGKILL);
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
  for (const auto& w : workers_) n += (w.pid > 0 && w.busy) ? 1 : 0;
  return n;
}

void WorkerPool::Kill(int slot) {
  if (workers_.at(slot).pid > 0) kill(workers_[slot].pid, SIGKILL);
}

void WorkerPool::Shutdown() {
  for (auto& worker : workers_) {
    if (worker.pid <= 0) continue;
    kill(worker.pid, SIGKILL);
    Reap(worker, nullptr);
  }
  workers_.clear();
}

}  // namespace scaleml::tasks
