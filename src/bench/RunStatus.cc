#include "bench/RunStatus.h"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bench/ChildProcess.h"

namespace scaleml::bench {
namespace {

constexpr const char* kLegacyTimeout = "timed out after ";

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

const char* StatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kOk:
      return "ok";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kTimedOut:
      return "timeout";
    case RunStatus::kOutOfMemory:
      return "oom";
    case RunStatus::kSkipped:
      return "skipped";
  }
  return "failed";
}

RunStatus StatusOf(const nlohmann::json& record) {
  const std::string word = record.value("status", "");
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kTimedOut,
                      RunStatus::kOutOfMemory, RunStatus::kSkipped}) {
    if (word == StatusName(s)) {
      if (s == RunStatus::kFailed && record.value("error", "").rfind(kLegacyTimeout, 0) == 0) {
        return RunStatus::kTimedOut;
      }
      return s;
    }
  }
  return RunStatus::kFailed;
}

double LimitOf(const nlohmann::json& record) {
  if (record.contains("timeout_s") && record["timeout_s"].is_number()) {
    return record["timeout_s"].get<double>();
  }
  const std::string error = record.value("error", "");
  if (error.rfind(kLegacyTimeout, 0) != 0) return 0;
  return std::strtod(error.c_str() + std::char_traits<char>::length(kLegacyTimeout), nullptr);
}

bool RanOutOfMemory(const ChildResult& result, bool oom_kills_rose) {
  if (result.timed_out || result.exit_code == 0) return false;
  const std::string& err = result.stderr_text;
  if (Contains(err, "MemoryError") || Contains(err, "std::bad_alloc") ||
      Contains(err, "Cannot allocate memory")) {
    return true;
  }
  // The OOM killer sends SIGKILL: to the child itself, or to a rank that torchrun or
  // `scaleml launch` then reports.
  // torchrun: "Signal 9 (SIGKILL) received"; scaleml launch: "killed by signal SIGKILL (9)".
  const bool killed = result.signal == SIGKILL || Contains(err, "SIGKILL");
  return oom_kills_rose && killed;
}

std::int64_t OomKillCount() {
  std::ifstream vmstat("/proc/vmstat");
  std::string name;
  std::int64_t value = 0;
  while (vmstat >> name >> value) {
    if (name == "oom_kill") return value;
  }
  return -1;
}

}  // namespace scaleml::bench
