// The L2-regularised logistic loss of scikit-learn's LogisticRegression, evaluated over the rows a
// rank holds and summed over all ranks: sum_i log-loss_i + 0.5 / C * ||w||^2, the intercepts not
// penalised. One data pass gives the loss, its gradient and (optionally) its Hessian; each is a
// plain sum over rows, so a single allreduce of one packed buffer makes every rank see the
// global values, whatever the partitioning.
//
// Parameter layout: `vectors` blocks of `dim` values, each the weights of the features in order
// and then the intercept (when fit). One vector is the binary sigmoid model (rows whose code
// equals `positive` are the positives); two or more are a softmax over classes 0..vectors-1.
// Thread-safety: an objective is immutable after construction; Evaluate is collective (the
// rank's thread) and uses OpenMP internally with omp_get_max_threads() threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

struct ObjectiveValue {
  double loss = 0.0;
  std::vector<double> gradient;  // size()
  std::vector<double> hessian;   // size() x size(), row-major; empty unless asked for
};

class LogisticObjective {
 public:
  // `codes` are class indices per row of `data` (0..classes-1); `l2` is 1 / C.
  LogisticObjective(const Dataset& data, std::span<const std::int32_t> codes, int vectors,
                    int positive, bool fit_intercept, double l2);

  int vectors() const { return vectors_; }
  int dim() const { return dim_; }
  std::size_t size() const { return static_cast<std::size_t>(vectors_) * dim_; }
  bool fit_intercept() const { return fit_intercept_; }

  // Loss, gradient and, if `with_hessian`, the Hessian at `w`, summed over all ranks of `comm`.
  // Deterministic for a partitioning, whatever the thread count.
  void Evaluate(std::span<const double> w, bool with_hessian, Comm& comm,
                ObjectiveValue* out) const;

 private:
  struct Accumulator;
  void AccumulateBlock(std::span<const double> w, std::size_t begin, std::size_t end,
                       bool with_hessian, Accumulator& acc) const;

  const Dataset& data_;
  std::span<const std::int32_t> codes_;
  int vectors_;
  int positive_;
  bool fit_intercept_;
  double l2_;
  int features_;
  int dim_;
};

}  // namespace scaleml
