#include "algo/gbdt/GbdtObjective.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "algo/gbdt/Parallelism.h"

#if defined(__SSE4_1__)
#include <immintrin.h>
#endif

namespace scaleml {
namespace {

constexpr double kProbabilityFloor = 1e-15;

inline double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// e^x in float precision (1e-7 relative) without branches or library calls: expf was a third
// of the gradient pass. x is clamped to [-87, 87]. ExpFloat4 is the same on four lanes.
[[maybe_unused]] inline float ExpFloat(float x) {
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
  const float shifted = x * 1.44269504f + kRound;
  const float k = shifted - kRound;
  // r = x - k ln2 in two parts (Cody and Waite), |r| <= ln2 / 2.
  const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
  // Taylor to r^7: the remainder is below 1e-8 relative on |r| <= 0.347.
  float poly = 1.0f / 5040.0f;
  poly = poly * r + 1.0f / 720.0f;
  poly = poly * r + 1.0f / 120.0f;
  poly = poly * r + 1.0f / 24.0f;
  poly = poly * r + 1.0f / 6.0f;
  poly = poly * r + 0.5f;
  poly = poly * r + 1.0f;
  poly = poly * r + 1.0f;
  // 2^k from k's bits (the low mantissa bits of `shifted`), -126 <= k <= 126.
  const std::int32_t exponent =
      std::bit_cast<std::int32_t>(shifted) - std::bit_cast<std::int32_t>(kRound) + 127;
  return poly * std::bit_cast<float>(exponent << 23);
}

#if defined(__SSE4_1__)
inline __m128 ExpFloat4(__m128 x) {
  const __m128 round = _mm_set1_ps(12582912.0f);
  x = _mm_min_ps(_mm_max_ps(x, _mm_set1_ps(-87.0f)), _mm_set1_ps(87.0f));
  const __m128 shifted = _mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(1.44269504f)), round);
  const __m128 k = _mm_sub_ps(shifted, round);
  const __m128 r = _mm_add_ps(_mm_sub_ps(x, _mm_mul_ps(k, _mm_set1_ps(0.693359375f))),
                              _mm_mul_ps(k, _mm_set1_ps(2.12194440e-4f)));
  __m128 poly = _mm_set1_ps(1.0f / 5040.0f);
  for (float c : {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) {
    poly = _mm_add_ps(_mm_mul_ps(poly, r), _mm_set1_ps(c));
  }
  const __m128i exponent = _mm_add_epi32(
      _mm_sub_epi32(_mm_castps_si128(shifted), _mm_castps_si128(round)), _mm_set1_epi32(127));
  return _mm_mul_ps(poly, _mm_castsi128_ps(_mm_slli_epi32(exponent, 23)));
}
#endif

// Fixed-point pair; a hessian never rounds to 0 so that no leaf divides a gradient by nothing.
inline GradientPair Quantize(double g, double h) {
  g = std::clamp(g, -1.0, 1.0);
  h = std::clamp(h, 0.0, 1.0);
  // Round to nearest by hand: std::lrint is a library call unless math errno is off.
  auto gq = static_cast<std::int32_t>(g * kGradientScale + (g >= 0 ? 0.5 : -0.5));
  auto hq = static_cast<std::int32_t>(h * kGradientScale + 0.5);
  return {gq, std::max<std::int32_t>(hq, 1)};
}

// Binary logloss gradients of four rows in float precision (LightGBM keeps gradients as floats):
// p = sigmoid(score), g = p - y, h = p (1 - p), in fixed point truncated toward zero (a unit is
// 1e-9); p in [0, 1] keeps g in [-1, 1] and h in [0, 1/4]. A hessian is at least one unit.
inline void BinaryGradients4(const double* scores, const std::int32_t* labels, GradientPair* out) {
  const auto scale = static_cast<float>(kGradientScale);
#if defined(__SSE4_1__)
  const __m128 x = _mm_sub_ps(
      _mm_setzero_ps(),
      _mm_movelh_ps(_mm_cvtpd_ps(_mm_loadu_pd(scores)), _mm_cvtpd_ps(_mm_loadu_pd(scores + 2))));
  const __m128 e = ExpFloat4(x);
  const __m128 one = _mm_set1_ps(1.0f);
  const __m128 p = _mm_div_ps(one, _mm_add_ps(one, e));
  const __m128i is_one =
      _mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(labels)), _mm_set1_epi32(1));
  const __m128 g = _mm_sub_ps(p, _mm_and_ps(_mm_castsi128_ps(is_one), one));
  const __m128 h = _mm_mul_ps(p, _mm_sub_ps(one, p));
  const __m128i gq = _mm_cvttps_epi32(_mm_mul_ps(g, _mm_set1_ps(scale)));
  const __m128i hq =
      _mm_max_epi32(_mm_cvttps_epi32(_mm_mul_ps(h, _mm_set1_ps(scale))), _mm_set1_epi32(1));
  auto* dst = reinterpret_cast<__m128i*>(out);
  _mm_storeu_si128(dst, _mm_unpacklo_epi32(gq, hq));
  _mm_storeu_si128(dst + 1, _mm_unpackhi_epi32(gq, hq));
#else
  for (int j = 0; j < 4; ++j) {
    const float p = 1.0f / (1.0f + ExpFloat(0.0f - static_cast<float>(scores[j])));
    const float g = p - (labels[j] == 1 ? 1.0f : 0.0f);
    const float h = p * (1.0f - p);
    const auto hq = static_cast<std::int32_t>(h * scale);
    out[j] = {static_cast<std::int32_t>(g * scale), hq > 1 ? hq : 1};
  }
#endif
}

}  // namespace

GbdtObjective::GbdtObjective(Kind kind, int classes) : kind_(kind), classes_(classes) {}

std::vector<double> GbdtObjective::InitScores(std::span<const std::int64_t> class_counts) const {
  double total = 0;
  for (auto c : class_counts) total += static_cast<double>(c);
  auto prior = [&](std::size_t k) {
    return std::clamp(static_cast<double>(class_counts[k]) / std::max(total, 1.0),
                      kProbabilityFloor, 1.0 - kProbabilityFloor);
  };
  if (kind_ == Kind::kBinary) {
    const double p = prior(1);
    return {std::log(p / (1.0 - p))};
  }
  std::vector<double> init(classes_);
  for (int k = 0; k < classes_; ++k) init[k] = std::log(prior(k));
  return init;
}

void GbdtObjective::Gradients(std::span<const double> scores, std::span<const std::int32_t> labels,
                              GradientPair* out) const {
  const std::size_t rows = labels.size();
  const auto n = static_cast<std::int64_t>(rows);
  if (kind_ == Kind::kBinary) {
    // Groups of four rows; the last partial group goes through the same code on padded copies,
    // so a row's gradient does not depend on where the rank's rows end.
    const std::int32_t* labels_data = labels.data();
    const double* score_data = scores.data();
    const std::int64_t groups = n / 4;
#pragma omp parallel for schedule(static) if (n >= kParallelMinRows)
    for (std::int64_t i = 0; i < groups; ++i) {
      BinaryGradients4(score_data + 4 * i, labels_data + 4 * i, out + 4 * i);
    }
    const std::int64_t done = groups * 4;
    if (done < n) {
      double tail_scores[4] = {0, 0, 0, 0};
      std::int32_t tail_labels[4] = {0, 0, 0, 0};
      GradientPair tail_out[4];
      std::copy(score_data + done, score_data + n, tail_scores);
      std::copy(labels_data + done, labels_data + n, tail_labels);
      BinaryGradients4(tail_scores, tail_labels, tail_out);
      std::copy(tail_out, tail_out + (n - done), out + done);
    }
    return;
  }
  const int k_count = classes_;
  // LightGBM scales softmax hessians by K / (K - 1).
  const double factor = static_cast<double>(k_count) / (k_count - 1);
#pragma omp parallel if (n >= kParallelMinRows)
  {
    std::vector<double> p(k_count);
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < n; ++r) {
      double top = scores[r];
      for (int k = 1; k < k_count; ++k) top = std::max(top, scores[k * rows + r]);
      double sum = 0;
      for (int k = 0; k < k_count; ++k) sum += p[k] = std::exp(scores[k * rows + r] - top);
      for (int k = 0; k < k_count; ++k) {
        const double pk = p[k] / sum;
        out[k * rows + r] = Quantize(pk - (labels[r] == k ? 1.0 : 0.0), factor * pk * (1.0 - pk));
      }
    }
  }
}

double GbdtObjective::Loss(std::span<const double> scores, std::span<const std::int32_t> labels,
                           std::span<const std::uint32_t> rows) const {
  const std::size_t n_rows = labels.size();
  const auto n = static_cast<std::int64_t>(rows.size());
  double loss = 0;
  if (kind_ == Kind::kBinary) {
#pragma omp parallel for schedule(static) reduction(+ : loss) if (n >= kParallelMinRows)
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint32_t r = rows[i];
      const double p = std::clamp(Sigmoid(scores[r]), kProbabilityFloor, 1 - kProbabilityFloor);
      loss -= labels[r] == 1 ? std::log(p) : std::log(1 - p);
    }
    return loss;
  }
  const int k_count = classes_;
#pragma omp parallel for schedule(static) reduction(+ : loss) if (n >= kParallelMinRows)
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t r = rows[i];
    double top = scores[r];
    for (int k = 1; k < k_count; ++k) top = std::max(top, scores[k * n_rows + r]);
    double sum = 0;
    for (int k = 0; k < k_count; ++k) sum += std::exp(scores[k * n_rows + r] - top);
    const double log_p = scores[labels[r] * n_rows + r] - top - std::log(sum);
    loss -= std::max(log_p, std::log(kProbabilityFloor));
  }
  return loss;
}

void GbdtObjective::Probabilities(const double* raw, float* out) const {
  if (kind_ == Kind::kBinary) {
    const double p = Sigmoid(raw[0]);
    out[0] = static_cast<float>(1.0 - p);
    out[1] = static_cast<float>(p);
    return;
  }
  double top = raw[0];
  for (int k = 1; k < classes_; ++k) top = std::max(top, raw[k]);
  double sum = 0;
  for (int k = 0; k < classes_; ++k) sum += std::exp(raw[k] - top);
  for (int k = 0; k < classes_; ++k) out[k] = static_cast<float>(std::exp(raw[k] - top) / sum);
}

}  // namespace scaleml
