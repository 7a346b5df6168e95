// Runs one command as a child process in its own process group, with its output in files and a
// wall-clock limit; on timeout the whole group (a launcher's ranks, a local cluster) is killed.
// Thread-safety: call from one thread at a time (SIGINT/SIGTERM/SIGHUP are forwarded to the
// running child's group, then end this process).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scaleml::bench {

struct ChildResult {
  int exit_code = -1;      // -1 when killed by a signal
  int signal = 0;          // the signal that ended it, 0 otherwise
  bool timed_out = false;  // killed because it ran past the limit
  double wall_s = 0;
  std::int64_t peak_rss_bytes = 0;  // the largest of the child and its waited-for descendants
  // The largest sum of resident sizes over every process of the run at one moment, sampled every
  // 0.1 s (RunMemorySampler.h), and how many processes that sum held.
  std::int64_t machine_peak_rss_bytes = 0;
  int machine_peak_processes = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// argv[0] is the program (a path; not searched in PATH). Output goes to `log_stem`.out/.err when
// log_stem is not empty (kept as the run's logs), to temporary files otherwise.
ChildResult RunChild(const std::vector<std::string>& argv, double timeout_s,
                     const std::string& log_stem);

// The last lines of a text, at most max_chars: what an error record keeps of a child's stderr.
std::string TailOf(const std::string& text, std::size_t max_chars);

}  // namespace scaleml::bench
