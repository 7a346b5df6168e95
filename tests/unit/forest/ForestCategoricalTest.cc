// Native categorical features and missing values in the random forest: subset splits that no
// threshold on codes can make, several classes, a learnt direction for missing values, categories
// never seen in training, a very large dictionary, the same forest on any number of ranks, the
// model file, and accuracy against scikit-learn's forest on one-hot encoded categories.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "algo/forest/ForestClassifier.h"
#include "comm/ThreadComm.h"
#include "core/Hash.h"
#include "data/CsvReader.h"
#include "data/TrainTestSplit.h"
#include "unit/forest/ForestTestUtil.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::ContiguousShard;
using testing::FitForest;
using testing::ForestAccuracy;
using testing::LoadForest;
using testing::ModelBytes;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<std::string> Names(std::size_t count) {
  std::vector<std::string> names;
  // Appended, not "f" + std::to_string(f): GCC 12 warns falsely (-Wrestrict) on the latter.
  for (std::size_t f = 0; f < count; ++f)
    names.push_back(std::string("f").append(std::to_string(f)));
  return names;
}

// Marks `features` categorical with `counts[i]` categories (names "c0", "c1", ...: sorted
// names do not matter here, only their number).
void MarkCategorical(Dataset& data, const std::vector<std::size_t>& features,
                     const std::vector<std::size_t>& counts) {
  Schema schema = NumericSchema(data.features());
  for (std::size_t i = 0; i < features.size(); ++i) {
    auto& info = schema.features[features[i]];
    info.kind = FeatureKind::kCategorical;
    for (std::size_t c = 0; c < counts[i]; ++c) {
      info.categories.push_back(std::string("c").append(std::to_string(c)));
    }
  }
  data.set_schema(schema);
}

// Feature 0: a code of `categories`; the label is 1 iff the code is in `ones`; features 1..2:
// noise.
Dataset SubsetTable(std::size_t rows, std::size_t categories, const std::vector<int>& ones,
                    std::uint64_t seed) {
  Dataset data(Names(3), rows);
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto code = static_cast<int>(rng.Below(categories));
    data.mutable_column(0)[r] = static_cast<float>(code);
    data.mutable_column(1)[r] = static_cast<float>(rng.Uniform());
    data.mutable_column(2)[r] = static_cast<float>(rng.Uniform());
    data.mutable_labels()[r] = std::find(ones.begin(), ones.end(), code) != ones.end();
  }
  return data;
}

const DecisionTree& FirstTree(const Classifier& model) {
  return dynamic_cast<const ForestClassifier&>(model).trees()[0];
}

TEST(ForestBins, CategoriesGetTheirOwnBinsOrTheMostFrequentDo) {
  // Seen categories numbered in code order; unseen ones are missing.
  EXPECT_EQ(ForestBins::CategoryBins({5, 0, 2, 7}, 255),
            (std::vector<std::uint8_t>{0, ForestBins::kMissingBin, 1, 2}));
  // Three bins for five seen categories: the two most frequent (codes 1 and 4) keep a bin each,
  // in code order; the others (0, 2, 3) share the last; code 5 was never seen.
  const auto bins = ForestBins::CategoryBins({4, 9, 1, 4, 8, 0}, 3);
  EXPECT_EQ(bins, (std::vector<std::uint8_t>{2, 0, 2, 2, 1, ForestBins::kMissingBin}));
}

TEST(ForestCategorical, SubsetOfCategoriesIsLearntInOneSplit) {
  const std::vector<int> ones = {1, 4, 6, 7, 11, 13, 18, 22, 25, 29};
  TrainTest split = SplitTrainTest(SubsetTable(6000, 30, ones, 1), SplitOptions{});
  // Two levels and every feature tried: one subset split separates the classes; thresholds on
  // the codes make at most four intervals.
  const ParamMap params = {{"n_estimators", "10"}, {"max_depth", "2"}, {"max_features", "all"}};
  const double as_numbers = ForestAccuracy(*FitForest(split.train, params), split.test);
  MarkCategorical(split.train, {0}, {30});
  MarkCategorical(split.test, {0}, {30});
  const auto model = FitForest(split.train, params);
  const double native = ForestAccuracy(*model, split.test);
  std::printf("subset label: native %.4f, codes as numbers %.4f\n", native, as_numbers);
  EXPECT_EQ(native, 1.0);
  EXPECT_LT(as_numbers, native - 0.15);
  const TreeNode& root = FirstTree(*model).nodes()[0];
  EXPECT_EQ(root.feature_index(), 0);
  EXPECT_TRUE(root.categorical());
}

TEST(ForestCategorical, SeveralClassesAreSeparatedByCategories) {
  // Twelve categories, each belonging to one of three classes, in no order of their codes.
  const int class_of[12] = {2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 2, 1};
  Dataset data = SubsetTable(6000, 12, {}, 2);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    data.mutable_labels()[r] = class_of[static_cast<int>(data.at(r, 0))];
  }
  MarkCategorical(data, {0}, {12});
  TrainTest split = SplitTrainTest(data, SplitOptions{});
  for (const char* depth : {"2", "0"}) {
    const auto model = FitForest(split.train, {{"n_estimators", "10"},
                                               {"max_depth", depth},
                                               {"max_features", "all"},
                                               {"criterion", "gini"}});
    EXPECT_EQ(ForestAccuracy(*model, split.test), 1.0) << "max_depth " << depth;
  }
}

// Feature 0 is low or missing for class 0 and high for class 1: the missing rows belong on the
// left (the low side), where NaN never went before directions were learnt.
Dataset MissingTable(std::size_t rows, std::uint64_t seed) {
  Dataset data(Names(2), rows);
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const int label = static_cast<int>(rng.Below(2));
    float x = static_cast<float>(rng.Uniform()) + (label == 1 ? 2.f : 0.f);
    if (label == 0 && rng.Uniform() < 0.5) x = kNaN;
    data.mutable_column(0)[r] = x;
    data.mutable_column(1)[r] = static_cast<float>(rng.Uniform());
    data.mutable_labels()[r] = label;
  }
  return data;
}

TEST(ForestMissing, DirectionOfMissingValuesIsLearnt) {
  TrainTest split = SplitTrainTest(MissingTable(5000, 3), SplitOptions{});
  // Stumps: the one split must place the missing rows right; in histograms and in exact values.
  for (const char* exact : {"0", "100000"}) {
    const auto model = FitForest(split.train, {{"n_estimators", "5"},
                                               {"max_depth", "1"},
                                               {"max_features", "all"},
                                               {"exact_split_rows", exact}});
    // (A quantile bin may straddle the gap between the classes: a row or two of the test.)
    EXPECT_GE(ForestAccuracy(*model, split.test), 0.995) << "exact_split_rows " << exact;
    const TreeNode& root = FirstTree(*model).nodes()[0];
    EXPECT_EQ(root.feature_index(), 0);
    EXPECT_TRUE(root.default_left()) << "exact_split_rows " << exact;
  }
}

TEST(ForestMissing, MissingCategoriesAndRowsMissingEverywhereAreSplitToo) {
  // Class 1 iff the category is missing: the split "present left, missing right".
  Dataset data = SubsetTable(3000, 5, {}, 4);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (r % 3 == 0) {
      data.mutable_column(0)[r] = kNaN;
      data.mutable_labels()[r] = 1;
    }
  }
  MarkCategorical(data, {0}, {5});
  TrainTest split = SplitTrainTest(data, SplitOptions{});
  const auto model =
      FitForest(split.train, {{"n_estimators", "3"}, {"max_depth", "1"}, {"max_features", "all"}});
  EXPECT_EQ(ForestAccuracy(*model, split.test), 1.0);
}

TEST(ForestCategorical, UnseenCategoriesAtPredictionAreMissingNotErrors) {
  // Training sees codes 0..9 of a dictionary of 12, and some missing values.
  Dataset train = SubsetTable(4000, 10, {0, 3, 5, 8}, 5);
  for (std::size_t r = 0; r < train.rows(); r += 7) train.mutable_column(0)[r] = kNaN;
  MarkCategorical(train, {0}, {12});
  const auto model = FitForest(train, {{"n_estimators", "8"}});
  // Unseen (10, 11), outside the dictionary (12, 99, -1), fractional and missing codes.
  const std::vector<float> codes = {10.f, 11.f, 12.f, 99.f, -1.f, 2.5f, kNaN, 3.f};
  Dataset test(Names(3), codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) {
    test.mutable_column(0)[r] = codes[r];
    test.mutable_column(1)[r] = 0.5f;
    test.mutable_column(2)[r] = 0.5f;
  }
  MarkCategorical(test, {0}, {12});
  LocalComm comm;
  const std::vector<float> proba = model->PredictProba(test, comm);
  const std::size_t missing = 6;
  for (std::size_t r = 0; r < codes.size(); ++r) {
    EXPECT_NEAR(proba[2 * r] + proba[2 * r + 1], 1.0, 1e-5);
    if (r < 5) {
      EXPECT_EQ(proba[2 * r], proba[2 * missing]) << "code " << codes[r] << " is not missing";
    }
  }
  EXPECT_GT(proba[2 * 7 + 1], 0.9);  // code 3 is class 1
}

TEST(ForestCategorical, HundredThousandCategoriesTrainInBoundedTimeAndSpace) {
  // 300,000 rows over 100,000 categories, a few frequent: the label is the category's parity for
  // the 200 most frequent and noise for the rest.
  const std::size_t rows = 300000, categories = 100000;
  Dataset data(Names(2), rows);
  Rng rng(6);
  for (std::size_t r = 0; r < rows; ++r) {
    const bool frequent = rng.Uniform() < 0.6;
    const auto code = frequent ? rng.Below(200) * 500 : rng.Below(categories);
    data.mutable_column(0)[r] = static_cast<float>(code);
    data.mutable_column(1)[r] = static_cast<float>(rng.Uniform());
    data.mutable_labels()[r] = static_cast<int>(frequent ? code / 500 % 2 : rng.Below(2));
  }
  MarkCategorical(data, {0}, {categories});
  TrainTest split = SplitTrainTest(data, SplitOptions{});
  const auto start = std::chrono::steady_clock::now();
  const auto model = FitForest(split.train, {{"n_estimators", "10"}, {"max_depth", "12"}});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double accuracy = ForestAccuracy(*model, split.test);
  const std::size_t bytes = ModelBytes(*model).size();
  std::printf("100,000 categories: fit %.2f s, accuracy %.4f, model %zu bytes\n", seconds, accuracy,
              bytes);
  EXPECT_LT(seconds, 60.0);
  EXPECT_LT(bytes, std::size_t{4} << 20);  // the map is 100 KB; the sets 64 bytes a split
  EXPECT_GT(accuracy, 0.75);               // 0.6 learnable + 0.4 noise: about 0.8
}

// A table for the rank tests: a categorical feature with more categories than bins (pooled),
// one whose category 7 only the last rows (the last rank's) have, and numbers with NaN.
Dataset MixedTable(std::size_t rows, std::uint64_t seed) {
  Dataset data(Names(4), rows);
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto many = rng.Below(600);
    const auto few = r >= rows - rows / 10 ? 7 : rng.Below(7);
    float x = static_cast<float>(rng.Uniform());
    if (rng.Uniform() < 0.1) x = kNaN;
    data.mutable_column(0)[r] = static_cast<float>(many);
    data.mutable_column(1)[r] = rng.Uniform() < 0.05 ? kNaN : static_cast<float>(few);
    data.mutable_column(2)[r] = x;
    data.mutable_column(3)[r] = static_cast<float>(rng.Uniform());
    const bool one = (many % 3 == 0 && x > 0.5f) || few == 2 || few == 7 || std::isnan(x);
    data.mutable_labels()[r] = one ^ (rng.Uniform() < 0.05);
  }
  MarkCategorical(data, {0, 1}, {600, 8});
  return data;
}

TEST(ForestCategorical, RanksGrowTheSingleProcessForest) {
  TrainTest split = SplitTrainTest(MixedTable(6000, 7), SplitOptions{});
  for (const ParamMap& params :
       {ParamMap{{"n_estimators", "6"}, {"random_state", "2"}},
        ParamMap{{"n_estimators", "4"}, {"exact_split_rows", "0"}, {"min_samples_leaf", "3"}},
        ParamMap{{"n_estimators", "3"}, {"criterion", "entropy"}, {"bootstrap", "false"}}}) {
    const auto single = FitForest(split.train, params);
    const std::string expected = ModelBytes(*single);
    std::vector<std::string> models(3);
    RunRanks(3, [&](Comm& comm) {
      auto model = MakeForestClassifier(params);
      model->Fit(ContiguousShard(split.train, comm.rank(), comm.size()), comm);
      models[comm.rank()] = ModelBytes(*model);
    });
    for (int rank = 0; rank < 3; ++rank) {
      EXPECT_TRUE(models[rank] == expected) << "rank " << rank << ", " << params.begin()->first;
    }
    EXPECT_GT(ForestAccuracy(*single, split.test), 0.8);
  }
}

TEST(ForestCategorical, SaveLoadRoundTripKeepsSetsAndDirections) {
  TrainTest split = SplitTrainTest(MixedTable(3000, 8), SplitOptions{});
  const auto model = FitForest(split.train, {{"n_estimators", "5"}});
  const std::string bytes = ModelBytes(*model);
  const auto loaded = LoadForest(*model, bytes, "mixed.model");
  EXPECT_TRUE(ModelBytes(*loaded) == bytes);
  LocalComm comm;
  EXPECT_EQ(loaded->PredictProba(split.test, comm), model->PredictProba(split.test, comm));
  std::size_t categorical = 0, default_left = 0;
  for (const auto& tree : dynamic_cast<const ForestClassifier&>(*loaded).trees()) {
    for (const TreeNode& node : tree.nodes()) {
      if (node.is_leaf()) continue;
      categorical += node.categorical();
      default_left += node.default_left();
    }
  }
  EXPECT_GT(categorical, 0u);
  EXPECT_GT(default_left, 0u);
}

TEST(ForestCategorical, AtLeastScikitLearnsAccuracyOnOneHotCategories) {
  const std::string base = std::string(SCALEML_TEST_DATA) + "/forest/categorical";
  std::ifstream file(base + ".expected.json");
  ASSERT_TRUE(file) << base;
  const nlohmann::json expected = nlohmann::json::parse(file);
  CsvOptions csv;
  csv.use_cache = false;
  Dataset data = ReadCsv(base + ".csv", csv);
  MarkCategorical(data, expected["categorical_columns"].get<std::vector<std::size_t>>(),
                  expected["category_counts"].get<std::vector<std::size_t>>());
  TrainTest split = SplitTrainTest(data, SplitOptions{});
  ASSERT_EQ(split.train.rows(), expected["split"]["train_rows"].get<std::size_t>());
  const std::string trees = std::to_string(expected["n_estimators"].get<int>());
  double sum = 0.0;
  const int seeds = 3;
  for (int seed = 0; seed < seeds; ++seed) {
    sum += ForestAccuracy(
        *FitForest(split.train, {{"n_estimators", trees}, {"random_state", std::to_string(seed)}}),
        split.test);
  }
  const double ours = sum / seeds, sklearn = expected["mean_accuracy"].get<double>();
  std::printf("categorical: native %.4f, scikit-learn one-hot %.4f\n", ours, sklearn);
  EXPECT_GE(ours, sklearn - 0.01);
}

}  // namespace
}  // namespace scaleml
