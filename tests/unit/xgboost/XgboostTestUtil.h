// Helpers shared by the xgboost tests.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algo/AlgorithmFactories.h"
#include "algo/xgboost/XgboostClassifier.h"
#include "comm/LocalComm.h"
#include "data/Dataset.h"

namespace scaleml::testing {

inline double Accuracy(const std::vector<std::int32_t>& predicted, const Dataset& data) {
  auto labels = data.labels();
  std::size_t right = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) right += predicted[r] == labels[r];
  return data.rows() ? static_cast<double>(right) / data.rows() : 0.0;
}

// One thread unless the test asks for more: on a loaded machine OpenMP barriers of small fits
// wait for descheduled threads, and the suite runs tests side by side.
inline std::unique_ptr<Classifier> FitXgboost(const Dataset& train, ParamMap params = {}) {
  params.try_emplace("nthread", "1");
  auto model = MakeXgboostClassifier(params);
  LocalComm comm;
  model->Fit(train, comm);
  return model;
}

}  // namespace scaleml::testing
