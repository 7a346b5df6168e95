// XGBClassifier's hyperparameters with the Python package's defaults (XGBoost 1.7), except
// tree_method, which defaults to hist (1.7's own default picks exact below 4M rows, which is
// 25x slower on the paper's data). Thread-safety: plain values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "algo/ParamSchema.h"

namespace scaleml {

enum class XgboostBooster { kGbtree, kDart, kGblinear };
enum class XgboostTreeMethod { kHist, kApprox, kExact };
// auto: binary:logistic for two classes, multi:softprob otherwise.
enum class XgboostObjectiveChoice { kAuto, kBinaryLogistic, kMultiSoftprob };

// libxgboost's spelling of each ("gbtree", "hist", "binary:logistic"; "auto" for kAuto).
const char* XgboostName(XgboostBooster booster);
const char* XgboostName(XgboostTreeMethod method);
const char* XgboostName(XgboostObjectiveChoice objective);

struct XgboostParams {
  int n_estimators = 100;
  int max_depth = 6;
  double learning_rate = 0.3;
  XgboostBooster booster = XgboostBooster::kGbtree;
  XgboostTreeMethod tree_method = XgboostTreeMethod::kHist;
  int max_bin = 256;
  std::string grow_policy = "depthwise";
  int max_leaves = 0;
  double min_child_weight = 1.0;
  double max_delta_step = 0.0;
  double subsample = 1.0;
  std::string sampling_method = "uniform";
  double colsample_bytree = 1.0;
  double colsample_bylevel = 1.0;
  double colsample_bynode = 1.0;
  double reg_lambda = 1.0;
  double reg_alpha = 0.0;
  double gamma = 0.0;
  double scale_pos_weight = 1.0;
  double base_score = 0.5;
  int num_parallel_tree = 1;
  XgboostObjectiveChoice objective = XgboostObjectiveChoice::kAuto;
  int seed = 0;
  int nthread = 0;  // 0: omp_get_max_threads() at the time of the call
  int verbosity = 1;
  // Categorical features (data/Schema.h) are split on natively, as XGBClassifier with
  // enable_categorical=True on pandas categories (feature type "c"); false: their codes are
  // treated as numbers.
  bool enable_categorical = true;
  // Categorical features with fewer categories than this are split one-vs-rest, others by
  // partitions (XGBoost 1.7's default).
  int max_cat_to_onehot = 4;
  // Not XGBoost's: across ranks, how long rank 0's rabit tracker waits for every rank to join,
  // and how long rabit waits on a peer during training.
  double tracker_timeout_s = 300.0;
};

const ParamSchema<XgboostParams>& XgboostSchema();

// The objective XGBoost trains: `auto` becomes binary:logistic for two classes and
// multi:softprob otherwise.
std::string XgboostObjective(const XgboostParams& params, int num_classes);

// The booster parameters in libxgboost's own spelling, for XGBoosterSetParam.
std::vector<std::pair<std::string, std::string>> XgboostBoosterParams(const XgboostParams& params,
                                                                      int num_classes, int threads);

}  // namespace scaleml
