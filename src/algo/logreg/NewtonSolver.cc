// Newton's method for LogisticObjective (see LogregSolver.h).
#include <algorithm>
#include <cmath>

#include "algo/logreg/LogregSolver.h"
#include "core/Log.h"

namespace scaleml {
namespace {

double MaxAbs(const std::vector<double>& values) {
  double out = 0.0;
  for (double v : values) out = std::max(out, std::fabs(v));
  return out;
}

// In-place Cholesky factorisation of a symmetric n x n matrix (lower triangle); false if it is
// not numerically positive definite.
bool Cholesky(std::vector<double>& a, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double diag = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) diag -= a[j * n + k] * a[j * n + k];
    if (!(diag > 0.0)) return false;
    const double root = std::sqrt(diag);
    a[j * n + j] = root;
    for (std::size_t i = j + 1; i < n; ++i) {
      double value = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) value -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = value / root;
    }
  }
  return true;
}

// Solves L L^T x = b with the factor from Cholesky().
std::vector<double> CholeskySolve(const std::vector<double>& l, std::size_t n,
                                  std::vector<double> b) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < i; ++k) b[i] -= l[i * n + k] * b[k];
    b[i] /= l[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t k = i + 1; k < n; ++k) b[i] -= l[k * n + i] * b[k];
    b[i] /= l[i * n + i];
  }
  return b;
}

// The Newton direction -H^{-1} g. `shift` lists parameters whose common shift leaves the loss
// unchanged (softmax intercepts): H is singular along that direction u, and g is orthogonal to
// it, so solving with H + c u u^T gives the same step within the subspace and no move along u.
std::vector<double> NewtonDirection(std::vector<double> hessian, const std::vector<double>& g,
                                    const std::vector<std::size_t>& shift) {
  const std::size_t n = g.size();
  double max_diag = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_diag = std::max(max_diag, hessian[i * n + i]);
  if (!(max_diag > 0.0)) max_diag = 1.0;
  for (std::size_t a : shift) {
    for (std::size_t b : shift) hessian[a * n + b] += max_diag / static_cast<double>(shift.size());
  }
  // Rounding can make a nearly singular Hessian indefinite: add a growing ridge until it factors.
  for (double ridge = 0.0;; ridge = ridge == 0.0 ? 1e-12 * max_diag : ridge * 100.0) {
    std::vector<double> factor = hessian;
    for (std::size_t i = 0; i < n; ++i) factor[i * n + i] += ridge;
    if (Cholesky(factor, n)) {
      std::vector<double> step = CholeskySolve(factor, n, g);
      for (double& s : step) s = -s;
      return step;
    }
    if (ridge > 1e6 * max_diag) {  // hopeless: fall back to steepest descent
      std::vector<double> step = g;
      for (double& s : step) s = -s / max_diag;
      return step;
    }
  }
}

}  // namespace

SolverResult MinimizeNewton(const LogisticObjective& objective, std::vector<double> start,
                            const SolverOptions& options, Comm& comm) {
  std::vector<std::size_t> shift;
  if (objective.vectors() > 1 && objective.fit_intercept()) {
    for (int m = 0; m < objective.vectors(); ++m) {
      shift.push_back(static_cast<std::size_t>(m) * objective.dim() + objective.dim() - 1);
    }
  }
  SolverResult result;
  result.weights = std::move(start);
  ObjectiveValue current;
  objective.Evaluate(result.weights, true, comm, &current);
  const std::size_t n = result.weights.size();
  // Near the optimum Newton's gradient shrinks quadratically, g' <= c g^2. `contraction` is the
  // largest c seen after full steps; when c g^2 is a hundred times below tol, the last step is
  // taken without another pass over the data to confirm it.
  double contraction = 0.0, previous_gradient = 0.0;
  bool previous_full_step = false;
  for (;;) {
    result.gradient_max = MaxAbs(current.gradient) / options.samples;
    LogDebug("logreg: Newton iteration ", result.iterations, " on ", options.samples,
             " rows: loss ", current.loss, ", largest mean gradient ", result.gradient_max);
    if (previous_full_step && previous_gradient > 0.0) {
      contraction =
          std::max(contraction, result.gradient_max / (previous_gradient * previous_gradient));
    }
    if (result.gradient_max <= options.tol) {
      result.converged = true;
      break;
    }
    if (result.iterations >= options.max_iter) break;
    ThrowIfCancelled(options);
    ++result.iterations;
    std::vector<double> direction = NewtonDirection(current.hessian, current.gradient, shift);
    const double predicted = contraction * result.gradient_max * result.gradient_max;
    if (contraction > 0.0 && predicted <= 0.01 * options.tol) {
      for (std::size_t j = 0; j < n; ++j) result.weights[j] += direction[j];
      result.gradient_max = predicted;
      result.converged = true;
      LogDebug("logreg: last Newton step taken; predicted largest mean gradient ", predicted);
      if (options.after_iteration) options.after_iteration(result.iterations, result.weights);
      break;
    }
    double slope = 0.0;
    for (std::size_t j = 0; j < n; ++j) slope += current.gradient[j] * direction[j];
    // Near the optimum the loss changes by less than its rounding: allow that much slack.
    const double slack = 1e-13 * std::fabs(current.loss);
    bool accepted = false;
    ObjectiveValue trial;
    std::vector<double> candidate(n);
    double t = 1.0;
    for (; t > 1e-10; t *= 0.5) {
      for (std::size_t j = 0; j < n; ++j) candidate[j] = result.weights[j] + t * direction[j];
      objective.Evaluate(candidate, true, comm, &trial);
      if (trial.loss <= current.loss + 1e-4 * t * slope + slack) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;  // no decrease possible at double precision: this is the optimum
    previous_full_step = t == 1.0;
    previous_gradient = result.gradient_max;
    result.weights = candidate;
    current = std::move(trial);
    if (options.after_iteration && !options.after_iteration(result.iterations, result.weights)) {
      result.stopped = true;
      break;
    }
  }
  if (!result.converged && !result.stopped) {
    LogWarning("logreg: Newton stopped after ", result.iterations, " iterations with gradient ",
               result.gradient_max, " above tol ", options.tol, " (raise max_iter or tol)");
  }
  return result;
}

}  // namespace scaleml
