// exp and log1p on the ranges the logistic loss needs, written without branches or library
// calls so that loops over a block of rows vectorise (libm's calls dominate a data pass
// otherwise). Both are accurate to a few units in the last place of a double.
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>

namespace scaleml {

// e^x for x <= 0 (x below -700 gives e^-700, far below anything the loss can see).
inline double ExpNonPositive(double x) {
  constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  x = x < -700.0 ? -700.0 : x;
  const double shifted = x * 1.4426950408889634 + kRound;
  const double k = shifted - kRound;
  // r = x - k ln2 in two parts (Cody and Waite), |r| <= ln2 / 2.
  const double r = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
  // Taylor to r^13: the remainder is below 2e-16 relative on |r| <= 0.347.
  double poly = 1.0 / 6227020800.0;
  poly = poly * r + 1.0 / 479001600.0;
  poly = poly * r + 1.0 / 39916800.0;
  poly = poly * r + 1.0 / 3628800.0;
  poly = poly * r + 1.0 / 362880.0;
  poly = poly * r + 1.0 / 40320.0;
  poly = poly * r + 1.0 / 5040.0;
  poly = poly * r + 1.0 / 720.0;
  poly = poly * r + 1.0 / 120.0;
  poly = poly * r + 1.0 / 24.0;
  poly = poly * r + 1.0 / 6.0;
  poly = poly * r + 0.5;
  poly = poly * r + 1.0;
  poly = poly * r + 1.0;
  // 2^k from k's bits (the low mantissa bits of `shifted`), k >= -1010.
  const std::int64_t exponent =
      std::bit_cast<std::int64_t>(shifted) - std::bit_cast<std::int64_t>(kRound) + 1023;
  return poly * std::bit_cast<double>(exponent << 52);
}

// log(1 + e) for 0 <= e <= 1, as 2 atanh(s) with |s| <= 0.172 after halving 1 + e above sqrt(2).
inline double Log1pUnit(double e) {
  const bool halve = e > 0.41421356237309503;
  // One division of selected operands: a select between two divisions would not vectorise.
  const double s = (halve ? e - 1.0 : e) / (halve ? e + 3.0 : e + 2.0);
  const double s2 = s * s;
  // atanh(s) / s = sum s^2j / (2j + 1); s^2 <= 0.0295 makes j = 11 the last term that counts.
  double poly = 1.0 / 23.0;
  poly = poly * s2 + 1.0 / 21.0;
  poly = poly * s2 + 1.0 / 19.0;
  poly = poly * s2 + 1.0 / 17.0;
  poly = poly * s2 + 1.0 / 15.0;
  poly = poly * s2 + 1.0 / 13.0;
  poly = poly * s2 + 1.0 / 11.0;
  poly = poly * s2 + 1.0 / 9.0;
  poly = poly * s2 + 1.0 / 7.0;
  poly = poly * s2 + 1.0 / 5.0;
  poly = poly * s2 + 1.0 / 3.0;
  poly = poly * s2 + 1.0;
  return 2.0 * s * poly + (halve ? 0.6931471805599453 : 0.0);
}

}  // namespace scaleml
