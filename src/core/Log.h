// Leveled logging to stderr. Thread-safety: safe from any thread (one write per line).
#pragma once

#include <string>
#include <utility>

#include "core/Error.h"

namespace scaleml {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kQuiet = 4 };

// The level starts from SCALEML_LOG (debug|info|warning|error|quiet), default warning, so that
// commands stay quiet unless asked.
LogLevel GetLogLevel();
void SetLogLevel(LogLevel level);
void LogLine(LogLevel level, const std::string& line);

template <class... Args>
void LogDebug(Args&&... args) {
  if (GetLogLevel() <= LogLevel::kDebug) LogLine(LogLevel::kDebug, StrCat(std::forward<Args>(args)...));
}
template <class... Args>
void LogInfo(Args&&... args) {
  if (GetLogLevel() <= LogLevel::kInfo) LogLine(LogLevel::kInfo, StrCat(std::forward<Args>(args)...));
}
template <class... Args>
void LogWarning(Args&&... args) {
  if (GetLogLevel() <= LogLevel::kWarning) {
    LogLine(LogLevel::kWarning, StrCat(std::forward<Args>(args)...));
  }
}

}  // namespace scaleml
