// Minimisers of a LogisticObjective: Newton's method with an exact Hessian (few parameters: the
// Hessian is small and Newton reaches the optimum to machine precision in about ten passes) and
// L-BFGS for many parameters (where the Hessian would not fit). Both are collective: every rank
// runs the same iterations on the same allreduced values, so all end with identical weights.
// Thread-safety: the functions are reentrant; each call uses its own Comm.
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "algo/logreg/LogisticObjective.h"
#include "comm/Comm.h"
#include "core/Error.h"

namespace scaleml {

struct SolverOptions {
  int max_iter = 100;
  // Stop when every component of the gradient of the mean objective (loss / samples) is at most
  // tol in absolute value.
  double tol = 1e-8;
  double samples = 1.0;  // rows over all ranks
  // Called after each iteration's accepted step with the iteration (1-based) and the weights;
  // false stops the solver there (a monitor's kStop). Empty: not called.
  std::function<bool(int iteration, const std::vector<double>& weights)> after_iteration;
  // Classifier::set_cancel_flag's flag: once set, the solver throws at its next iteration (a
  // pass over the rows). Null: never.
  const std::atomic<bool>* cancel = nullptr;
};

inline void ThrowIfCancelled(const SolverOptions& options) {
  if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
    throw Failure("logreg: fit cancelled");
  }
}

struct SolverResult {
  std::vector<double> weights;
  int iterations = 0;
  bool converged = false;
  // Of the mean objective at the returned weights; after a final Newton step taken without a
  // confirming pass, the quadratic-convergence prediction (a hundred times below tol).
  double gradient_max = 0.0;
  bool stopped = false;  // after_iteration returned false
};

// Newton with a backtracking (Armijo) line search. For a softmax with intercepts the intercepts
// are only defined up to a common shift: steps are kept in the subspace where they sum to zero,
// as scikit-learn's L-BFGS from zero keeps them.
SolverResult MinimizeNewton(const LogisticObjective& objective, std::vector<double> start,
                            const SolverOptions& options, Comm& comm);

// Limited-memory BFGS (ten pairs) with a backtracking line search.
SolverResult MinimizeLbfgs(const LogisticObjective& objective, std::vector<double> start,
                           const SolverOptions& options, Comm& comm);

}  // namespace scaleml
