#include "engine/tasks/Daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

// Forks twice; the grandchild runs `child` and the caller gets its PID.
pid_t DoubleFork(const std::string& log_path, const std::function<void()>& child) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw Failure("pipe: cannot start a background process");
  std::fflush(nullptr);
  const pid_t first = fork();
  if (first < 0) throw Failure("fork: cannot start a background process");
  if (first == 0) {
    close(pipe_fds[0]);
    setsid();
    const pid_t second = fork();
    if (second != 0) _exit(second < 0 ? 1 : 0);
    const pid_t self = getpid();
    if (write(pipe_fds[1], &self, sizeof(self)) != sizeof(self)) _exit(1);
    close(pipe_fds[1]);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    umask(077);
    if (chdir("/") != 0) _exit(1);  // never hold a mount or a deleted folder busy
    child();
    _exit(127);
  }
  close(pipe_fds[1]);
  pid_t daemon_pid = -1;
  const ssize_t got = read(pipe_fds[0], &daemon_pid, sizeof(daemon_pid));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(first, &status, 0);
  if (got != sizeof(daemon_pid)) throw Failure("could not start a background process");
  return daemon_pid;
}

}  // namespace

pid_t SpawnDaemon(const std::string& log_path, const std::function<int()>& body) {
  return DoubleFork(log_path, [&body] {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scaleml: error: %s\n", e.what());
    }
    std::fflush(nullptr);
    _exit(code);
  });
}

pid_t SpawnDaemonExec(const std::string& log_path, const std::vector<std::string>& argv) {
  return DoubleFork(log_path, [&argv] {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "scaleml: cannot run %s\n", args[0]);
  });
}

bool ProcessAlive(pid_t pid, const std::string& name_hint) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  if (close_paren != std::string::npos && close_paren + 2 < line.size() &&
      line[close_paren + 2] == 'Z') {
    return false;
  }
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::stringstream text;
  text << cmdline.rdbuf();
  return text.str().find(name_hint) != std::string::npos;
}

bool StopProcess(pid_t pid, const std::string& name_hint, double grace_s) {
  if (!ProcessAlive(pid, name_hint)) return true;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int>(grace_s * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    waitpid(pid, nullptr, WNOHANG);  // reaps it when it is our child (tests)
    if (!ProcessAlive(pid, name_hint)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    waitpid(pid, nullptr, WNOHANG);
    if (!ProcessAlive(pid, name_hint)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string RandomHex(int bytes) {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string raw(static_cast<size_t>(bytes), '\0');
  random.read(raw.data(), bytes);
  if (!random) throw Failure("cannot read /dev/urandom");
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

}  // namespace scaleml::tasks
