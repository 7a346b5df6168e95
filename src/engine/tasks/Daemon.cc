#include "engine/tasks/Daemon.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/Error.h"
#include "core/Subprocess.h"

namespace scaleml::tasks {
namespace {

// A daemon as `ray start` leaves one: its own session, stdin from /dev/null, stdout and stderr
// appended to the log, private files, and "/" as its folder so that it never holds a mount or a
// deleted folder busy.
SpawnOptions DaemonOptions(const std::string& log_path) {
  SpawnOptions options;
  options.detach = true;
  options.stdin_path = "/dev/null";
  options.stdout_path = log_path;
  options.stderr_path = log_path;
  options.append_output = true;
  options.output_mode = 0600;
  options.umask = 077;
  options.working_directory = std::string(1, '/');  // GCC 12 -Wrestrict misfires on "/"
  options.default_signals = {};
  return options;
}

}  // namespace

pid_t SpawnDaemon(const std::string& log_path, const std::function<int()>& body) {
  return Subprocess::Fork(DaemonOptions(log_path), body).pid();
}

pid_t SpawnDaemonExec(const std::string& log_path, const std::vector<std::string>& argv) {
  SpawnOptions options = DaemonOptions(log_path);
  options.argv = argv;
  return Subprocess::Spawn(options).pid();
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
