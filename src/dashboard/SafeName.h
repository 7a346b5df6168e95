// Names that arrive in URLs (an experiment, a trial, a benchmark folder, a figure) are checked
// before anything is looked up: letters, digits, '.', '_', '-', 1 to 128 of them, not starting
// with '.' (so never "." or ".."), so a name can never walk out of the folders served. Lookups
// then go through the lists the dashboard scanned itself, never through a path built from
// the name. Thread-safety: pure.
#pragma once

#include <string_view>

namespace scaleml::dashboard {

inline bool IsSafeName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace scaleml::dashboard
