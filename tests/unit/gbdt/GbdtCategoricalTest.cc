// Categorical features and missing values: LightGBM's categorical splits (one-vs-rest and
// gradient-sorted category sets), learned missing directions, unseen categories at prediction,
// many categories, and models that keep all of it through save and load.
#include <gtest/gtest.h>

#include <omp.h>
#include <time.h>

#include <cmath>

#include "algo/AlgorithmFactories.h"
#include "algo/gbdt/GbdtClassifier.h"
#include "unit/gbdt/GbdtTestCategorical.h"
#include "unit/gbdt/GbdtTestData.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::MakeCategoricalData;
using testing::RowRange;

GbdtClassifier Fitted(const Dataset& train, const ParamMap& params) {
  GbdtClassifier model(GbdtSchema().Parse(params));
  LocalComm comm;
  model.Fit(train, comm);
  return model;
}

// The same rows with the codes taken as numbers.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

Dataset AsNumeric(const Dataset& data) {
  Dataset copy = RowRange(data, 0, data.rows());
  copy.set_schema(NumericSchema(data.features()));
  return copy;
}

// Codes 0..19, each 1/20 of the rows; the positive codes interleave with the negative ones.
Dataset InterleavedCategories(std::size_t rows, std::uint32_t seed) {
  return MakeCategoricalData(
      rows, 20, seed,
      [](std::size_t, std::mt19937& rng) {
        return static_cast<float>(std::uniform_int_distribution<int>(0, 19)(rng));
      },
      [](float code, float) { return static_cast<int>(code) % 3 == 1 ? 1 : 0; });
}

TEST(GbdtCategorical, CategorySetSplitSeparatesWhatNoThresholdOnCodesCan) {
  Dataset data = InterleavedCategories(20000, 1);
  Dataset train = RowRange(data, 0, 16000), test = RowRange(data, 16000, 20000);
  const ParamMap params = {{"num_iterations", "5"}, {"num_leaves", "3"}};
  GbdtClassifier categorical = Fitted(train, params);
  EXPECT_GT(Accuracy(categorical, test), 0.999);
  // One split holds the positive codes {1, 4, ..., 19}: many categories, sorted by gradient.
  const Tree& first = categorical.trees()[0];
  ASSERT_GT(first.leaves(), 1);
  EXPECT_TRUE(first.is_categorical(0));
  GbdtClassifier numeric = Fitted(AsNumeric(train), params);
  EXPECT_LT(Accuracy(numeric, AsNumeric(test)), 0.9);
}

TEST(GbdtCategorical, FewCategoriesSplitOneAgainstTheRest) {
  Dataset data = MakeCategoricalData(
      3000, 3, 2, [](std::size_t r, std::mt19937&) { return static_cast<float>(r % 3); },
      [](float code, float) { return code == 1.0f ? 1 : 0; });
  GbdtClassifier model =
      Fitted(data, {{"num_iterations", "1"}, {"num_leaves", "2"}, {"learning_rate", "1"}});
  const Tree& tree = model.trees()[0];
  ASSERT_EQ(tree.leaves(), 2);
  ASSERT_TRUE(tree.is_categorical(0));
  EXPECT_TRUE(tree.CategoryGoesLeft(0, 1.0f));
  EXPECT_FALSE(tree.CategoryGoesLeft(0, 0.0f));
  EXPECT_FALSE(tree.CategoryGoesLeft(0, 2.0f));
  EXPECT_EQ(Accuracy(model, data), 1.0);
}

// A numeric feature whose low values are positive and whose missing values are negative: with
// one split, the missing rows must go right, against the old "NaN is the smallest bin".
TEST(GbdtCategorical, MissingValuesLearnTheirSide) {
  Dataset data({"x", "noise"}, 4000);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const float x = unit(rng);
    const bool missing = r % 4 == 0;
    data.mutable_column(0)[r] = missing ? std::nanf("") : x;
    data.mutable_column(1)[r] = unit(rng);
    data.mutable_labels()[r] = !missing && x < 0.3f ? 1 : 0;
  }
  GbdtClassifier model =
      Fitted(data, {{"num_iterations", "1"}, {"num_leaves", "2"}, {"learning_rate", "1"}});
  const Tree& tree = model.trees()[0];
  ASSERT_EQ(tree.leaves(), 2);
  EXPECT_EQ(tree.split_feature(0), 0);
  EXPECT_FALSE(tree.default_left(0));
  EXPECT_GT(Accuracy(model, data), 0.99);
}

TEST(GbdtCategorical, LabelThatIsMissingnessIsLearnedInOneSplit) {
  Dataset data({"x"}, 3000);
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const bool missing = unit(rng) < 0.3f;
    data.mutable_column(0)[r] = missing ? std::nanf("") : unit(rng);
    data.mutable_labels()[r] = missing ? 1 : 0;
  }
  GbdtClassifier model =
      Fitted(data, {{"num_iterations", "1"}, {"num_leaves", "2"}, {"learning_rate", "1"}});
  EXPECT_EQ(Accuracy(model, data), 1.0);
}

// Codes the training rows never had (in the dictionary or beyond it) and NaN go right, as the
// "other" bin does, without error.
TEST(GbdtCategorical, UnseenCategoriesGoRight) {
  Dataset train = MakeCategoricalData(
      4000, 10, 5, [](std::size_t r, std::mt19937&) { return static_cast<float>(r % 5); },
      [](float code, float) { return code == 2.0f || code == 4.0f ? 1 : 0; });
  GbdtClassifier model = Fitted(train, {{"num_iterations", "10"}});
  Dataset test({"category", "noise"}, 5);
  const float codes[] = {7.0f, 9.0f, 100000.0f, std::nanf(""), -3.0f};
  for (std::size_t r = 0; r < 5; ++r) {
    test.mutable_column(0)[r] = codes[r];
    test.mutable_column(1)[r] = 0.5f;
  }
  test.set_schema(train.schema());
  LocalComm comm;
  const std::vector<float> proba = model.PredictProba(test, comm);
  ASSERT_EQ(proba.size(), 10u);
  for (std::size_t r = 1; r < 5; ++r) EXPECT_EQ(proba[2 * r], proba[0]) << r;
  // The categories 0..4 the model saw are told apart.
  EXPECT_GT(Accuracy(model, train), 0.999);
}

TEST(GbdtCategorical, HundredThousandCategoriesTrainInBoundedTimeAndSize) {
  const std::size_t categories = 100000;
  Dataset data = MakeCategoricalData(
      200000, categories, 6,
      [&](std::size_t, std::mt19937& rng) {
        // A few frequent codes among many rare ones.
        const int frequent = std::uniform_int_distribution<int>(0, 3)(rng);
        return static_cast<float>(frequent == 0
                                      ? std::uniform_int_distribution<int>(0, 29)(rng) * 3331
                                      : std::uniform_int_distribution<int>(0, categories - 1)(rng));
      },
      [](float code, float noise) {
        return (static_cast<int>(code) % 2 == 0) != (noise < 0.1f) ? 1 : 0;
      });
  // CPU time of one thread: the wall clock of a shared test machine says little.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double start = ThreadCpuSeconds();
  GbdtClassifier model = Fitted(data, {{"num_iterations", "20"}});
  const double seconds = ThreadCpuSeconds() - start;
  omp_set_num_threads(threads);
  EXPECT_LT(seconds, 5.0);
  BinaryWriter out;
  model.SaveModel(out);
  // A categorical node's bitset spans its largest code: at most 100000 / 8 bytes.
  EXPECT_LT(out.Take().size(), std::size_t{20} * 30 * 12600);
  EXPECT_GT(Accuracy(model, data), 0.6);
}

// Categorical and missing-direction nodes survive the model file; version 1 payloads (numeric
// trees without decisions) still load.
TEST(GbdtCategorical, SaveLoadRoundTripKeepsCategoricalAndMissingNodes) {
  Dataset data = InterleavedCategories(5000, 7);
  for (std::size_t r = 0; r < data.rows(); r += 5) data.mutable_column(1)[r] = std::nanf("");
  for (std::size_t r = 0; r < data.rows(); r += 11) data.mutable_column(0)[r] = std::nanf("");
  GbdtClassifier model = Fitted(data, {{"num_iterations", "8"}});
  BinaryWriter out;
  model.SaveModel(out);
  const std::string bytes = out.Take();
  GbdtClassifier loaded(GbdtSchema().Parse({}));
  loaded.set_classes(model.classes());
  BinaryReader in(bytes, "model.bin");
  loaded.LoadModel(in);
  EXPECT_TRUE(in.AtEnd());
  ASSERT_EQ(loaded.trees().size(), model.trees().size());
  for (std::size_t t = 0; t < model.trees().size(); ++t) {
    EXPECT_TRUE(loaded.trees()[t] == model.trees()[t]) << t;
  }
  LocalComm comm;
  EXPECT_EQ(loaded.PredictProba(data, comm), model.PredictProba(data, comm));
  BinaryWriter again;
  loaded.SaveModel(again);
  EXPECT_EQ(again.Take(), bytes);
  // A corrupt category set is an input error, never a crash.
  for (std::size_t cut : {bytes.size() / 3, bytes.size() - 9}) {
    GbdtClassifier truncated(GbdtSchema().Parse({}));
    truncated.set_classes(model.classes());
    BinaryReader partial(std::string_view(bytes).substr(0, cut), "model.bin");
    EXPECT_THROW(truncated.LoadModel(partial), Error);
  }
}

TEST(GbdtCategorical, ParametersHaveLightGbmNamesAndRanges) {
  const ParamMap defaults = GbdtClassifier(GbdtSchema().Parse({})).params();
  EXPECT_EQ(defaults.at("max_cat_to_onehot"), "4");
  EXPECT_EQ(defaults.at("max_cat_threshold"), "32");
  EXPECT_EQ(defaults.at("min_data_per_group"), "100");
  EXPECT_THROW(GbdtSchema().Parse({{"max_cat_threshold", "0"}}), Error);
  EXPECT_THROW(GbdtSchema().Parse({{"cat_smooth", "-1"}}), Error);
  EXPECT_THROW(GbdtSchema().Parse({{"cat_l2", "-1"}}), Error);
}

}  // namespace
}  // namespace scaleml
