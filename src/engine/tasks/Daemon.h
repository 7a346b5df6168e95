// Background processes the way `ray start` leaves them: detached from the terminal (double fork
// and setsid), output in a log file, stoppable by PID with a check that the PID is still ours.
// Thread-safety: call from a single-threaded process (fork).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace scaleml::tasks {

// Runs `body` in a detached grandchild whose stdout/stderr go to `log_path`; returns its PID.
// The grandchild exits with body's return value and never returns here.
pid_t SpawnDaemon(const std::string& log_path, const std::function<int()>& body);
// The same, executing `argv` (argv[0] looked up in PATH).
pid_t SpawnDaemonExec(const std::string& log_path, const std::vector<std::string>& argv);

// True when `pid` runs, is not a zombie, and its command line contains `name_hint`.
bool ProcessAlive(pid_t pid, const std::string& name_hint);
// SIGTERM, then SIGKILL after `grace_s`; true when the process is gone (or was not ours).
bool StopProcess(pid_t pid, const std::string& name_hint, double grace_s);

// A random lower-case hex string of `bytes` random bytes (from /dev/urandom).
std::string RandomHex(int bytes);

}  // namespace scaleml::tasks
