#include "bench/FaultRun.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <thread>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Stopwatch.h"
#include "core/Subprocess.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;
using Clock = Subprocess::Clock;

constexpr std::chrono::milliseconds kPollEvery{20};

double NowUnix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// What /proc says of one process of the run.
struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string name;  // comm: "scaleml", "scaleml-worker", ...
  double cpu_s = 0;  // user + system seconds so far
  std::string rank;  // its RANK environment entry (ddp ranks), empty otherwise
  bool marked = false;
};

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::optional<ProcessInfo> ReadProcess(pid_t pid, const std::string& marker) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const std::string stat = ReadSmallFile(dir + "/stat");
  const std::size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  ProcessInfo p;
  p.pid = pid;
  p.name = stat.substr(open + 1, close - open - 1);
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime ...
  char state = 0;
  long long ppid = 0, skip = 0;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(stat.c_str() + close + 1,
                  " %c %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %llu %llu", &state, &ppid,
                  &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &utime,
                  &stime) != 13) {
    return std::nullopt;
  }
  if (state == 'Z') return std::nullopt;  // exited, not yet reaped
  p.ppid = static_cast<pid_t>(ppid);
  p.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const std::string environ = ReadSmallFile(dir + "/environ");
  std::size_t begin = 0;
  while (begin < environ.size()) {
    std::size_t end = environ.find('\0', begin);
    if (end == std::string::npos) end = environ.size();
    const std::string entry = environ.substr(begin, end - begin);
    if (entry == marker) p.marked = true;
    if (entry.rfind("RANK=", 0) == 0) p.rank = entry.substr(5);
    begin = end + 1;
  }
  return p;
}

// Every live process that carries the run's marker.
std::vector<ProcessInfo> RunProcesses(const std::string& marker) {
  std::vector<ProcessInfo> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (const dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0 || pid == ::getpid()) continue;
    if (auto p = ReadProcess(static_cast<pid_t>(pid), marker); p && p->marked) out.push_back(*p);
  }
  ::closedir(proc);
  return out;
}

std::vector<std::string> EnvironmentWith(const std::string& entry) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  out.push_back(entry);
  return out;
}

// The process to kill, once the run has one: ddp rank 1; tasks a worker that has used CPU (one
// running a trial).
std::optional<ProcessInfo> FindVictim(const std::string& engine, const std::string& marker) {
  for (const auto& p : RunProcesses(marker)) {
    if (engine == "ddp" && p.rank == "1") return p;
    if (engine == "tasks" && p.name == "scaleml-worker" && p.cpu_s > 0.05) return p;
  }
  return std::nullopt;
}

// Stops whatever of the run is still alive (its daemons too): after a timeout or a failed run.
void KillRun(Subprocess& child, const std::string& marker) {
  child.Signal(SIGKILL);
  for (const auto& p : RunProcesses(marker)) ::kill(p.pid, SIGKILL);
  if (child.running()) child.Wait();
}

struct Observed {
  std::optional<ExitStatus> ended;
  double ended_after_kill_s = -1;  // the command's end
  double all_gone_after_kill_s = -1;
};

// Waits for the command's end and for every process of the run except daemons (ddp: all ranks).
Observed WaitForEnd(Subprocess& child, const std::string& marker, Clock::time_point killed,
                    Clock::time_point deadline, bool wait_for_all) {
  Observed o;
  auto since_kill = [&] { return std::chrono::duration<double>(Clock::now() - killed).count(); };
  while (Clock::now() < deadline) {
    if (!o.ended) {
      o.ended = child.WaitUntil(std::min(deadline, Clock::now() + kPollEvery));
      if (o.ended) o.ended_after_kill_s = since_kill();
    }
    if (o.all_gone_after_kill_s < 0 && wait_for_all && RunProcesses(marker).empty()) {
      o.all_gone_after_kill_s = since_kill();
    }
    if (o.ended && (!wait_for_all || o.all_gone_after_kill_s >= 0)) break;
    if (o.ended) std::this_thread::sleep_for(kPollEvery);
  }
  return o;
}

// The tasks run's outcome from its summary: finished trials, and the retried one's start.
void ReadTuneOutcome(const std::string& storage, double killed_unix, json& fault, json& record) {
  const std::string path = storage + "/summary.json";
  json summary = json::parse(ReadWholeFile(path), nullptr, false);
  if (summary.is_discarded()) throw Failure(path, ": not valid JSON");
  int finished = 0, total = 0, retried = 0;
  for (const auto& t : summary.value("trials", json::array())) {
    ++total;
    finished += t.value("status", "") == "TERMINATED";
    if (t.value("attempts", 1) >= 2) {
      ++retried;
      fault["detect_s"] = t.value("started", 0.0) - killed_unix;
      fault["retried_trial"] = t.value("trial_id", "");
      fault["retried_trial_s"] = t.value("time_s", 0.0);
    }
  }
  fault["trials_finished"] = finished;
  fault["trials"] = total;
  fault["outcome"] = StrCat(finished, "/", total, " trials finished, ", retried,
                            retried == 1 ? " trial" : " trials", " retried");
  if (finished != total || total == 0) {
    record["error"] = StrCat("only ", finished, " of ", total, " trials finished");
  } else if (retried == 0) {
    record["error"] = "no trial was retried: the killed worker's trial was not seen again";
  } else {
    record["status"] = "ok";
  }
}

void Judge(const FaultPlan& plan, const Observed& o, const ProcessInfo& victim, double killed_unix,
           double run_s_at_kill, double cpu_at_kill, json& fault, json& record) {
  if (plan.engine == "ddp") {
    // The group failed when the launcher and every rank are gone.
    fault["detect_s"] = std::max(o.ended_after_kill_s, o.all_gone_after_kill_s);
    fault["lost_s"] = run_s_at_kill;  // no restart: the whole run so far
    fault["lost_cpu_s"] = cpu_at_kill;
    const std::string err = ReadWholeFile(plan.log_stem + ".err");
    // The launcher's failure line: "rank R (local rank R, pid P) killed by signal 9".
    const bool named = err.find(StrCat("rank ", victim.rank, " (local rank ", victim.rank,
                                       ", pid")) != std::string::npos;
    fault["lost_rank_named"] = named;
    const int code = o.ended->exit_code;
    fault["outcome"] = StrCat("group failed, exit ", code, named ? ", lost rank named" : "",
                              o.all_gone_after_kill_s >= 0 ? ", no rank left" : "");
    if (code == 0) {
      record["error"] = "the launcher exited 0 after a rank was killed";
    } else if (!named) {
      record["error"] = "the launcher's error does not name rank " + victim.rank;
    } else {
      record["status"] = "ok";
    }
    return;
  }
  fault["recover_s"] = o.ended_after_kill_s;
  fault["lost_cpu_s"] = cpu_at_kill;
  if (o.ended->exit_code != 0) {
    record["error"] = StrCat("tune exited ", o.ended->exit_code, " after a worker was killed");
    return;
  }
  ReadTuneOutcome(plan.storage, killed_unix, fault, record);
}

// Waits until the kill moment and a process to kill; nullopt (with the reason) when the run
// ended first or the deadline passed. Notes when each process of the run was first seen.
std::optional<ProcessInfo> WaitForVictim(const std::string& engine, Subprocess& child,
                                         const std::string& marker, Clock::time_point kill_at,
                                         Clock::time_point deadline,
                                         std::map<pid_t, Clock::time_point>& first_seen,
                                         std::string& why_not) {
  while (Clock::now() < deadline) {
    if (child.WaitUntil(Clock::now() + kPollEvery)) {
      why_not =
          "the run ended before the fault could be injected (make it longer: a larger --sizes)";
      return std::nullopt;
    }
    for (const auto& p : RunProcesses(marker)) first_seen.emplace(p.pid, Clock::now());
    if (Clock::now() < kill_at) continue;
    if (auto victim = FindVictim(engine, marker)) return victim;
  }
  why_not = "timed out before a process to kill was running";
  return std::nullopt;
}

}  // namespace

void RunFault(const FaultPlan& plan, json& record) {
  json fault = {{"engine", plan.engine},
                {"algo", plan.algo},
                {"signal", "SIGKILL"},
                {"target", plan.engine == "ddp" ? "rank 1" : "a trial's worker"},
                {"fraction", kFaultFraction}};
  record["status"] = "failed";
  const std::string marker = "SCALEML_BENCH_FAULT=" + std::to_string(::getpid()) + "-" +
                             std::to_string(static_cast<long long>(NowUnix() * 1000));
  SpawnOptions options;
  options.argv = plan.argv;
  options.stdin_path = "/dev/null";
  options.stdout_path = plan.log_stem + ".out";
  options.stderr_path = plan.log_stem + ".err";
  options.environment = EnvironmentWith(marker);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(plan.timeout_s));
  const auto kill_at = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(plan.kill_after_s));
  Subprocess child = Subprocess::Spawn(options);
  std::map<pid_t, Clock::time_point> first_seen;  // tasks: when each worker appeared
  std::string why_not;
  const std::optional<ProcessInfo> victim =
      WaitForVictim(plan.engine, child, marker, kill_at, deadline, first_seen, why_not);
  if (!victim) {
    record["error"] = why_not;
    record["fault"] = fault;
    KillRun(child, marker);
    return;
  }
  double cpu_at_kill = 0;
  for (const auto& p : RunProcesses(marker)) {
    if (plan.engine == "tasks" ? p.pid == victim->pid : !p.rank.empty()) cpu_at_kill += p.cpu_s;
  }
  ::kill(victim->pid, SIGKILL);
  const auto killed = Clock::now();
  const double killed_unix = NowUnix();
  const double run_s_at_kill = std::chrono::duration<double>(killed - start).count();
  fault["kill_after_s"] = run_s_at_kill;
  if (plan.engine == "tasks") {
    const auto seen = first_seen.count(victim->pid) ? first_seen[victim->pid] : start;
    fault["lost_s"] = std::chrono::duration<double>(killed - seen).count();
  }
  const Observed o = WaitForEnd(child, marker, killed, deadline, plan.engine == "ddp");
  if (!o.ended) {
    record["error"] = StrCat("no end within ", plan.timeout_s, " s of the start after the fault");
    record["fault"] = fault;
    KillRun(child, marker);
    return;
  }
  try {
    Judge(plan, o, *victim, killed_unix, run_s_at_kill, cpu_at_kill, fault, record);
  } catch (const std::exception& e) {
    record["error"] = e.what();
  }
  record["fault"] = fault;
  KillRun(child, marker);
}

}  // namespace scaleml::bench
