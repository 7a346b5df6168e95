#include "engine/tune/Scheduler.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml::tune {

SchedulerKind ParseSchedulerKind(const std::string& name) {
  if (name == "fifo") return SchedulerKind::kFifo;
  if (name == "asha") return SchedulerKind::kAsha;
  if (name == "median") return SchedulerKind::kMedian;
  throw InputError("tune: --scheduler ", name, ": use fifo, asha or median");
}

std::unique_ptr<Scheduler> MakeScheduler(const SchedulerOptions& options) {
  switch (options.kind) {
    case SchedulerKind::kAsha:
      return std::make_unique<AshaScheduler>(options);
    case SchedulerKind::kMedian:
      return std::make_unique<MedianStoppingScheduler>(options);
    case SchedulerKind::kFifo:
      break;
  }
  return std::make_unique<FifoScheduler>();
}

double Percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double t = position - static_cast<double>(below);
  const double a = values[below], b = values[above];
  // numpy's _lerp: from the nearer end, so t = 1 gives b exactly.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

AshaScheduler::AshaScheduler(const SchedulerOptions& options) : options_(options) {
  if (options.max_t < 1) throw InputError("tune: --max-t must be at least 1");
  if (options.grace_period < 1 || options.grace_period > options.max_t) {
    throw InputError("tune: --grace-period must be in [1, --max-t]");
  }
  if (!(options.reduction_factor > 1)) throw InputError("tune: --reduction-factor must be > 1");
  if (options.brackets < 1) throw InputError("tune: --brackets must be at least 1");
  const double rf = options.reduction_factor;
  const double min_t = options.grace_period;
  for (int s = 0; s < options.brackets; ++s) {
    // Ray: MAX_RUNGS = int(log(max_t / min_t) / log(rf) - s + 1), milestones largest first.
    const int rungs = static_cast<int>(std::log(options.max_t / min_t) / std::log(rf) - s + 1);
    Bracket bracket;
    for (int k = rungs - 1; k >= 0; --k) {
      bracket.push_back({min_t * std::pow(rf, k + s), {}});
    }
    brackets_.push_back(std::move(bracket));
  }
}

std::vector<double> AshaScheduler::Milestones(int bracket) const {
  std::vector<double> out;
  for (const auto& rung : brackets_.at(bracket)) out.push_back(rung.milestone);
  return out;
}

// Ray draws a trial's bracket with probabilities softmax(rungs per bracket); seeded here.
int AshaScheduler::BracketOf(const std::string& trial) {
  auto found = bracket_of_.find(trial);
  if (found != bracket_of_.end()) return found->second;
  int chosen = 0;
  if (brackets_.size() > 1) {
    double largest = 0;
    for (const auto& b : brackets_) largest = std::max(largest, static_cast<double>(b.size()));
    std::vector<double> weights;
    double total = 0;
    for (const auto& b : brackets_) {
      weights.push_back(std::exp(static_cast<double>(b.size()) - largest));
      total += weights.back();
    }
    Rng rng(options_.seed, trials_added_);
    double u = rng.Uniform() * total;
    for (chosen = 0; chosen + 1 < static_cast<int>(weights.size()); ++chosen) {
      u -= weights[chosen];
      if (u < 0) break;
    }
  }
  ++trials_added_;
  bracket_of_[trial] = chosen;
  return chosen;
}

SchedulerDecision AshaScheduler::BracketResult(Bracket& bracket, const std::string& trial,
                                               int iteration, double reward) const {
  SchedulerDecision decision = SchedulerDecision::kContinue;
  for (Rung& rung : bracket) {
    if (iteration < rung.milestone || rung.recorded.count(trial) != 0) continue;
    if (!rung.recorded.empty()) {
      std::vector<double> values;
      for (const auto& [name, value] : rung.recorded) values.push_back(value);
      const double cutoff = Percentile(values, (1 - 1 / options_.reduction_factor) * 100);
      if (reward < cutoff) decision = SchedulerDecision::kStop;
    }
    rung.recorded[trial] = reward;
    break;
  }
  return decision;
}

SchedulerDecision AshaScheduler::OnResult(const std::string& trial, int iteration, double metric) {
  if (std::isnan(metric)) return SchedulerDecision::kContinue;
  if (iteration >= options_.max_t) return SchedulerDecision::kFinish;
  const double reward = options_.maximize ? metric : -metric;
  return BracketResult(brackets_[BracketOf(trial)], trial, iteration, reward);
}

void AshaScheduler::OnComplete(const std::string& trial, int iteration, double metric) {
  if (std::isnan(metric)) return;
  const double reward = options_.maximize ? metric : -metric;
  BracketResult(brackets_[BracketOf(trial)], trial, iteration, reward);
}

MedianStoppingScheduler::MedianStoppingScheduler(const SchedulerOptions& options)
    : options_(options) {
  if (options.grace_period < 0) throw InputError("tune: --grace-period must be >= 0");
  if (options.min_samples_required < 1) {
    throw InputError("tune: --min-samples-required must be at least 1");
  }
}

double MedianStoppingScheduler::RunningMean(const std::vector<Report>& reports,
                                            int iteration) const {
  double sum = 0;
  int n = 0;
  for (const Report& r : reports) {
    if (r.iteration >= options_.grace_period && r.iteration <= iteration) {
      sum += r.metric;
      ++n;
    }
  }
  return n > 0 ? sum / n : std::nan("");
}

SchedulerDecision MedianStoppingScheduler::OnResult(const std::string& trial, int iteration,
                                                    double metric) {
  if (std::isnan(metric) || stopped_[trial]) return SchedulerDecision::kContinue;
  results_[trial].push_back({iteration, metric});
  if (iteration < options_.grace_period) return SchedulerDecision::kContinue;
  std::vector<double> means;
  for (const auto& [other, reports] : results_) {
    if (other == trial || reports.back().iteration < iteration) continue;
    means.push_back(RunningMean(reports, iteration));
  }
  if (static_cast<int>(means.size()) < options_.min_samples_required) {
    return SchedulerDecision::kContinue;
  }
  const double median = Percentile(means, 50);
  double best = results_[trial].front().metric;
  for (const Report& r : results_[trial]) {
    best = options_.maximize ? std::max(best, r.metric) : std::min(best, r.metric);
  }
  const bool worse = options_.maximize ? median > best : median < best;
  if (!worse) return SchedulerDecision::kContinue;
  stopped_[trial] = true;
  return SchedulerDecision::kStop;
}

void MedianStoppingScheduler::OnComplete(const std::string& trial, int iteration, double metric) {
  if (std::isnan(metric)) return;
  auto& reports = results_[trial];
  if (reports.empty() || reports.back().iteration != iteration) {
    reports.push_back({iteration, metric});
  }
}

}  // namespace scaleml::tune
