#include "bench/ChildProcess.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "bench/RunMemorySampler.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "core/Subprocess.h"

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

// How often the run's memory is summed: often enough for a peak that lasts a phase, rarely
// enough to cost nothing measurable (one /proc scan, environ read once per new process).
constexpr std::chrono::milliseconds kSampleEvery{100};

// This process's environment with `entry` added.
std::vector<std::string> EnvironmentWith(const std::string& entry) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  out.push_back(entry);
  return out;
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
  SpawnOptions options;
  options.argv = argv;
  options.stdin_path = "/dev/null";
  options.stdout_path = out_path;
  options.stderr_path = err_path;
  // Every process of the run inherits the marker, daemons that leave the group included.
  static int runs = 0;
  const std::string marker =
      "SCALEML_BENCH_RUN=" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
  options.environment = EnvironmentWith(marker);
  RunMemorySampler memory(marker);
  Stopwatch clock;
  ChildResult result;
  Subprocess child;
  try {
    child = Subprocess::Spawn(options);
  } catch (const Error& e) {
    // A bench record says why its command could not run, as a shell's 127 would.
    result.exit_code = 127;
    result.stderr_text = e.what();
    return result;
  }
  InstallForwarding();
  g_running_group = child.pid();
  const auto deadline = Subprocess::Clock::now() +
                        std::chrono::duration_cast<Subprocess::Clock::duration>(
                            std::chrono::duration<double>(timeout_s > 0 ? timeout_s : 1e9));
  std::optional<ExitStatus> ended;
  while (!ended && Subprocess::Clock::now() < deadline) {
    memory.Sample();
    ended = child.WaitUntil(std::min(deadline, Subprocess::Clock::now() + kSampleEvery));
  }
  if (!ended) {
    result.timed_out = true;
    ended = child.Terminate(2.0);
  }
  // Anything the child left running in its group (a rank, a cluster agent) goes with it.
  child.Signal(SIGKILL);
  g_running_group = 0;
  result.exit_code = ended->exit_code;
  result.signal = ended->signal;
  result.peak_rss_bytes = ended->peak_rss_bytes;
  result.machine_peak_rss_bytes = memory.peak_bytes();
  result.machine_peak_processes = memory.peak_processes();
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
