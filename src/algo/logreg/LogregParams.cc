#include "algo/logreg/LogregParams.h"

namespace scaleml {

const ParamSchema<LogregParams>& LogregSchema() {
  // Built in place: the schema's setters refer to the schema object itself.
  static ParamSchema<LogregParams> schema("logreg");
  static const bool built = [] {
    schema
        .Double("C", &LogregParams::C, 1e-12, 1e12,
                "inverse L2 strength: loss sum + 0.5 / C * ||w||^2 (intercept not penalised)")
        .Int("max_iter", &LogregParams::max_iter, 1, 1000000, "most solver iterations")
        .Double("tol", &LogregParams::tol, 0.0, 1.0,
                "stop when the mean objective's largest gradient component is below this")
        .Bool("fit_intercept", &LogregParams::fit_intercept, "fit an unpenalised intercept")
        .Choice("multi_class", &LogregParams::multi_class,
                {{"auto", LogregMultiClass::kAuto},
                 {"multinomial", LogregMultiClass::kMultinomial},
                 {"ovr", LogregMultiClass::kOvr}},
                "auto: sigmoid for 2 classes, softmax for more; ovr: one sigmoid per class")
        .Choice("solver", &LogregParams::solver,
                {{"auto", LogregSolver::kAuto},
                 {"newton", LogregSolver::kNewton},
                 {"lbfgs", LogregSolver::kLbfgs}},
                "auto: Newton (exact Hessian) up to 200 parameters, L-BFGS above")
        .Bool("sample_start", &LogregParams::sample_start,
              "on 262144+ rows, start Newton from the optimum of a 1/16 row sample (same result)")
        .Int("min_frequency", &LogregParams::min_frequency, 1, 1000000000,
             "categorical features are one-hot encoded; categories seen fewer times share one "
             "column (missing and unseen ones: all zeros); numeric NaN becomes the training mean")
        .Bool("standardize", &LogregParams::standardize,
              "scale numeric columns to zero mean, unit variance (off: as scikit-learn's "
              "LogisticRegression, whose penalty sees the columns' own scale)")
        .Alias("c", "C")
        .Alias("max_iterations", "max_iter");
    return true;
  }();
  (void)built;
  return schema;
}

}  // namespace scaleml
