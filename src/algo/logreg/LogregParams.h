// Logistic-regression parameters with scikit-learn's LogisticRegression defaults (L2, C=1.0,
// intercept, multi_class auto), and their schema. `tol` is tighter than scikit-learn's 1e-4
// because Newton's method gets to 1e-8 in one or two more passes, which puts the coefficients
// on scikit-learn's own optimum. Thread-safety: plain values; the schema is immutable once built.
#pragma once

#include <string>

#include "algo/ParamSchema.h"

namespace scaleml {

// How the classes are modelled: auto is a sigmoid for 2 classes and a softmax for more.
enum class LogregMultiClass { kAuto, kMultinomial, kOvr };
// auto: Newton up to kNewtonMaxParameters, L-BFGS above.
enum class LogregSolver { kAuto, kNewton, kLbfgs };

struct LogregParams {
  double C = 1.0;
  int max_iter = 100;
  double tol = 1e-8;
  bool fit_intercept = true;
  LogregMultiClass multi_class = LogregMultiClass::kAuto;
  LogregSolver solver = LogregSolver::kAuto;
  bool sample_start = true;  // Newton on large data starts from a row sample's optimum
  // Categorical features are one-hot encoded inside the model (algo/FeatureEncoder.h); categories
  // seen fewer than min_frequency times share one column (OneHotEncoder's min_frequency).
  int min_frequency = 1;
  // Off by default: scikit-learn's LogisticRegression does not scale, the L2 penalty depends on
  // the columns' scale, so scaling would change every existing model (and parity with it).
  bool standardize = false;
};

// Above this many parameters (classes x (features + 1)) `auto` switches from Newton to L-BFGS.
inline constexpr int kNewtonMaxParameters = 200;

const ParamSchema<LogregParams>& LogregSchema();

}  // namespace scaleml
