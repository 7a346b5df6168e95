// The ziggurat normal sampler against the standard normal's known moments and tail masses, and
// the keyed row permutation: a bijection for every size.
#include "data/NormalSampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/RowPermutation.h"

namespace scaleml {
namespace {

double NormalTail(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }  // P(Z > x)

TEST(NormalSamplerTest, MomentsAndTailsMatchTheStandardNormal) {
  constexpr int kDraws = 2000000;
  Rng rng(12345);
  double sum = 0, sum2 = 0, sum4 = 0;
  const double edges[] = {0.5, 1.0, 2.0, 3.0, 3.6541528853610088, 4.0};
  std::vector<int> beyond(std::size(edges), 0);
  int negative = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = SampleNormal(rng);
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
    negative += x < 0;
    for (std::size_t e = 0; e < std::size(edges); ++e) beyond[e] += std::abs(x) > edges[e];
  }
  const double n = kDraws;
  EXPECT_NEAR(sum / n, 0.0, 0.003);       // sd of the mean: 0.0007
  EXPECT_NEAR(sum2 / n, 1.0, 0.005);      // sd: 0.001
  EXPECT_NEAR(sum4 / n, 3.0, 0.03);       // sd: 0.007
  EXPECT_NEAR(negative / n, 0.5, 0.002);  // sd: 0.00035
  for (std::size_t e = 0; e < std::size(edges); ++e) {
    const double expected = 2.0 * NormalTail(edges[e]) * n;
    // Within 5 standard deviations of the binomial count (plus one for tiny counts).
    EXPECT_NEAR(beyond[e], expected, 5.0 * std::sqrt(expected) + 1.0) << "|x| > " << edges[e];
  }
}

TEST(NormalSamplerTest, SameSeedSameSequence) {
  Rng a(7, 3), b(7, 3), c(7, 4);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = SampleNormal(a);
    EXPECT_EQ(x, SampleNormal(b));
    differs |= x != SampleNormal(c);
  }
  EXPECT_TRUE(differs);
}

TEST(RowPermutationTest, IsABijectionForEverySize) {
  for (std::uint64_t n : {1ull, 2ull, 3ull, 7ull, 64ull, 100ull, 1000ull, 4097ull, 300000ull}) {
    const RowPermutation permutation(n, 99 + n, true);
    std::vector<char> seen(n, 0);
    std::uint64_t fixed_points = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t j = permutation.At(i);
      ASSERT_LT(j, n);
      ASSERT_FALSE(seen[j]) << "n=" << n << " image " << j << " twice";
      seen[j] = 1;
      fixed_points += i == j;
    }
    // A random permutation has about one fixed point; a poor one would keep many.
    if (n >= 1000) {
      EXPECT_LT(fixed_points, 10u) << n;
    }
  }
}

TEST(RowPermutationTest, MixesNeighbours) {
  // Consecutive positions land far apart: successive rows of a chunk come from anywhere in it.
  const std::uint64_t n = 100000;
  const RowPermutation permutation(n, 5, true);
  std::uint64_t close = 0;
  for (std::uint64_t i = 1; i < n; ++i) {
    const auto a = permutation.At(i - 1), b = permutation.At(i);
    close += (a > b ? a - b : b - a) < 100;
  }
  EXPECT_LT(close, 400u);  // a uniform pair is within 100 with probability 0.002
  const RowPermutation identity(n, 5, false);
  for (std::uint64_t i = 0; i < n; i += 1000) EXPECT_EQ(identity.At(i), i);
}

}  // namespace
}  // namespace scaleml
