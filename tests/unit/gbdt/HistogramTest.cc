#include "algo/gbdt/Histogram.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <numeric>
#include <random>

#include "algo/gbdt/DataPartition.h"
#include "algo/gbdt/SplitFinder.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

struct Fixture {
  Dataset data = testing::MakeBlobs(70000, 3, 2, 2.0, 11);
  FeatureBins bins;
  std::vector<GradientPair> gradients;
  Fixture() {
    std::vector<std::vector<float>> samples(data.features());
    for (std::size_t f = 0; f < data.features(); ++f) {
      auto column = data.column(f);
      samples[f].assign(column.begin(), column.end());
    }
    bins = FeatureBins(QuantileBins::FromSamples(samples, 255));
    std::mt19937 rng(3);
    std::uniform_int_distribution<std::int32_t> g(-(1 << 30), 1 << 30), h(1, 1 << 29);
    for (std::size_t r = 0; r < data.rows(); ++r) gradients.push_back({g(rng), h(rng)});
  }
  std::vector<HistBin> Naive(const std::vector<std::uint32_t>& rows,
                             const std::vector<int>& features) const {
    std::vector<HistBin> hist(bins.total_bins());
    for (int f : features) {
      for (std::uint32_t r : rows) {
        HistBin& bin = hist[bins.offset(f) + bins.Bin(f, data.at(r, f))];
        bin.g += gradients[r].g;
        bin.h += gradients[r].h;
      }
    }
    return hist;
  }
  // Rows per bin, which histograms do not hold.
  std::vector<std::int64_t> Counts(const std::vector<std::uint32_t>& rows, int f) const {
    std::vector<std::int64_t> counts(bins.bins(f));
    for (std::uint32_t r : rows) ++counts[bins.Bin(f, data.at(r, f))];
    return counts;
  }
};

TEST(Histogram, MatchesNaiveSumsForAnyThreadCountAndRowList) {
  Fixture fx;
  BinnedMatrix matrix(fx.data, fx.bins);
  HistogramBuilder builder(matrix, fx.bins);
  std::vector<std::uint32_t> all(fx.data.rows()), some;
  std::iota(all.begin(), all.end(), 0u);
  for (std::uint32_t r = 0; r < all.size(); r += 3) some.push_back(r);
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 4}) {
    omp_set_num_threads(threads);
    for (const std::vector<int>& features : {std::vector<int>{0, 1, 2}, std::vector<int>{1}}) {
      std::vector<HistBin> out(fx.bins.total_bins());
      builder.Build(nullptr, all.size(), fx.gradients.data(), features, out.data());
      EXPECT_EQ(out, fx.Naive(all, features)) << threads << " threads";
      builder.Build(some.data(), some.size(), fx.gradients.data(), features, out.data());
      EXPECT_EQ(out, fx.Naive(some, features)) << threads << " threads";
    }
  }
  omp_set_num_threads(saved);
}

TEST(Histogram, PartitionAndSubtractionGiveTheSiblingExactly) {
  Fixture fx;
  BinnedMatrix matrix(fx.data, fx.bins);
  HistogramBuilder builder(matrix, fx.bins);
  std::vector<std::uint32_t> all(fx.data.rows());
  std::iota(all.begin(), all.end(), 0u);
  const std::vector<int> features = {0, 1, 2};
  DataPartition partition;
  partition.Init(all, 4);
  const int threshold = fx.bins.bins(1) / 3;
  std::size_t left = partition.Split(0, 1, matrix.row(0) + 1, matrix.features(), threshold);
  std::vector<std::uint32_t> expect_left, expect_right;
  for (std::uint32_t r : all) {
    (matrix.at(r, 1) <= threshold ? expect_left : expect_right).push_back(r);
  }
  ASSERT_EQ(left, expect_left.size());
  auto l = partition.rows(0), rr = partition.rows(1);
  EXPECT_EQ(std::vector<std::uint32_t>(l.begin(), l.end()), expect_left);  // stable
  EXPECT_EQ(std::vector<std::uint32_t>(rr.begin(), rr.end()), expect_right);

  std::vector<HistBin> parent(fx.bins.total_bins()), child(fx.bins.total_bins());
  builder.Build(nullptr, all.size(), fx.gradients.data(), features, parent.data());
  builder.Build(l.data(), l.size(), fx.gradients.data(), features, child.data());
  SubtractHistogram(parent.data(), child.data(), parent.size());
  EXPECT_EQ(parent, fx.Naive(expect_right, features));
}

TEST(SplitFinder, FindsTheBestGainByBruteForceAndHonoursConstraints) {
  Fixture fx;
  std::vector<std::uint32_t> all(fx.data.rows());
  std::iota(all.begin(), all.end(), 0u);
  // Gradients that depend on feature 2, so that it has the best split.
  for (std::uint32_t r : all) {
    fx.gradients[r].g = fx.data.at(r, 2) > 0.3f ? (1 << 28) : -(1 << 28);
  }
  const std::vector<int> features = {0, 1, 2};
  auto hist = fx.Naive(all, features);
  HistBin total;
  for (int b = 0; b < fx.bins.bins(0); ++b) total += hist[b];
  SplitConstraints c;
  c.lambda_l2 = 1.0;
  c.lambda_l1 = 0.5;
  const auto rows = static_cast<std::int64_t>(all.size());
  auto best = FindBestSplit(hist.data(), fx.bins, total, rows, features, c);
  ASSERT_TRUE(best.found());
  EXPECT_EQ(best.feature, 2);
  auto score = [&](const HistBin& s) {
    double g = s.g / kGradientScale, h = s.h / kGradientScale;
    double t = std::max(0.0, std::fabs(g) - c.lambda_l1);
    return t * t / (h + c.lambda_l2);
  };
  double brute = -1;
  std::int64_t best_left_rows = 0;
  for (int f : features) {
    HistBin left;
    const auto counts = fx.Counts(all, f);
    std::int64_t left_rows = 0;
    for (int b = 0; b + 1 < fx.bins.bins(f); ++b) {
      left += hist[fx.bins.offset(f) + b];
      left_rows += counts[b];
      HistBin right = total;
      right -= left;
      if (left_rows < c.min_data || rows - left_rows < c.min_data) continue;
      const double gain = score(left) + score(right) - score(total);
      if (gain > brute) {
        brute = gain;
        best_left_rows = left_rows;
      }
    }
  }
  EXPECT_NEAR(best.gain, brute, 1e-9 * std::fabs(brute));
  // Child counts are estimated from the hessian sums; these hessians are random, so only close.
  EXPECT_EQ(best.left_count + best.right_count, rows);
  EXPECT_NEAR(static_cast<double>(best.left_count), static_cast<double>(best_left_rows),
              0.05 * static_cast<double>(best_left_rows));
  // A leaf too small for two children of min_data rows cannot split.
  c.min_data = rows / 2 + 1;
  EXPECT_FALSE(FindBestSplit(hist.data(), fx.bins, total, rows, features, c).found());
  c.min_data = 20;
  c.min_gain = best.gain * 2;
  EXPECT_FALSE(FindBestSplit(hist.data(), fx.bins, total, rows, features, c).found());
}

}  // namespace
}  // namespace scaleml
