#include "data/QuantileBins.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/Error.h"

namespace scaleml {
namespace {

TEST(QuantileBins, FewDistinctValuesGetOneBinEach) {
  auto bins = QuantileBins::FromSamples({{3.f, 1.f, 2.f, 2.f, 1.f, 3.f, 3.f}}, 255);
  ASSERT_EQ(bins.bins(0), 3);
  EXPECT_EQ(bins.Bin(0, 1.f), 0);
  EXPECT_EQ(bins.Bin(0, 2.f), 1);
  EXPECT_EQ(bins.Bin(0, 3.f), 2);
  // Unseen values fall to the nearer side of the midpoint.
  EXPECT_EQ(bins.Bin(0, 1.4f), 0);
  EXPECT_EQ(bins.Bin(0, 1.6f), 1);
  EXPECT_EQ(bins.Bin(0, -100.f), 0);
  EXPECT_EQ(bins.Bin(0, 100.f), 2);
  EXPECT_EQ(bins.Bin(0, std::numeric_limits<float>::infinity()), 2);
  EXPECT_EQ(bins.Bin(0, std::nanf("")), 0);
}

TEST(QuantileBins, ManyValuesGiveAtMostMaxBinRoughlyEqualBins) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> values(20000);
  for (auto& v : values) v = normal(rng);
  auto bins = QuantileBins::FromSamples({values}, 64);
  ASSERT_EQ(bins.bins(0), 64);
  std::vector<int> counts(64, 0);
  for (float v : values) ++counts[bins.Bin(0, v)];
  for (int c : counts) {
    EXPECT_GT(c, 20000 / 64 / 2);
    EXPECT_LT(c, 20000 / 64 * 2);
  }
  // Every value is in the first bin whose upper bound is >= it.
  auto bounds = bins.upper_bounds(0);
  for (float v : values) {
    int b = bins.Bin(0, v);
    EXPECT_LE(v, bounds[b]);
    if (b > 0) {
      EXPECT_GT(v, bounds[b - 1]);
    }
  }
}

TEST(QuantileBins, HeavyValueGetsItsOwnBinAndOrderDoesNotMatter) {
  std::vector<float> values;
  for (int i = 0; i < 5000; ++i) values.push_back(0.f);  // half the sample is one value
  for (int i = 0; i < 5000; ++i) values.push_back(static_cast<float>(i + 1));
  auto bins = QuantileBins::FromSamples({values}, 16);
  EXPECT_LE(bins.bins(0), 16);
  EXPECT_EQ(bins.Bin(0, 0.f), 0);
  EXPECT_EQ(bins.Bin(0, 1.f), 1);
  std::vector<float> reversed(values.rbegin(), values.rend());
  auto again = QuantileBins::FromSamples({reversed}, 16);
  ASSERT_EQ(again.bins(0), bins.bins(0));
  for (int b = 0; b < bins.bins(0); ++b) EXPECT_EQ(again.upper_bound(0, b), bins.upper_bound(0, b));
}

TEST(QuantileBins, ConstantAndEmptyFeaturesHaveOneBin) {
  auto bins = QuantileBins::FromSamples({{5.f, 5.f}, {}, {std::nanf("")}}, 255);
  EXPECT_EQ(bins.features(), 3u);
  for (std::size_t f = 0; f < 3; ++f) EXPECT_EQ(bins.bins(f), 1);
  EXPECT_EQ(bins.Bin(0, 7.f), 0);
  EXPECT_EQ(bins.total_bins(), 3u);
}

TEST(QuantileBins, RejectsBadMaxBin) {
  EXPECT_THROW(QuantileBins::FromSamples({{1.f}}, 1), Error);
  EXPECT_THROW(QuantileBins::FromSamples({{1.f}}, 257), Error);
}

}  // namespace
}  // namespace scaleml
