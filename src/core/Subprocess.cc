#include "core/Subprocess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <thread>
#include <utility>

#include "core/Error.h"

extern char** environ;

namespace scaleml {
namespace {

// What the child was doing when its setup failed; sent to the parent with errno.
enum class SetupStep : int { kNone = 0, kStdin, kStdout, kStderr, kDirectory, kExec };

struct SetupError {
  int step = 0;
  int error = 0;
};

// Everything the child needs, prepared before fork so that the child only makes system calls.
struct Prepared {
  std::vector<char*> argv;
  std::vector<char*> envp;  // empty: inherit
};

Prepared Prepare(const SpawnOptions& options) {
  Prepared p;
  for (const auto& a : options.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  if (options.environment) {
    for (const auto& e : *options.environment) p.envp.push_back(const_cast<char*>(e.c_str()));
    p.envp.push_back(nullptr);
  }
  return p;
}

[[noreturn]] void ReportAndExit(int fd, SetupStep step) {
  SetupError failure{static_cast<int>(step), errno};
  [[maybe_unused]] ssize_t written = write(fd, &failure, sizeof(failure));
  _exit(127);
}

int OpenOutput(const std::string& path, const SpawnOptions& options) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.append_output ? O_APPEND : O_TRUNC);
  return open(path.c_str(), flags, options.output_mode);
}

// Runs in the child between fork and exec (or the body): async-signal-safe calls only.
void SetUpChild(const SpawnOptions& options, pid_t parent, int report_fd) {
  if (options.new_process_group && !options.detach) setpgid(0, 0);
  if (options.die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before the line above
  }
  for (int s : options.default_signals) signal(s, SIG_DFL);
  if (options.signal_mask) sigprocmask(SIG_SETMASK, &*options.signal_mask, nullptr);
  if (options.umask) umask(*options.umask);
  if (!options.stdin_path.empty()) {
    const int in = open(options.stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0 || dup2(in, 0) < 0) ReportAndExit(report_fd, SetupStep::kStdin);
  }
  int out = -1;
  if (!options.stdout_path.empty()) {
    out = OpenOutput(options.stdout_path, options);
    if (out < 0 || dup2(out, 1) < 0) ReportAndExit(report_fd, SetupStep::kStdout);
  }
  if (!options.stderr_path.empty()) {
    const int err =
        options.stderr_path == options.stdout_path ? out : OpenOutput(options.stderr_path, options);
    if (err < 0 || dup2(err, 2) < 0) ReportAndExit(report_fd, SetupStep::kStderr);
  }
  if (!options.working_directory.empty() && chdir(options.working_directory.c_str()) != 0) {
    ReportAndExit(report_fd, SetupStep::kDirectory);
  }
}

std::string DescribeSetupError(const SpawnOptions& options, const SetupError& e,
                               const std::string& what) {
  const char* reason = std::strerror(e.error);
  switch (static_cast<SetupStep>(e.step)) {
    case SetupStep::kStdin:
      return StrCat("cannot start ", what, ": cannot open ", options.stdin_path, ": ", reason);
    case SetupStep::kStdout:
      return StrCat("cannot start ", what, ": cannot write ", options.stdout_path, ": ", reason);
    case SetupStep::kStderr:
      return StrCat("cannot start ", what, ": cannot write ", options.stderr_path, ": ", reason);
    case SetupStep::kDirectory:
      return StrCat("cannot start ", what, ": cannot enter ", options.working_directory, ": ",
                    reason);
    default:
      return StrCat("cannot run ", what, ": ", reason);
  }
}

ssize_t ReadFully(int fd, void* data, std::size_t bytes) {
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = read(fd, static_cast<char*>(data) + got, bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

// Forks the child (twice when detached), sets it up and calls `run` in it with the report pipe
// (which `run` closes or execs over); returns the child's pid once its setup has passed, or
// throws with what failed.
pid_t StartChild(const SpawnOptions& options, const std::string& what,
                 const std::function<void(int report_fd)>& run) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    throw Failure("cannot start ", what, ": pipe: ", std::strerror(errno));
  }
  std::fflush(nullptr);  // buffered output must not be written twice
  const pid_t parent = getpid();
  const pid_t first = fork();
  if (first < 0) {
    const int saved = errno;
    close(report[0]);
    close(report[1]);
    throw Failure("cannot start ", what, ": fork: ", std::strerror(saved));
  }
  if (first == 0) {
    close(report[0]);
    if (options.detach) {
      setsid();
      const pid_t second = fork();
      if (second != 0) _exit(second < 0 ? 127 : 0);
      const pid_t self = getpid();
      if (write(report[1], &self, sizeof(self)) != static_cast<ssize_t>(sizeof(self))) _exit(127);
    }
    SetUpChild(options, parent, report[1]);
    run(report[1]);
    _exit(127);
  }
  close(report[1]);
  pid_t pid = first;
  bool started = true;
  if (options.detach) {
    started = ReadFully(report[0], &pid, sizeof(pid)) == static_cast<ssize_t>(sizeof(pid));
    int ignored = 0;
    while (waitpid(first, &ignored, 0) < 0 && errno == EINTR) {
    }
  } else if (options.new_process_group) {
    setpgid(first, first);  // also here, so the group exists before any signal is sent to it
  }
  SetupError failure;
  const bool failed = started && ReadFully(report[0], &failure, sizeof(failure)) ==
                                     static_cast<ssize_t>(sizeof(failure));
  close(report[0]);
  if (!started) throw Failure("cannot start ", what, " in the background");
  if (failed) {
    if (!options.detach) {
      while (waitpid(first, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    throw Failure(DescribeSetupError(options, failure, what));
  }
  return pid;
}

// A daemon's parent (init, or a subreaper) may be slow to reap it: a zombie has ended.
bool IsZombie(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] == 'Z';
}

}  // namespace

std::string SignalName(int signal_number) {
  const char* name = sigabbrev_np(signal_number);
  return name != nullptr ? StrCat("SIG", name) : StrCat("signal ", signal_number);
}

std::string ExitStatus::Describe() const {
  if (signal != 0) return StrCat("was killed by signal ", SignalName(signal), " (", signal, ")");
  if (exit_code >= 0) return StrCat("exited with code ", exit_code);
  return "ended (its status was collected elsewhere)";
}

Subprocess Subprocess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) throw Failure("Spawn: no program to run");
  Prepared prepared = Prepare(options);
  const std::string what = StrCat("'", options.argv[0], "'");
  const pid_t pid = StartChild(options, what, [&](int report_fd) {
    if (options.environment) {
      execvpe(prepared.argv[0], prepared.argv.data(), prepared.envp.data());
    } else {
      execvp(prepared.argv[0], prepared.argv.data());
    }
    ReportAndExit(report_fd, SetupStep::kExec);
  });
  return Subprocess(pid, options.new_process_group && !options.detach, !options.detach);
}

Subprocess Subprocess::Fork(const SpawnOptions& options, const std::function<int()>& body) {
  const std::string what = options.process_name.empty() ? "a child process" : options.process_name;
  const pid_t pid = StartChild(options, what, [&](int report_fd) {
    close(report_fd);
    if (!options.process_name.empty()) prctl(PR_SET_NAME, options.process_name.c_str());
    if (options.environment) {
      static std::vector<char*> envp;  // the child's own copy, for environ
      envp = Prepare(options).envp;
      environ = envp.data();
    }
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scaleml: error: %s\n", e.what());
    }
    std::fflush(nullptr);
    _exit(code);
  });
  return Subprocess(pid, options.new_process_group && !options.detach, !options.detach);
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      group_(other.group_),
      waitable_(other.waitable_),
      exit_(std::move(other.exit_)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  pid_ = std::exchange(other.pid_, -1);
  group_ = other.group_;
  waitable_ = other.waitable_;
  exit_ = std::move(other.exit_);
  return *this;
}

bool Subprocess::Reap(int options) {
  if (pid_ <= 0) return true;
  if (exit_) return true;
  if (!waitable_) {
    if (kill(pid_, 0) == 0 && !IsZombie(pid_)) return false;
    exit_ = ExitStatus{};
    return true;
  }
  int status = 0;
  struct rusage usage {};
  pid_t done;
  do {
    done = wait4(pid_, &status, options, &usage);
  } while (done < 0 && errno == EINTR);
  if (done == 0) return false;
  ExitStatus result;
  if (done == pid_) {
    result.peak_rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  }
  exit_ = result;  // done < 0 (ECHILD): collected elsewhere; the status is unknown
  return true;
}

std::optional<ExitStatus> Subprocess::Poll() {
  Reap(WNOHANG);
  return exit_;
}

std::optional<ExitStatus> Subprocess::WaitUntil(Clock::time_point deadline) {
  while (!Reap(WNOHANG)) {
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    const auto step = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(10));
    std::this_thread::sleep_for(step);
  }
  return exit_;
}

ExitStatus Subprocess::Wait() {
  if (waitable_) {
    Reap(0);
  } else {
    while (!Reap(WNOHANG)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_.value_or(ExitStatus{});
}

void Subprocess::Signal(int signal_number) {
  if (pid_ <= 0) return;
  if (group_) {
    killpg(pid_, signal_number);
  } else if (!exit_) {
    kill(pid_, signal_number);
  }
}

ExitStatus Subprocess::Terminate(double grace_s) {
  if (pid_ <= 0) return ExitStatus{};
  if (!exit_) {
    Signal(SIGTERM);
    const auto grace = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(0.0, grace_s)));
    if (!WaitUntil(Clock::now() + grace)) {
      Signal(SIGKILL);
      Wait();
    }
  }
  return exit_.value_or(ExitStatus{});
}

}  // namespace scaleml
