#include "algo/Classifier.h"

#include <algorithm>
#include <cmath>

#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {

std::vector<std::int32_t> Classifier::Predict(const Dataset& data, Comm& comm) const {
  return ArgmaxLabels(PredictProba(data, comm), classes_);
}

std::vector<std::int32_t> GlobalClasses(const Dataset& data, Comm& comm) {
  std::vector<std::int32_t> local = data.Classes();
  std::vector<std::int32_t> all =
      AllgatherConcat<std::int32_t>(comm, std::span<const std::int32_t>(local));
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.size() < 2) {
    throw InputError("training data has ", all.size(), " class(es) in column '", data.target_name(),
                     "'; a classifier needs at least two");
  }
  return all;
}

std::vector<std::int32_t> EncodeLabels(const Dataset& data,
                                       const std::vector<std::int32_t>& classes) {
  std::vector<std::int32_t> codes(data.rows());
  auto labels = data.labels();
  // Labels are usually 0..C-1: a direct table avoids a search per row.
  const bool dense = classes.front() == 0 && classes.back() == static_cast<int>(classes.size()) - 1;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (dense) {
      codes[r] = labels[r];
    } else {
      auto it = std::lower_bound(classes.begin(), classes.end(), labels[r]);
      codes[r] = static_cast<std::int32_t>(it - classes.begin());
    }
  }
  return codes;
}

void Classifier::ThrowIfCancelled() const {
  if (cancel_requested()) throw Failure(name(), ": fit cancelled");
}

void FitModel(Classifier& model, const Dataset& train, Comm& comm) {
  model.set_schema(train.schema(), train.feature_names());
  model.Fit(train, comm);
}

namespace {

// The collective check behind CheckFinite and CheckNotInfinite.
template <class IsBad>
void CheckValues(const Dataset& data, const char* algorithm, const char* what, const char* values,
                 IsBad is_bad, Comm& comm) {
  std::string problem;
  for (std::size_t f = 0; f < data.features() && problem.empty(); ++f) {
    const auto column = data.column(f);
    for (std::size_t r = 0; r < column.size(); ++r) {
      if (is_bad(column[r])) {
        problem = StrCat(algorithm, ": ", what, " row ", data.row_ids()[r], " has a ", values,
                         " value in feature '", data.feature_names()[f], "'");
        break;
      }
    }
  }
  if (AllreduceValue(comm, problem.empty() ? 0 : 1, ReduceOp::kMax) == 0) return;
  if (problem.empty()) {
    problem = StrCat(algorithm, ": another rank's ", what, " rows have ", values, " values");
  }
  throw InputError(problem);
}

}  // namespace

void CheckFinite(const Dataset& data, const char* algorithm, const char* what, Comm& comm) {
  CheckValues(
      data, algorithm, what, "missing or infinite", [](float v) { return !std::isfinite(v); },
      comm);
}

void CheckNotInfinite(const Dataset& data, const char* algorithm, const char* what, Comm& comm) {
  CheckValues(
      data, algorithm, what, "infinite", [](float v) { return std::isinf(v); }, comm);
}

std::vector<std::int32_t> ArgmaxLabels(const std::vector<float>& proba,
                                       const std::vector<std::int32_t>& classes) {
  const std::size_t k = classes.size();
  const std::size_t rows = k == 0 ? 0 : proba.size() / k;
  std::vector<std::int32_t> out(rows);
  // Few rows: waking the thread team costs more than the loop (a one-row predict).
#pragma omp parallel for schedule(static) if (rows >= 4096)
  for (std::size_t r = 0; r < rows; ++r) {
    const float* p = proba.data() + r * k;
    std::size_t best = 0;
    for (std::size_t c = 1; c < k; ++c) {
      if (p[c] > p[best]) best = c;
    }
    out[r] = classes[best];
  }
  return out;
}

}  // namespace scaleml
