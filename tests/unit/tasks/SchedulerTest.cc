// Ray Tune's schedulers on hand-worked traces: fixed sequences of reports and the decisions Ray's
// AsyncHyperBandScheduler and MedianStoppingRule take on them (worked out in the comments).
#include <gtest/gtest.h>

#include "core/Error.h"
#include "engine/tune/Scheduler.h"

namespace scaleml::tune {
namespace {

constexpr auto kContinue = SchedulerDecision::kContinue;
constexpr auto kStop = SchedulerDecision::kStop;
constexpr auto kFinish = SchedulerDecision::kFinish;

SchedulerOptions Asha(int max_t, bool maximize = true) {
  SchedulerOptions options;
  options.kind = SchedulerKind::kAsha;
  options.max_t = max_t;
  options.maximize = maximize;
  return options;
}

TEST(PercentileTest, MatchesNumpyLinearInterpolation) {
  EXPECT_DOUBLE_EQ(Percentile({0.5}, 75), 0.5);
  EXPECT_DOUBLE_EQ(Percentile({0.6, 0.5}, 75), 0.575);      // 0.5 + 0.75 * 0.1
  EXPECT_DOUBLE_EQ(Percentile({0.4, 0.6, 0.5}, 75), 0.55);  // halfway between 0.5 and 0.6
  EXPECT_DOUBLE_EQ(Percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_DOUBLE_EQ(Percentile({1, 2, 3, 4, 5}, 75), 4);
}

TEST(AshaSchedulerTest, RungsAsRayPlacesThem) {
  // Ray's defaults: max_t 100, grace 1, rf 4: int(log(100)/log(4) + 1) = 4 rungs.
  EXPECT_EQ(AshaScheduler(Asha(100)).Milestones(0), (std::vector<double>{64, 16, 4, 1}));
  EXPECT_EQ(AshaScheduler(Asha(10)).Milestones(0), (std::vector<double>{4, 1}));
  SchedulerOptions options = Asha(200);
  options.grace_period = 10;
  options.reduction_factor = 3;
  options.brackets = 2;  // bracket s starts at grace * rf^s
  AshaScheduler asha(options);
  EXPECT_EQ(asha.Milestones(0), (std::vector<double>{90, 30, 10}));
  EXPECT_EQ(asha.Milestones(1), (std::vector<double>{90, 30}));
}

TEST(AshaSchedulerTest, CutsBelowTheRungQuantile) {
  AshaScheduler asha(Asha(10));                       // rungs at 4 and 1
  EXPECT_EQ(asha.OnResult("A", 1, 0.5), kContinue);   // first at rung 1: nothing to cut against
  EXPECT_EQ(asha.OnResult("B", 1, 0.6), kContinue);   // cutoff p75{0.5} = 0.5
  EXPECT_EQ(asha.OnResult("C", 1, 0.4), kStop);       // cutoff p75{0.5, 0.6} = 0.575
  EXPECT_EQ(asha.OnResult("A", 2, 0.55), kContinue);  // A already recorded at rung 1
  EXPECT_EQ(asha.OnResult("D", 1, 0.58), kContinue);  // cutoff p75{0.4, 0.5, 0.6} = 0.55
  EXPECT_EQ(asha.OnResult("A", 4, 0.7), kContinue);   // first at rung 4
  EXPECT_EQ(asha.OnResult("B", 4, 0.65), kStop);      // cutoff p75{0.7} = 0.7
  EXPECT_EQ(asha.OnResult("D", 5, 0.9), kContinue);   // passes rung 4 late: cutoff p75{.7,.65}
  EXPECT_EQ(asha.OnResult("A", 9, 0.8), kContinue);
  EXPECT_EQ(asha.OnResult("A", 10, 0.8), kFinish);  // max_t
}

TEST(AshaSchedulerTest, MinimizesWhenAsked) {
  AshaScheduler asha(Asha(10, /*maximize=*/false));  // logloss: lower is better
  EXPECT_EQ(asha.OnResult("A", 1, 0.5), kContinue);
  EXPECT_EQ(asha.OnResult("B", 1, 0.4), kContinue);
  EXPECT_EQ(asha.OnResult("C", 1, 0.6), kStop);  // -0.6 < p75{-0.5, -0.4} = -0.425
}

TEST(AshaSchedulerTest, CompletedTrialsSetTheBar) {
  AshaScheduler asha(Asha(10));
  asha.OnComplete("A", 4, 0.9);  // a trial that ended at round 4 is recorded at rung 4
  EXPECT_EQ(asha.OnResult("B", 1, 0.1), kContinue);
  EXPECT_EQ(asha.OnResult("B", 4, 0.8), kStop);
}

TEST(AshaSchedulerTest, RefusesBadParameters) {
  SchedulerOptions options = Asha(10);
  options.reduction_factor = 1;
  EXPECT_THROW(AshaScheduler{options}, Error);
  options = Asha(10);
  options.grace_period = 11;
  EXPECT_THROW(AshaScheduler{options}, Error);
  EXPECT_THROW(ParseSchedulerKind("hyperband"), Error);
  EXPECT_EQ(ParseSchedulerKind("median"), SchedulerKind::kMedian);
}

TEST(MedianStoppingTest, StopsBelowTheMedianOfRunningMeans) {
  SchedulerOptions options;
  options.kind = SchedulerKind::kMedian;
  options.grace_period = 1;
  options.min_samples_required = 3;
  MedianStoppingScheduler median(options);
  // A, B, C: too few other trials to compare with.
  const double a[] = {0.5, 0.6, 0.7}, b[] = {0.6, 0.6, 0.6}, c[] = {0.4, 0.5, 0.6};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(median.OnResult("A", i + 1, a[i]), kContinue);
    EXPECT_EQ(median.OnResult("B", i + 1, b[i]), kContinue);
    EXPECT_EQ(median.OnResult("C", i + 1, c[i]), kContinue);
  }
  // D at round 1: means over rounds [1, 1] of A, B, C: 0.5, 0.6, 0.4; median 0.5 > best 0.3.
  EXPECT_EQ(median.OnResult("D", 1, 0.3), kStop);
  EXPECT_EQ(median.OnResult("D", 2, 0.1), kContinue);  // stopped already: no second decision
  // E at round 1: A .5, B .6, C .4, D .3: median 0.45 < 0.55.
  EXPECT_EQ(median.OnResult("E", 1, 0.55), kContinue);
  // E at round 2: trials that reached round 2 (A, B, C), means over [1, 2]: .55 .6 .45: median
  // .55 < E's best .56.
  EXPECT_EQ(median.OnResult("E", 2, 0.56), kContinue);
  // F at round 1: A .5, B .6, C .4, D .3, E .55: median .5 > .45.
  EXPECT_EQ(median.OnResult("F", 1, 0.45), kStop);
}

TEST(MedianStoppingTest, WaitsForTheGracePeriodAndForSamples) {
  SchedulerOptions options;
  options.kind = SchedulerKind::kMedian;
  options.grace_period = 3;
  options.maximize = false;
  MedianStoppingScheduler median(options);
  for (const char* t : {"A", "B", "C"}) {
    for (int i = 1; i <= 3; ++i) median.OnResult(t, i, 0.2);
  }
  EXPECT_EQ(median.OnResult("D", 1, 0.9), kContinue);  // within the grace period
  EXPECT_EQ(median.OnResult("D", 2, 0.9), kContinue);
  EXPECT_EQ(median.OnResult("D", 3, 0.9), kStop);      // minimizing: 0.9 worse than median 0.2
  EXPECT_EQ(median.OnResult("E", 4, 0.9), kContinue);  // nobody else reached round 4
}

TEST(FifoSchedulerTest, NeverStops) {
  auto fifo = MakeScheduler({});
  for (int i = 1; i < 100; ++i) EXPECT_EQ(fifo->OnResult("A", i, -1e9), kContinue);
}

}  // namespace
}  // namespace scaleml::tune
