// The branch-free exp and log1p of the logistic loss against the C library.
#include <gtest/gtest.h>

#include <cmath>

#include "algo/logreg/FastMath.h"

namespace scaleml {
namespace {

TEST(FastMathTest, ExpMatchesLibmOnNonPositiveArguments) {
  double worst = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const double x = -699.0 * i / 200000.0 - 1e-9 * (i % 7);
    worst = std::max(worst, std::fabs(ExpNonPositive(x) - std::exp(x)) / std::exp(x));
  }
  EXPECT_LE(worst, 6e-16);
  EXPECT_EQ(ExpNonPositive(0.0), 1.0);
  EXPECT_GE(ExpNonPositive(-1e6), 0.0);  // clamped, not garbage
  EXPECT_LE(ExpNonPositive(-1e6), 1e-300);
}

TEST(FastMathTest, Log1pMatchesLibmOnTheUnitInterval) {
  double worst = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const double e = i / 200000.0;
    const double expected = std::log1p(e);
    if (expected > 0) worst = std::max(worst, std::fabs(Log1pUnit(e) - expected) / expected);
  }
  EXPECT_LE(worst, 6e-16);
  EXPECT_EQ(Log1pUnit(0.0), 0.0);
  EXPECT_NEAR(Log1pUnit(1e-300), 1e-300, 1e-315);
}

}  // namespace
}  // namespace scaleml
