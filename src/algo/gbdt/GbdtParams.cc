#include "algo/gbdt/GbdtParams.h"

#include "algo/AlgorithmFactories.h"

namespace scaleml {

const ParamSchemaBase& GbdtParamSchema() { return GbdtSchema(); }

const ParamSchema<GbdtParams>& GbdtSchema() {
  // Built in place: the schema's parsers refer to the schema object itself.
  static ParamSchema<GbdtParams> schema("gbdt");
  static const bool built = [] {
    schema
        .Int("num_iterations", &GbdtParams::num_iterations, 1, 1000000,
             "boosting rounds (one tree per class per round for multiclass)")
        .Double("learning_rate", &GbdtParams::learning_rate, 1e-6, 1.0,
                "shrinkage applied to every tree's leaf values")
        .Int("num_leaves", &GbdtParams::num_leaves, 2, 131072, "maximum leaves per tree")
        .Int("max_depth", &GbdtParams::max_depth, -1, 1000, "maximum tree depth; -1: no limit")
        .Int("max_bin", &GbdtParams::max_bin, 2, 256, "maximum histogram bins per feature")
        .Int("min_data_in_leaf", &GbdtParams::min_data_in_leaf, 1, 1000000000,
             "minimum training rows in a leaf")
        .Double("min_sum_hessian_in_leaf", &GbdtParams::min_sum_hessian_in_leaf, 0.0, 1e12,
                "minimum sum of hessians in a leaf")
        .Double("lambda_l1", &GbdtParams::lambda_l1, 0.0, 1e12, "L1 regularisation of leaf values")
        .Double("lambda_l2", &GbdtParams::lambda_l2, 0.0, 1e12, "L2 regularisation of leaf values")
        .Double("min_gain_to_split", &GbdtParams::min_gain_to_split, 0.0, 1e12,
                "minimum gain for a split")
        .Double("feature_fraction", &GbdtParams::feature_fraction, 1e-6, 1.0,
                "fraction of features each tree may split on")
        .Double("bagging_fraction", &GbdtParams::bagging_fraction, 1e-6, 1.0,
                "fraction of training rows each bag holds (with bagging_freq > 0)")
        .Int("bagging_freq", &GbdtParams::bagging_freq, 0, 1000000,
             "draw a new bag every this many rounds; 0: no bagging")
        .Int("seed", &GbdtParams::seed, 0, 2147483647,
             "seed of binning sample, bagging, feature sampling and validation rows")
        .Int("early_stopping_round", &GbdtParams::early_stopping_round, 0, 1000000,
             "stop after this many rounds without validation improvement; 0: off")
        .Double("validation_fraction", &GbdtParams::validation_fraction, 1e-6, 0.9,
                "training rows held out for early stopping (only with early_stopping_round)")
        .Choice("objective", &GbdtParams::objective,
                {{"auto", GbdtObjectiveChoice::kAuto},
                 {"binary", GbdtObjectiveChoice::kBinary},
                 {"multiclass", GbdtObjectiveChoice::kMulticlass}},
                "auto: binary logloss for 2 classes, multiclass softmax otherwise")
        .Int("bin_sample_count", &GbdtParams::bin_sample_count, 1000, 1000000000,
             "rows sampled (over all ranks) to find the histogram bins")
        .Bool("exchange_rows", &GbdtParams::exchange_rows,
              "with several ranks, deal the training rows out to them at random before training "
              "(balances every histogram, for files sorted by a column; costs one pass of the "
              "data over the network; default false: each rank keeps the rows it read)")
        .Bool("build_ahead", &GbdtParams::build_ahead,
              "with several ranks, also build the histograms of the other leaves that may split "
              "next and sum them in the same collective (fewer, larger collectives; more rows "
              "histogrammed): for networks where a collective costs far more than a histogram")
        .Choice(
            "histogram_reduce", &GbdtParams::histogram_reduce,
            {{"scatter", HistogramReduce::kScatter}, {"allreduce", HistogramReduce::kAllreduce}},
            "with several ranks, allreduce: every rank sums and searches all the histograms "
            "(one collective per batch); scatter: each rank sums and searches its share of "
            "the features (LightGBM's data-parallel learner: half the bytes at 2 ranks, but "
            "two collectives per batch)")
        .Int("max_cat_to_onehot", &GbdtParams::max_cat_to_onehot, 1, 1000000,
             "categorical features with at most this many categories split one category "
             "against the rest")
        .Int("max_cat_threshold", &GbdtParams::max_cat_threshold, 1, 1000000,
             "most categories on the left side of a categorical split")
        .Double("cat_l2", &GbdtParams::cat_l2, 0.0, 1e12,
                "L2 regularisation added to lambda_l2 in categorical split search")
        .Double("cat_smooth", &GbdtParams::cat_smooth, 0.0, 1e12,
                "smoothing of the categories' gradient ratio; categories with fewer rows are "
                "left out of many-category splits")
        .Int("min_data_per_group", &GbdtParams::min_data_per_group, 1, 1000000000,
             "minimum rows added between two candidate categorical splits (and on the right)")
        .Alias("n_estimators", "num_iterations")
        .Alias("num_boost_round", "num_iterations")
        .Alias("num_iteration", "num_iterations")
        .Alias("num_trees", "num_iterations")
        .Alias("eta", "learning_rate")
        .Alias("max_leaves", "num_leaves")
        .Alias("min_child_samples", "min_data_in_leaf")
        .Alias("min_child_weight", "min_sum_hessian_in_leaf")
        .Alias("reg_alpha", "lambda_l1")
        .Alias("reg_lambda", "lambda_l2")
        .Alias("min_split_gain", "min_gain_to_split")
        .Alias("colsample_bytree", "feature_fraction")
        .Alias("subsample", "bagging_fraction")
        .Alias("subsample_freq", "bagging_freq")
        .Alias("random_state", "seed")
        .Alias("early_stopping_rounds", "early_stopping_round")
        .Alias("subsample_for_bin", "bin_sample_count");
    return true;
  }();
  (void)built;
  return schema;
}

}  // namespace scaleml
