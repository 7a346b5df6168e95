#include "algo/gbdt/GbdtObjective.h"

#include <algorithm>
#include <cmath>

#include "algo/gbdt/Parallelism.h"

namespace scaleml {
namespace {

constexpr double kProbabilityFloor = 1e-15;

inline double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Fixed-point pair; a hessian never rounds to 0 so that no leaf divides a gradient by nothing.
inline GradientPair Quantize(double g, double h) {
  g = std::clamp(g, -1.0, 1.0);
  h = std::clamp(h, 0.0, 1.0);
  // Round to nearest by hand: std::lrint is a library call unless math errno is off.
  auto gq = static_cast<std::int32_t>(g * kGradientScale + (g >= 0 ? 0.5 : -0.5));
  auto hq = static_cast<std::int32_t>(h * kGradientScale + 0.5);
  return {gq, std::max<std::int32_t>(hq, 1)};
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
    // Float math in blocks: gradients need float precision (LightGBM stores them as floats), so
    // expf will do, and the arithmetic after it vectorises.
    constexpr std::int64_t kBlock = 256;
    const auto labels_data = labels.data();
    const double* score_data = scores.data();
#pragma omp parallel for schedule(static) if (n >= kParallelMinRows)
    for (std::int64_t begin = 0; begin < n; begin += kBlock) {
      const std::int64_t count = std::min(kBlock, n - begin);
      float e[kBlock];
      for (std::int64_t j = 0; j < count; ++j) {
        e[j] = std::exp(-static_cast<float>(score_data[begin + j]));
      }
      const auto scale = static_cast<float>(kGradientScale);
      for (std::int64_t j = 0; j < count; ++j) {
        const float p = 1.0f / (1.0f + e[j]);
        const float g = p - (labels_data[begin + j] == 1 ? 1.0f : 0.0f);
        const float h = p * (1.0f - p);
        // p is in [0, 1], so g in [-1, 1] and h in [0, 1/4] fit without clamping (branches here
        // would stop the loop from vectorising). Truncation toward zero; a unit is 1e-9.
        const std::int32_t hq = static_cast<std::int32_t>(h * scale);
        out[begin + j].g = static_cast<std::int32_t>(g * scale);
        out[begin + j].h = hq > 1 ? hq : 1;
      }
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
