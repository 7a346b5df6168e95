// The one way scaleml starts another process: a program (argv, never a shell) or a function in a
// forked child, with its environment, working folder, output files, process group and signal
// state set before it runs; waited for with a deadline; stopped with SIGTERM, then SIGKILL.
// A program that cannot be executed is a Failure naming it, from Spawn itself (the exec error
// travels back through a close-on-exec pipe), never a child that exits 127 unexplained.
// Thread-safety: a Subprocess handle belongs to one thread. Spawn and Fork fork the calling
// process: call them where forking is safe (before threads start, or with exec right after).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scaleml {

// How a child ended.
struct ExitStatus {
  int exit_code = -1;               // -1 when a signal ended it
  int signal = 0;                   // the signal that ended it, 0 otherwise
  std::int64_t peak_rss_bytes = 0;  // the largest of the child and its waited-for descendants

  bool success() const { return exit_code == 0; }
  // "exited with code 3", "was killed by signal SIGKILL (9)".
  std::string Describe() const;
};

// "SIGTERM" for 15.
std::string SignalName(int signal_number);

struct SpawnOptions {
  // The program and its arguments. argv[0] is a path, or a name looked up in PATH (as execvp
  // does). Ignored by Fork.
  std::vector<std::string> argv;
  // The child's whole environment, "KEY=value" each; unset: this process's.
  std::optional<std::vector<std::string>> environment;
  std::string working_directory;  // empty: this process's
  // Files for the standard streams; empty: inherited. The same path for stdout and stderr
  // opens the file once, so both streams interleave in it.
  std::string stdin_path;
  std::string stdout_path;
  std::string stderr_path;
  bool append_output = false;  // append to the output files instead of truncating them
  mode_t output_mode = 0644;   // permissions of output files created
  std::optional<mode_t> umask;
  // The child leads a process group of its own, so Signal and Terminate reach everything it
  // starts (and a terminal's Ctrl-C does not).
  bool new_process_group = true;
  // The child gets SIGKILL when this process dies (PR_SET_PDEATHSIG), checked race-free.
  bool die_with_parent = false;
  // The child is a daemon: a grandchild in a session of its own (setsid), re-parented to init,
  // so it outlives this process. Its handle cannot wait for it (use its pid()).
  bool detach = false;
  // The child's signal mask; unset: the calling thread's.
  std::optional<sigset_t> signal_mask;
  // Signals whose handlers the child resets to the default before it runs (an ignored SIGPIPE
  // would otherwise survive exec).
  std::vector<int> default_signals = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE};
  // The child's name in ps and /proc (PR_SET_NAME; at most 15 characters); Fork only.
  std::string process_name;
};

class Subprocess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts options.argv. Throws Failure naming the program when fork fails or it cannot be
  // executed (not found, not executable), with the reason.
  static Subprocess Spawn(const SpawnOptions& options);
  // Runs `body` in a forked child set up by `options` (argv unused); the child exits with
  // body's return value (1 when it throws, after printing the error to its stderr).
  static Subprocess Fork(const SpawnOptions& options, const std::function<int()>& body);

  Subprocess() = default;
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // Leaves the child running: a handle is not an owner (a daemon must outlive it).
  ~Subprocess() = default;

  pid_t pid() const { return pid_; }
  // True until its end has been reaped by Poll, WaitUntil, Wait or Terminate.
  bool running() const { return pid_ > 0 && !exit_.has_value(); }
  const std::optional<ExitStatus>& exit_status() const { return exit_; }

  // Its exit status when it has ended (reaping it), nullopt while it runs.
  std::optional<ExitStatus> Poll();
  // Waits until it ends or `deadline` passes (nullopt then).
  std::optional<ExitStatus> WaitUntil(Clock::time_point deadline);
  ExitStatus Wait();
  // Sends `signal_number` to its process group when it leads one, else to it alone. After its
  // end, the group still gets it (what the child left running there).
  void Signal(int signal_number);
  // SIGTERM, then SIGKILL when it has not ended after `grace_s`; waits for its end.
  ExitStatus Terminate(double grace_s);

 private:
  explicit Subprocess(pid_t pid, bool group, bool waitable)
      : pid_(pid), group_(group), waitable_(waitable) {}
  bool Reap(int options);

  pid_t pid_ = -1;
  bool group_ = false;     // the child leads a process group with its pid as id
  bool waitable_ = false;  // our child (not a detached daemon)
  std::optional<ExitStatus> exit_;
};

}  // namespace scaleml
