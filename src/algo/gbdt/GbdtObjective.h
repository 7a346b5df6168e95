// The losses gbdt boosts: binary logloss (one tree per round, raw score = log-odds) and
// multiclass softmax (one tree per class per round), with LightGBM's gradients, hessians and
// starting scores (boost_from_average: the log-odds or log-prior of the training labels).
// Scores are class-major: score of tree-class k for local row r at k * rows + r.
// Thread-safety: immutable; methods are const and use OpenMP inside.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algo/gbdt/Histogram.h"

namespace scaleml {

class GbdtObjective {
 public:
  enum class Kind : std::uint8_t { kBinary = 0, kMulticlass = 1 };

  GbdtObjective(Kind kind, int classes);

  Kind kind() const { return kind_; }
  // 1 for binary, the class count for multiclass.
  int trees_per_iteration() const { return kind_ == Kind::kBinary ? 1 : classes_; }

  // Starting raw score of each tree-class from global per-class training-row counts.
  std::vector<double> InitScores(std::span<const std::int64_t> class_counts) const;

  // Fixed-point gradients of every local row: out[k * rows + r].
  void Gradients(std::span<const double> scores, std::span<const std::int32_t> labels,
                 GradientPair* out) const;

  // Sum of the loss (logloss / multi-logloss) over the listed rows.
  double Loss(std::span<const double> scores, std::span<const std::int32_t> labels,
              std::span<const std::uint32_t> rows) const;

  // Class probabilities (classes values) of one row from its raw scores
  // (trees_per_iteration values).
  void Probabilities(const double* raw, float* out) const;

 private:
  Kind kind_;
  int classes_;
};

}  // namespace scaleml
