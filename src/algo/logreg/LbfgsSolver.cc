// L-BFGS for LogisticObjective (see LogregSolver.h): for many parameters, where the dense
// Hessian of Newton's method would be too large.
#include <algorithm>
#include <cmath>
#include <deque>

#include "algo/logreg/LogregSolver.h"
#include "core/Log.h"

namespace scaleml {
namespace {

constexpr std::size_t kHistory = 10;

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t j = 0; j < a.size(); ++j) sum += a[j] * b[j];
  return sum;
}

double MaxAbs(const std::vector<double>& values) {
  double out = 0.0;
  for (double v : values) out = std::max(out, std::fabs(v));
  return out;
}

struct CorrectionPair {
  std::vector<double> s, y;
  double rho;
};

// The two-loop recursion: -H g with H the L-BFGS inverse-Hessian estimate.
std::vector<double> SearchDirection(const std::deque<CorrectionPair>& history,
                                    const std::vector<double>& gradient) {
  std::vector<double> q = gradient;
  std::vector<double> alpha(history.size());
  for (std::size_t i = history.size(); i-- > 0;) {
    alpha[i] = history[i].rho * Dot(history[i].s, q);
    for (std::size_t j = 0; j < q.size(); ++j) q[j] -= alpha[i] * history[i].y[j];
  }
  if (!history.empty()) {
    const auto& last = history.back();
    const double gamma = Dot(last.s, last.y) / Dot(last.y, last.y);
    for (double& v : q) v *= gamma;
  }
  for (std::size_t i = 0; i < history.size(); ++i) {
    const double beta = history[i].rho * Dot(history[i].y, q);
    for (std::size_t j = 0; j < q.size(); ++j) q[j] += (alpha[i] - beta) * history[i].s[j];
  }
  for (double& v : q) v = -v;
  return q;
}

}  // namespace

SolverResult MinimizeLbfgs(const LogisticObjective& objective, std::vector<double> start,
                           const SolverOptions& options, Comm& comm) {
  SolverResult result;
  result.weights = std::move(start);
  const std::size_t n = result.weights.size();
  ObjectiveValue current;
  objective.Evaluate(result.weights, false, comm, &current);
  std::deque<CorrectionPair> history;
  for (;;) {
    result.gradient_max = MaxAbs(current.gradient) / options.samples;
    if (result.gradient_max <= options.tol) {
      result.converged = true;
      break;
    }
    if (result.iterations >= options.max_iter) break;
    ThrowIfCancelled(options);
    ++result.iterations;
    std::vector<double> direction = SearchDirection(history, current.gradient);
    double slope = Dot(current.gradient, direction);
    if (!(slope < 0.0)) {  // lost descent: restart from steepest descent
      history.clear();
      direction = current.gradient;
      for (double& v : direction) v = -v;
      slope = -Dot(current.gradient, current.gradient);
    }
    // The first step has no curvature estimate: scale it to a unit move.
    double t = history.empty() ? std::min(1.0, 1.0 / std::sqrt(-slope)) : 1.0;
    const double slack = 1e-13 * std::fabs(current.loss);
    bool accepted = false;
    ObjectiveValue trial;
    std::vector<double> candidate(n);
    for (; t > 1e-12; t *= 0.5) {
      for (std::size_t j = 0; j < n; ++j) candidate[j] = result.weights[j] + t * direction[j];
      objective.Evaluate(candidate, false, comm, &trial);
      if (trial.loss <= current.loss + 1e-4 * t * slope + slack) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    CorrectionPair pair;
    pair.s.resize(n);
    pair.y.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
      pair.s[j] = candidate[j] - result.weights[j];
      pair.y[j] = trial.gradient[j] - current.gradient[j];
    }
    const double sy = Dot(pair.s, pair.y);
    if (sy > 1e-12 * Dot(pair.y, pair.y)) {  // keep the estimate positive definite
      pair.rho = 1.0 / sy;
      history.push_back(std::move(pair));
      if (history.size() > kHistory) history.pop_front();
    }
    result.weights = std::move(candidate);
    current = std::move(trial);
    if (options.after_iteration && !options.after_iteration(result.iterations, result.weights)) {
      result.stopped = true;
      break;
    }
  }
  if (!result.converged && !result.stopped) {
    LogWarning("logreg: L-BFGS stopped after ", result.iterations, " iterations with gradient ",
               result.gradient_max, " above tol ", options.tol, " (raise max_iter or tol)");
  }
  return result;
}

}  // namespace scaleml
