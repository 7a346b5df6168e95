// How a benchmark run ended, as an enum in code and a word in results.jsonl ("status"). A peer
// that ran out of time or memory is a result, not a failure: reports show it with its limit.
// Thread-safety: functions of their arguments.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

struct ChildResult;

enum class RunStatus {
  kOk,           // "ok": finished and reported its accuracy
  kFailed,       // "failed": an error (exit code, signal, bad report)
  kTimedOut,     // "timeout": killed at its time limit (the record's timeout_s)
  kOutOfMemory,  // "oom": ended by the OOM killer or a memory error
  kSkipped,      // "skipped": not run (the record's error says why)
};

// The word written in results.jsonl.
const char* StatusName(RunStatus status);
// The status of a record. Records written before "timeout" existed said status "failed" with the
// error "timed out after S s": those read as kTimedOut. An unknown word reads as kFailed.
RunStatus StatusOf(const nlohmann::json& record);
// A run's time limit in seconds from its record: timeout_s, or the S of a "timed out after S s"
// error; 0 when unknown.
double LimitOf(const nlohmann::json& record);

// Whether a run that exited with an error ran out of memory: a memory error in its stderr
// (Python's MemoryError, std::bad_alloc, "Cannot allocate memory"), or a SIGKILL (of the child or,
// under a launcher, of one of its ranks) while the kernel's OOM kill count rose.
bool RanOutOfMemory(const ChildResult& result, bool oom_kills_rose);
// The kernel's count of OOM kills since boot (/proc/vmstat oom_kill; cgroup OOM kills included);
// -1 when unreadable.
std::int64_t OomKillCount();

}  // namespace scaleml::bench
