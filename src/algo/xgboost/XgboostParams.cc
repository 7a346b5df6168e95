#include "algo/xgboost/XgboostParams.h"

#include <algorithm>
#include <climits>

#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {

const char* XgboostName(XgboostBooster booster) {
  switch (booster) {
    case XgboostBooster::kDart:
      return "dart";
    case XgboostBooster::kGblinear:
      return "gblinear";
    case XgboostBooster::kGbtree:
      break;
  }
  return "gbtree";
}

const char* XgboostName(XgboostTreeMethod method) {
  switch (method) {
    case XgboostTreeMethod::kApprox:
      return "approx";
    case XgboostTreeMethod::kExact:
      return "exact";
    case XgboostTreeMethod::kHist:
      break;
  }
  return "hist";
}

const char* XgboostName(XgboostObjectiveChoice objective) {
  switch (objective) {
    case XgboostObjectiveChoice::kBinaryLogistic:
      return "binary:logistic";
    case XgboostObjectiveChoice::kMultiSoftprob:
      return "multi:softprob";
    case XgboostObjectiveChoice::kAuto:
      break;
  }
  return "auto";
}

const ParamSchema<XgboostParams>& XgboostSchema() {
  using P = XgboostParams;
  static const ParamSchema<P> schema = [] {
    ParamSchema<P> s("xgboost");
    s.Int("n_estimators", &P::n_estimators, 1, 1000000, "boosting rounds")
        .Int("max_depth", &P::max_depth, 0, 64, "maximum tree depth (0: none, lossguide only)")
        .Double("learning_rate", &P::learning_rate, 0.0, 1.0, "shrinkage of each tree (eta)")
        .Choice("booster", &P::booster,
                {{"gbtree", XgboostBooster::kGbtree},
                 {"dart", XgboostBooster::kDart},
                 {"gblinear", XgboostBooster::kGblinear}},
                "booster kind")
        .Choice("tree_method", &P::tree_method,
                {{"hist", XgboostTreeMethod::kHist},
                 {"approx", XgboostTreeMethod::kApprox},
                 {"exact", XgboostTreeMethod::kExact}},
                "split finding: histograms, per-iteration sketches, or exact greedy")
        .Int("max_bin", &P::max_bin, 2, 65536, "histogram bins per feature (hist, approx)")
        .Choice("grow_policy", &P::grow_policy, {"depthwise", "lossguide"},
                "split nodes closest to the root, or with the largest loss change")
        .Int("max_leaves", &P::max_leaves, 0, INT_MAX, "maximum leaves per tree (0: no limit)")
        .Double("min_child_weight", &P::min_child_weight, 0.0, 1e300,
                "minimum hessian sum in a child")
        .Double("max_delta_step", &P::max_delta_step, 0.0, 1e300,
                "cap on a leaf's output (0: none)")
        .Double("subsample", &P::subsample, 1e-9, 1.0, "fraction of rows sampled per tree")
        .Choice("sampling_method", &P::sampling_method, {"uniform"}, "row sampling (CPU: uniform)")
        .Double("colsample_bytree", &P::colsample_bytree, 1e-9, 1.0,
                "fraction of features sampled per tree")
        .Double("colsample_bylevel", &P::colsample_bylevel, 1e-9, 1.0,
                "fraction of features sampled per depth level")
        .Double("colsample_bynode", &P::colsample_bynode, 1e-9, 1.0,
                "fraction of features sampled per split")
        .Double("reg_lambda", &P::reg_lambda, 0.0, 1e300, "L2 regularisation of leaf weights")
        .Double("reg_alpha", &P::reg_alpha, 0.0, 1e300, "L1 regularisation of leaf weights")
        .Double("gamma", &P::gamma, 0.0, 1e300, "minimum loss reduction to split")
        .Double("scale_pos_weight", &P::scale_pos_weight, 0.0, 1e300,
                "weight of positive rows (binary)")
        .Double("base_score", &P::base_score, 1e-9, 1.0 - 1e-9, "initial probability")
        .Int("num_parallel_tree", &P::num_parallel_tree, 1, 100000,
             "trees per round (boosted random forest)")
        .Choice("objective", &P::objective,
                {{"auto", XgboostObjectiveChoice::kAuto},
                 {"binary:logistic", XgboostObjectiveChoice::kBinaryLogistic},
                 {"multi:softprob", XgboostObjectiveChoice::kMultiSoftprob}},
                "auto: binary:logistic for 2 classes, multi:softprob otherwise")
        .Int("seed", &P::seed, 0, INT_MAX, "random seed (subsampling)")
        .Int("nthread", &P::nthread, 0, 4096, "threads (0: the process's OpenMP thread count)")
        .Int("verbosity", &P::verbosity, 0, 3, "libxgboost's log level on stderr")
        .Bool("enable_categorical", &P::enable_categorical,
              "split categorical features natively (feature type c, hist or approx); false: "
              "their codes are numbers")
        .Int("max_cat_to_onehot", &P::max_cat_to_onehot, 1, INT_MAX,
             "categorical features with fewer categories are split one-vs-rest, others by "
             "partitions")
        .Double("tracker_timeout_s", &P::tracker_timeout_s, 0.1, 1e6,
                "ddp: seconds for every rank to join rank 0's rabit tracker, and for a peer's "
                "answer during training")
        .Alias("eta", "learning_rate")
        .Alias("lambda", "reg_lambda")
        .Alias("alpha", "reg_alpha")
        .Alias("min_split_loss", "gamma")
        .Alias("random_state", "seed")
        .Alias("n_jobs", "nthread")
        .Alias("num_boost_round", "n_estimators")
        .Alias("num_round", "n_estimators");
    return s;
  }();
  return schema;
}

const ParamSchemaBase& XgboostParamSchema() { return XgboostSchema(); }

std::string XgboostObjective(const XgboostParams& params, int num_classes) {
  if (params.objective == XgboostObjectiveChoice::kAuto) {
    return num_classes == 2 ? "binary:logistic" : "multi:softprob";
  }
  if (params.objective == XgboostObjectiveChoice::kBinaryLogistic && num_classes != 2) {
    throw InputError("xgboost: parameter objective=binary:logistic needs 2 classes, the data has ",
                     num_classes, "; use objective=multi:softprob or auto");
  }
  return XgboostName(params.objective);
}

std::vector<std::pair<std::string, std::string>> XgboostBoosterParams(const XgboostParams& p,
                                                                      int num_classes,
                                                                      int threads) {
  std::string objective = XgboostObjective(p, num_classes);
  std::vector<std::pair<std::string, std::string>> out = {
      {"booster", XgboostName(p.booster)},
      {"objective", objective},
      {"eta", FormatDouble(p.learning_rate)},
      {"max_depth", std::to_string(p.max_depth)},
      {"tree_method", XgboostName(p.tree_method)},
      {"max_bin", std::to_string(p.max_bin)},
      {"grow_policy", p.grow_policy},
      {"max_leaves", std::to_string(p.max_leaves)},
      {"min_child_weight", FormatDouble(p.min_child_weight)},
      {"max_delta_step", FormatDouble(p.max_delta_step)},
      {"subsample", FormatDouble(p.subsample)},
      {"sampling_method", p.sampling_method},
      {"colsample_bytree", FormatDouble(p.colsample_bytree)},
      {"colsample_bylevel", FormatDouble(p.colsample_bylevel)},
      {"colsample_bynode", FormatDouble(p.colsample_bynode)},
      {"lambda", FormatDouble(p.reg_lambda)},
      {"alpha", FormatDouble(p.reg_alpha)},
      {"gamma", FormatDouble(p.gamma)},
      {"scale_pos_weight", FormatDouble(p.scale_pos_weight)},
      {"base_score", FormatDouble(p.base_score)},
      {"num_parallel_tree", std::to_string(p.num_parallel_tree)},
      {"seed", std::to_string(p.seed)},
      {"nthread", std::to_string(threads)},
      {"verbosity", std::to_string(p.verbosity)},
      {"max_cat_to_onehot", std::to_string(p.max_cat_to_onehot)},
  };
  if (objective != "binary:logistic") out.emplace_back("num_class", std::to_string(num_classes));
  if (p.booster == XgboostBooster::kGblinear) {
    // The linear booster takes none of the tree parameters (libxgboost warns about each).
    std::erase_if(out, [](const auto& kv) {
      static const std::vector<std::string> linear = {
          "booster", "objective", "eta",       "lambda",    "alpha",
          "seed",    "nthread",   "verbosity", "num_class", "base_score"};
      return std::find(linear.begin(), linear.end(), kv.first) == linear.end();
    });
  }
  return out;
}

}  // namespace scaleml
