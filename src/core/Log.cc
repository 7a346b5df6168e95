#include "core/Log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace scaleml {
namespace {

LogLevel LevelFromEnv() {
  const char* env = std::getenv("SCALEML_LOG");
  if (env == nullptr) return LogLevel::kWarning;
  if (std::strcmp(env, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(env, "info") == 0) return LogLevel::kInfo;
  if (std::strcmp(env, "error") == 0) return LogLevel::kError;
  if (std::strcmp(env, "quiet") == 0) return LogLevel::kQuiet;
  return LogLevel::kWarning;
}

std::atomic<int>& Level() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}

}  // namespace

LogLevel GetLogLevel() { return static_cast<LogLevel>(Level().load(std::memory_order_relaxed)); }

void SetLogLevel(LogLevel level) { Level().store(static_cast<int>(level)); }

void LogLine(LogLevel level, const std::string& line) {
  static const char* const kNames[] = {"debug", "info", "warning", "error", ""};
  // One write() per line keeps lines from different threads and processes whole.
  std::string text = StrCat("scaleml ", kNames[static_cast<int>(level)], ": ", line, "\n");
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace scaleml
