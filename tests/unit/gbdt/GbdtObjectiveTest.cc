#include "algo/gbdt/GbdtObjective.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "algo/gbdt/BinnedMatrix.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

TEST(GbdtObjective, BinaryGradientsMatchTheLogisticFormulaForAnyRowCount) {
  // Scores over the whole range, including ones the exponential must clamp.
  std::vector<double> scores;
  std::vector<std::int32_t> labels;
  for (int i = 0; i < 203; ++i) {
    scores.push_back(-120.0 + 240.0 * i / 202.0 + (i % 3) * 0.37);
    labels.push_back(i % 2);
  }
  const GbdtObjective objective(GbdtObjective::Kind::kBinary, 2);
  std::vector<GradientPair> all(scores.size());
  objective.Gradients(scores, labels, all.data());
  for (std::size_t r = 0; r < scores.size(); ++r) {
    const double p = 1.0 / (1.0 + std::exp(-scores[r]));
    EXPECT_NEAR(all[r].g / kGradientScale, p - labels[r], 1e-6) << scores[r];
    EXPECT_NEAR(all[r].h / kGradientScale, p * (1 - p), 1e-6) << scores[r];
    EXPECT_GE(all[r].h, 1);
  }
  // A row's gradient does not depend on how many rows follow it (ranks end their rows anywhere).
  for (std::size_t n : {1u, 5u, 7u, 102u}) {
    std::vector<GradientPair> prefix(n);
    objective.Gradients(std::span<const double>(scores.data(), n),
                        std::span<const std::int32_t>(labels.data(), n), prefix.data());
    for (std::size_t r = 0; r < n; ++r) {
      EXPECT_EQ(prefix[r].g, all[r].g) << n;
      EXPECT_EQ(prefix[r].h, all[r].h) << n;
    }
  }
}

TEST(BinnedMatrix, ColumnCopyHoldsTheSameBins) {
  Dataset data = testing::MakeBlobs(1000, 3, 2, 2.0, 5);
  std::vector<std::vector<float>> samples(data.features());
  for (std::size_t f = 0; f < data.features(); ++f) {
    auto column = data.column(f);
    samples[f].assign(column.begin(), column.end());
  }
  const QuantileBins quantiles = QuantileBins::FromSamples(samples, 31);
  const FeatureBins bins(quantiles);
  const BinnedMatrix matrix(data, bins);
  for (std::size_t f = 0; f < data.features(); ++f) {
    for (std::size_t r = 0; r < data.rows(); ++r) {
      ASSERT_EQ(matrix.column(f)[r], matrix.at(r, f));
      ASSERT_EQ(matrix.at(r, f), quantiles.Bin(f, data.at(r, f)));
      ASSERT_EQ(matrix.at(r, f), bins.Bin(f, data.at(r, f)));
    }
  }
}

}  // namespace
}  // namespace scaleml
