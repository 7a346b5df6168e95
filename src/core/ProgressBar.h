// A progress bar on stderr, drawn only when stderr is a terminal (quiet in pipes, logs and CI).
// Thread-safety: Advance() may be called from any thread; drawing is rate-limited.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/Stopwatch.h"

namespace scaleml {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total, std::string unit = "");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Advance(std::int64_t amount);
  // Draws the final state and moves to a new line.
  void Finish();
  bool enabled() const { return enabled_; }

  // Forces drawing on or off (tests, --progress flags); the default follows isatty(stderr).
  static void SetForced(int mode);  // -1 auto, 0 never, 1 always

 private:
  void Draw(bool final);

  std::string label_;
  std::int64_t total_;
  std::string unit_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::int64_t> done_{0};
  std::atomic<double> last_draw_{-1.0};
  std::mutex draw_mutex_;
  Stopwatch clock_;
};

}  // namespace scaleml
