#include "algo/gbdt/GbdtClassifier.h"

#include <gtest/gtest.h>
#include <omp.h>

#include "algo/AlgorithmFactories.h"
#include "unit/gbdt/GbdtTestData.h"

namespace scaleml {
namespace {

using testing::Accuracy;
using testing::MakeBlobs;
using testing::MakeClassificationData;
using testing::RowRange;

std::unique_ptr<Classifier> Fitted(const Dataset& train, const ParamMap& params = {}) {
  auto model = MakeGbdtClassifier(params);
  LocalComm comm;
  model->Fit(train, comm);
  return model;
}

std::string Serialized(const Classifier& model) {
  BinaryWriter out;
  model.SaveModel(out);
  return out.Take();
}

TEST(GbdtClassifier, SeparatesBlobs) {
  // Centres about 6.5 apart: the Bayes accuracy is above 0.99.
  Dataset data = MakeBlobs(4000, 5, 2, 8.0, 1);
  Dataset train = RowRange(data, 0, 3200), test = RowRange(data, 3200, 4000);
  auto model = Fitted(train, {{"num_iterations", "30"}});
  EXPECT_GT(Accuracy(*model, test), 0.95);
  auto& gbdt = dynamic_cast<GbdtClassifier&>(*model);
  EXPECT_EQ(gbdt.iterations(), 30);
  EXPECT_LE(gbdt.trees()[0].leaves(), 31);
  EXPECT_GT(gbdt.trees()[0].leaves(), 1);
}

TEST(GbdtClassifier, LearnsMakeClassificationBetterThanFewTrees) {
  Dataset data = MakeClassificationData(8000, 10, 2, 5);
  Dataset train = RowRange(data, 0, 6400), test = RowRange(data, 6400, 8000);
  auto few = Fitted(train, {{"num_iterations", "2"}, {"num_leaves", "4"}});
  auto full = Fitted(train);
  const double few_accuracy = Accuracy(*few, test), full_accuracy = Accuracy(*full, test);
  EXPECT_GT(full_accuracy, 0.85);
  EXPECT_GT(full_accuracy, few_accuracy + 0.02);
}

TEST(GbdtClassifier, MulticlassSoftmaxWithFourClasses) {
  Dataset data = MakeClassificationData(5000, 10, 4, 9);
  Dataset train = RowRange(data, 0, 4000), test = RowRange(data, 4000, 5000);
  auto model = Fitted(train, {{"num_iterations", "25"}});
  auto& gbdt = dynamic_cast<GbdtClassifier&>(*model);
  EXPECT_EQ(gbdt.trees().size(), 4u * 25u);
  EXPECT_EQ(model->classes(), (std::vector<std::int32_t>{0, 1, 2, 3}));
  EXPECT_GT(Accuracy(*model, test), 0.6);  // chance is 0.25
  LocalComm comm;
  auto proba = model->PredictProba(test, comm);
  ASSERT_EQ(proba.size(), test.rows() * 4);
  for (std::size_t r = 0; r < test.rows(); ++r) {
    EXPECT_NEAR(proba[r * 4] + proba[r * 4 + 1] + proba[r * 4 + 2] + proba[r * 4 + 3], 1.0, 1e-5);
  }
}

TEST(GbdtClassifier, KeepsNonContiguousLabelValues) {
  Dataset data = MakeBlobs(3000, 3, 3, 5.0, 2);
  for (auto& label : data.mutable_labels()) label = label * 10 - 5;
  auto model = Fitted(data, {{"num_iterations", "10"}});
  EXPECT_EQ(model->classes(), (std::vector<std::int32_t>{-5, 5, 15}));
  EXPECT_GT(Accuracy(*model, data), 0.9);
}

TEST(GbdtClassifier, DeterministicAndIndependentOfThreadCount) {
  Dataset data = MakeClassificationData(5000, 10, 3, 4);
  const ParamMap params = {{"num_iterations", "15"},
                           {"bagging_fraction", "0.7"},
                           {"bagging_freq", "2"},
                           {"feature_fraction", "0.6"}};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::string one_thread = Serialized(*Fitted(data, params));
  omp_set_num_threads(2);
  const std::string two_threads = Serialized(*Fitted(data, params));
  const std::string again = Serialized(*Fitted(data, params));
  omp_set_num_threads(saved);
  EXPECT_EQ(one_thread, two_threads);
  EXPECT_EQ(two_threads, again);
  ParamMap other_seed = params;
  other_seed["seed"] = "7";
  EXPECT_NE(Serialized(*Fitted(data, other_seed)), again);
}

TEST(GbdtClassifier, SaveLoadRoundTripGivesIdenticalPredictions) {
  Dataset data = MakeClassificationData(4000, 10, 3, 6);
  auto model = Fitted(data, {{"num_iterations", "20"}, {"lambda_l2", "1"}});
  const std::string bytes = Serialized(*model);
  auto loaded = MakeGbdtClassifier(model->params());
  loaded->set_classes(model->classes());
  BinaryReader in(bytes, "model.bin");
  loaded->LoadModel(in);
  EXPECT_TRUE(in.AtEnd());
  LocalComm comm;
  EXPECT_EQ(loaded->PredictProba(data, comm), model->PredictProba(data, comm));
  EXPECT_EQ(Serialized(*loaded), bytes);
}

TEST(GbdtClassifier, TruncatedOrCorruptModelIsAnInputError) {
  Dataset data = MakeBlobs(2000, 4, 2, 3.0, 3);
  auto model = Fitted(data, {{"num_iterations", "5"}});
  const std::string bytes = Serialized(*model);
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    auto loaded = MakeGbdtClassifier({});
    loaded->set_classes(model->classes());
    BinaryReader in(std::string_view(bytes).substr(0, cut), "model.bin");
    try {
      loaded->LoadModel(in);
      ADD_FAILURE() << "no error for a model cut at byte " << cut;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(error.what()).find("model.bin"), std::string::npos) << error.what();
    }
  }
  std::string foreign = bytes;
  foreign[0] ^= 0x55;
  auto loaded = MakeGbdtClassifier({});
  loaded->set_classes(model->classes());
  BinaryReader in(foreign, "foreign.bin");
  EXPECT_THROW(loaded->LoadModel(in), Error);
}

TEST(GbdtClassifier, BadParametersListTheValidNames) {
  try {
    MakeGbdtClassifier({{"num_leafs", "8"}});
    FAIL() << "unknown parameter accepted";
  } catch (const Error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("num_leafs"), std::string::npos);
    EXPECT_NE(text.find("num_leaves"), std::string::npos);
    EXPECT_NE(text.find("learning_rate"), std::string::npos);
  }
  EXPECT_THROW(MakeGbdtClassifier({{"num_leaves", "1"}}), Error);
  EXPECT_THROW(MakeGbdtClassifier({{"learning_rate", "-0.1"}}), Error);
  EXPECT_THROW(MakeGbdtClassifier({{"max_bin", "1000"}}), Error);
  EXPECT_THROW(MakeGbdtClassifier({{"objective", "regression"}}), Error);
  auto aliased = MakeGbdtClassifier({{"n_estimators", "7"}, {"max_leaves", "9"}});
  EXPECT_EQ(aliased->params().at("num_iterations"), "7");
  EXPECT_EQ(aliased->params().at("num_leaves"), "9");
  // objective=binary on three classes is an input error at Fit.
  auto binary = MakeGbdtClassifier({{"objective", "binary"}});
  LocalComm comm;
  EXPECT_THROW(binary->Fit(MakeBlobs(300, 2, 3, 3.0, 1), comm), Error);
}

TEST(GbdtClassifier, PredictingOnOtherFeatureCountIsAnError) {
  auto model = Fitted(MakeBlobs(1000, 4, 2, 3.0, 3), {{"num_iterations", "3"}});
  LocalComm comm;
  EXPECT_THROW(model->PredictProba(MakeBlobs(10, 5, 2, 3.0, 3), comm), Error);
}

TEST(GbdtClassifier, EarlyStoppingStopsWhenValidationLossRises) {
  // Pure noise labels: the validation loss stops improving almost at once.
  Dataset data = MakeBlobs(3000, 5, 2, 0.0, 8);
  auto model = Fitted(data, {{"early_stopping_round", "5"}, {"num_iterations", "100"}});
  auto& gbdt = dynamic_cast<GbdtClassifier&>(*model);
  EXPECT_LT(gbdt.iterations(), 60);
  EXPECT_GE(gbdt.iterations(), 1);
  auto full = Fitted(data, {{"num_iterations", "100"}});
  EXPECT_EQ(dynamic_cast<GbdtClassifier&>(*full).iterations(), 100);
}

TEST(GbdtClassifier, DepthAndLeafLimitsHold) {
  Dataset data = MakeClassificationData(5000, 10, 2, 2);
  auto model = Fitted(data, {{"num_iterations", "5"}, {"max_depth", "2"}, {"num_leaves", "31"}});
  for (const Tree& tree : dynamic_cast<GbdtClassifier&>(*model).trees()) {
    EXPECT_LE(tree.leaves(), 4);
  }
  auto big_leaves =
      Fitted(data, {{"num_iterations", "5"}, {"min_data_in_leaf", "1000"}, {"num_leaves", "63"}});
  for (const Tree& tree : dynamic_cast<GbdtClassifier&>(*big_leaves).trees()) {
    EXPECT_LE(tree.leaves(), 5);
  }
}

TEST(GbdtClassifier, ScatteredMissingValuesStillSeparateBlobs) {
  Dataset data = MakeBlobs(3000, 3, 2, 4.0, 12);
  for (std::size_t r = 0; r < data.rows(); r += 7) data.mutable_column(1)[r] = std::nanf("");
  auto model = Fitted(data, {{"num_iterations", "10"}});
  EXPECT_GT(Accuracy(*model, data), 0.9);
}

}  // namespace
}  // namespace scaleml
