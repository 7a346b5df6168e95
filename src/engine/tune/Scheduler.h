// Trial schedulers as Ray Tune's: they see every per-round report of every trial (its round, the
// "training_iteration" time attribute, and its validation metric) and decide whether the trial
// goes on. FIFO never stops one; ASHA is Ray's AsyncHyperBandScheduler and median is Ray's
// MedianStoppingRule, with their parameters and defaults (time in rounds, not seconds).
// Thread-safety: one thread (the driver's loop).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace scaleml::tune {

enum class SchedulerKind { kFifo, kAsha, kMedian };
// "fifo", "asha" or "median"; an InputError naming --scheduler otherwise.
SchedulerKind ParseSchedulerKind(const std::string& name);

enum class SchedulerDecision {
  kContinue,
  kStop,    // stopped early: cut at a rung, or below the median
  kFinish,  // reached max_t (asha): stopped, not early
};

struct SchedulerOptions {
  SchedulerKind kind = SchedulerKind::kFifo;
  bool maximize = true;
  int max_t = 100;               // asha: rounds a trial may train at most (Ray's default)
  int grace_period = 1;          // asha and median: rounds before any stop
  double reduction_factor = 4;   // asha
  int brackets = 1;              // asha
  int min_samples_required = 3;  // median
  std::uint64_t seed = 0;        // asha: the bracket of each trial, when brackets > 1
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // A report of `trial` after round `iteration` (1-based, increasing per trial).
  virtual SchedulerDecision OnResult(const std::string& trial, int iteration, double metric) = 0;
  // The trial ended by itself (its last round) with this last report; no decision.
  virtual void OnComplete(const std::string& trial, int iteration, double metric) = 0;
};

std::unique_ptr<Scheduler> MakeScheduler(const SchedulerOptions& options);

class FifoScheduler : public Scheduler {
 public:
  SchedulerDecision OnResult(const std::string&, int, double) override {
    return SchedulerDecision::kContinue;
  }
  void OnComplete(const std::string&, int, double) override {}
};

// AsyncHyperBandScheduler: bracket s has rungs at grace_period * rf^(k + s) rounds below max_t;
// a trial reaching a rung it has not recorded a result at is stopped when its metric is below
// the rung's cutoff, the (1 - 1/rf) quantile (numpy's linear percentile) of the results recorded
// there so far, then its result is recorded. A trial reaching max_t is stopped (kFinish).
class AshaScheduler : public Scheduler {
 public:
  explicit AshaScheduler(const SchedulerOptions& options);
  SchedulerDecision OnResult(const std::string& trial, int iteration, double metric) override;
  void OnComplete(const std::string& trial, int iteration, double metric) override;
  // The milestones of bracket `b`, largest first (as Ray keeps them).
  std::vector<double> Milestones(int bracket) const;

 private:
  struct Rung {
    double milestone = 0;
    std::map<std::string, double> recorded;  // trial -> metric (maximized)
  };
  using Bracket = std::vector<Rung>;
  SchedulerDecision BracketResult(Bracket& bracket, const std::string& trial, int iteration,
                                  double reward) const;
  int BracketOf(const std::string& trial);

  SchedulerOptions options_;
  std::vector<Bracket> brackets_;
  std::map<std::string, int> bracket_of_;
  std::uint64_t trials_added_ = 0;
};

// MedianStoppingRule (hard stop): after grace_period rounds, a trial is stopped when its best
// result is worse than the median, over the other trials that reached this round (at least
// min_samples_required of them), of their mean result over rounds [grace_period, this round].
class MedianStoppingScheduler : public Scheduler {
 public:
  explicit MedianStoppingScheduler(const SchedulerOptions& options);
  SchedulerDecision OnResult(const std::string& trial, int iteration, double metric) override;
  void OnComplete(const std::string& trial, int iteration, double metric) override;

 private:
  struct Report {
    int iteration;
    double metric;
  };
  double RunningMean(const std::vector<Report>& reports, int iteration) const;

  SchedulerOptions options_;
  std::map<std::string, std::vector<Report>> results_;
  std::map<std::string, bool> stopped_;
};

// numpy.percentile(values, q) with its default linear interpolation; values not empty.
double Percentile(std::vector<double> values, double q);

}  // namespace scaleml::tune
