#include "core/ProgressBar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace scaleml {
namespace {
std::atomic<int> g_forced{-1};
}

void ProgressBar::SetForced(int mode) { g_forced.store(mode); }

ProgressBar::ProgressBar(std::string label, std::int64_t total, std::string unit)
    : label_(std::move(label)), total_(std::max<std::int64_t>(total, 1)), unit_(std::move(unit)) {
  int forced = g_forced.load();
  enabled_ = forced == -1 ? ::isatty(STDERR_FILENO) == 1 : forced == 1;
}

ProgressBar::~ProgressBar() {
  if (enabled_ && !finished_) Finish();
}

void ProgressBar::Advance(std::int64_t amount) {
  std::int64_t done = done_.fetch_add(amount) + amount;
  if (!enabled_) return;
  double now = clock_.Seconds();
  double last = last_draw_.load();
  // Redraw at most ten times a second, and at the end.
  if (done < total_ && now - last < 0.1) return;
  if (!last_draw_.compare_exchange_strong(last, now)) return;
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) Draw(true);
}

void ProgressBar::Draw(bool final) {
  std::lock_guard<std::mutex> lock(draw_mutex_);
  std::int64_t done = std::min(done_.load(), total_);
  double fraction = static_cast<double>(done) / static_cast<double>(total_);
  constexpr int kWidth = 30;
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  double elapsed = clock_.Seconds();
  double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  std::fprintf(stderr, "\r%s [%s] %3d%%  %lld/%lld%s%s  %.1fs elapsed, %.1fs left ",
               label_.c_str(), bar.c_str(), static_cast<int>(fraction * 100),
               static_cast<long long>(done), static_cast<long long>(total_),
               unit_.empty() ? "" : " ", unit_.c_str(), elapsed, final ? 0.0 : eta);
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace scaleml
