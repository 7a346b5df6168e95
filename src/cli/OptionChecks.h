// Validators for counts given on the command line, attached to their options so that a bad
// value is refused at parse time (exit 2, the flag named) before anything runs: `--threads 65536`
// used to reach libgomp and crash there.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <string>

#include "core/Threads.h"

namespace scaleml::cli {

// An integer in [lo, hi]; `meaning` ends the message ("0 = all cores").
inline CLI::Validator CountIn(long long lo, long long hi, const std::string& meaning = "") {
  const std::string hint = meaning.empty() ? "" : " (" + meaning + ")";
  return CLI::Validator(
      [lo, hi, hint](std::string& text) -> std::string {
        long long value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) {
          return "'" + text + "' is not a whole number from " + std::to_string(lo) + " to " +
                 std::to_string(hi) + hint;
        }
        return "";
      },
      "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// A thread or CPU count: 0 (every core) up to kMaxThreads.
inline CLI::Validator ThreadCount() { return CountIn(0, kMaxThreads, "0 = all cores"); }

}  // namespace scaleml::cli
