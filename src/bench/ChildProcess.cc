#include "bench/ChildProcess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Stopwatch.h"

namespace scaleml::bench {
namespace {

// The process group of the child running now: an interrupted suite (Ctrl-C, kill) takes it
// along, since a child in its own group does not get the terminal's signals.
volatile sig_atomic_t g_running_group = 0;

void ForwardAndDie(int signal_number) {
  if (g_running_group > 0) ::killpg(g_running_group, SIGTERM);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void InstallForwarding() {
  static const bool installed = [] {
    for (int s : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      action.sa_handler = ForwardAndDie;
      sigemptyset(&action.sa_mask);
      ::sigaction(s, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

bool Reap(pid_t pid, int options, ChildResult& result) {
  int status = 0;
  struct rusage usage {};
  const pid_t done = ::wait4(pid, &status, options, &usage);
  if (done != pid) return false;
  result.peak_rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return true;
}

}  // namespace

std::string TailOf(const std::string& text, std::size_t max_chars) {
  std::size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  std::string trimmed = text.substr(0, end + 1);
  if (trimmed.size() <= max_chars) return trimmed;
  return "..." + trimmed.substr(trimmed.size() - max_chars);
}

ChildResult RunChild(const std::vector<std::string>& argv, double timeout_s,
                     const std::string& log_stem) {
  if (argv.empty()) throw Failure("RunChild: empty command");
  std::string out_path = log_stem + ".out", err_path = log_stem + ".err";
  const bool temporary = log_stem.empty();
  if (temporary) {
    const std::string base = (std::filesystem::temp_directory_path() /
                              ("scaleml-bench-" + std::to_string(::getpid()) + "-child"))
                                 .string();
    out_path = base + ".out";
    err_path = base + ".err";
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  Stopwatch clock;
  const pid_t pid = ::fork();
  if (pid < 0) throw Failure("fork failed for ", argv[0]);
  if (pid == 0) {
    ::setpgid(0, 0);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so killpg works even before the child runs
  InstallForwarding();
  g_running_group = pid;
  ChildResult result;
  bool done = false;
  while (!done) {
    done = Reap(pid, WNOHANG, result);
    if (done) break;
    if (timeout_s > 0 && clock.Seconds() > timeout_s) {
      result.timed_out = true;
      ::killpg(pid, SIGTERM);
      for (int i = 0; i < 40 && !done; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        done = Reap(pid, WNOHANG, result);
      }
      ::killpg(pid, SIGKILL);
      if (!done) done = Reap(pid, 0, result);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Anything the child left running in its group (a rank, a cluster agent) goes with it.
  ::killpg(pid, SIGKILL);
  g_running_group = 0;
  result.wall_s = clock.Seconds();
  result.stdout_text = ReadWholeFile(out_path);
  result.stderr_text = ReadWholeFile(err_path);
  if (temporary) {
    std::filesystem::remove(out_path);
    std::filesystem::remove(err_path);
  }
  return result;
}

}  // namespace scaleml::bench
