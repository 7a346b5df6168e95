// gbdt's parameters, with LightGBM's names and defaults. Thread-safety: a plain value.
#pragma once

#include <string>

#include "algo/ParamSchema.h"

namespace scaleml {

// The loss: auto is binary logloss for 2 classes and multiclass softmax otherwise. (GbdtObjective
// is the loss itself, in GbdtObjective.h.)
enum class GbdtObjectiveChoice { kAuto, kBinary, kMulticlass };
// With several ranks: every rank sums and searches all histograms (allreduce), or each its share
// (scatter).
enum class HistogramReduce { kAllreduce, kScatter };

struct GbdtParams {
  int num_iterations = 100;
  double learning_rate = 0.1;
  int num_leaves = 31;
  int max_depth = -1;
  int max_bin = 255;
  int min_data_in_leaf = 20;
  double min_sum_hessian_in_leaf = 1e-3;
  double lambda_l1 = 0.0;
  double lambda_l2 = 0.0;
  double min_gain_to_split = 0.0;
  double feature_fraction = 1.0;
  double bagging_fraction = 1.0;
  int bagging_freq = 0;
  int seed = 0;
  int early_stopping_round = 0;
  double validation_fraction = 0.1;
  GbdtObjectiveChoice objective = GbdtObjectiveChoice::kAuto;
  int bin_sample_count = 200000;
  bool exchange_rows = false;
  HistogramReduce histogram_reduce = HistogramReduce::kAllreduce;
  bool build_ahead = false;
  // Categorical features (LightGBM's names and defaults).
  int max_cat_to_onehot = 4;
  int max_cat_threshold = 32;
  double cat_l2 = 10.0;
  double cat_smooth = 10.0;
  int min_data_per_group = 100;
};

// The schema that parses and prints GbdtParams (GbdtParamSchema() is its untyped view).
const ParamSchema<GbdtParams>& GbdtSchema();

}  // namespace scaleml
