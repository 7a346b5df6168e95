#include "algo/gbdt/FeatureBins.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "algo/gbdt/GlobalBins.h"
#include "comm/LocalComm.h"
#include "unit/gbdt/GbdtTestCategorical.h"

namespace scaleml {
namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

TEST(FeatureBins, EachKindBinsItsValues) {
  FeatureBins bins;
  const float bounds[] = {1.5f, kInfinity};
  bins.AddNumeric(bounds, false);
  bins.AddNumeric(bounds, true);
  const std::int32_t kept[] = {4, 0};
  bins.AddCategorical(6, kept);
  EXPECT_EQ(bins.bins(0), 2);
  EXPECT_EQ(bins.bins(1), 3);
  EXPECT_EQ(bins.bins(2), 3);
  EXPECT_EQ(bins.total_bins(), 8u);
  EXPECT_EQ(bins.offset(2), 5u);
  // Numeric without a missing bin: NaN shares bin 0 with the smallest values.
  EXPECT_EQ(bins.Bin(0, std::nanf("")), 0);
  EXPECT_EQ(bins.Bin(0, 1.0f), 0);
  EXPECT_EQ(bins.Bin(0, 2.0f), 1);
  // With a missing bin: NaN alone in bin 0, values behind it.
  EXPECT_EQ(bins.Bin(1, std::nanf("")), 0);
  EXPECT_EQ(bins.Bin(1, 1.0f), 1);
  EXPECT_EQ(bins.Bin(1, 2.0f), 2);
  EXPECT_EQ(bins.upper_bound(1, 1), 1.5f);
  // Categorical: kept codes in bins 1.., everything else in the "other" bin 0.
  EXPECT_EQ(bins.Bin(2, 4.0f), 1);
  EXPECT_EQ(bins.Bin(2, 0.0f), 2);
  EXPECT_EQ(bins.category(2, 1), 4);
  for (float other : {1.0f, 5.0f, 6.0f, 1e9f, -1.0f, std::nanf("")}) {
    EXPECT_EQ(bins.Bin(2, other), 0) << other;
  }
}

TEST(FeatureBins, KeptCategoriesAreTheMostFrequentTiesToTheLowerCode) {
  const std::int64_t counts[] = {5, 0, 9, 5, 1, 7};
  EXPECT_EQ(KeptCategories(counts, 255), (std::vector<std::int32_t>{2, 5, 0, 3, 4}));
  EXPECT_EQ(KeptCategories(counts, 4), (std::vector<std::int32_t>{2, 5, 0}));
}

TEST(FeatureBins, GlobalBinsGiveMissingBinsOnlyToFeaturesWithMissingTrainingRows) {
  Dataset data = testing::MakeCategoricalData(
      1000, 4, 1, [](std::size_t r, std::mt19937&) { return static_cast<float>(r % 3); },
      [](float, float) { return 0; });
  data.mutable_column(1)[10] = std::nanf("");
  LocalComm comm;
  FeatureBins bins = FindGlobalBins(data, {}, comm, 255, 200000, 0);
  EXPECT_EQ(bins.kind(0), BinKind::kCategorical);
  EXPECT_EQ(bins.bins(0), 4);  // codes 0..2 seen, code 3 not: "other" plus three
  EXPECT_EQ(bins.kind(1), BinKind::kNumericWithMissing);
  // Row 10 held out: no missing training value.
  std::vector<std::uint8_t> use_row(data.rows(), 1);
  use_row[10] = 0;
  EXPECT_EQ(FindGlobalBins(data, use_row, comm, 255, 200000, 0).kind(1), BinKind::kNumeric);
}

}  // namespace
}  // namespace scaleml
