// The report's metrics against scikit-learn's on the same predictions (fixtures written by
// bench/peers/make_metrics_fixture.py), and the collective scoring: ranks holding parts of the
// test rows get the metrics one process gets on all of them.
#include "engine/Metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <mutex>

#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "core/Error.h"

namespace scaleml {
namespace {

struct Fixture {
  nlohmann::json expected;
  std::size_t classes = 0;
  std::vector<std::int32_t> truth;
  std::vector<std::int32_t> predicted;
  std::vector<float> proba;
};

Fixture LoadFixture(const std::string& name) {
  std::ifstream in(std::string(SCALEML_TEST_DATA) + "/metrics/" + name + ".json");
  EXPECT_TRUE(in.good()) << name;
  Fixture f;
  f.expected = nlohmann::json::parse(in);
  f.classes = f.expected["classes"].get<std::size_t>();
  f.truth = f.expected["y_true"].get<std::vector<std::int32_t>>();
  f.predicted = f.expected["y_pred"].get<std::vector<std::int32_t>>();
  for (double p : f.expected["proba"].get<std::vector<double>>()) {
    f.proba.push_back(static_cast<float>(p));  // exact: the fixture holds float32 values
  }
  return f;
}

std::vector<std::string> Names(std::size_t classes) {
  std::vector<std::string> names;
  for (std::size_t c = 0; c < classes; ++c) names.push_back(std::to_string(c));
  return names;
}

std::vector<std::int64_t> ExpectedConfusion(const Fixture& f) {
  std::vector<std::int64_t> out;
  for (const auto& row : f.expected["confusion_matrix"]) {
    for (const auto& count : row) out.push_back(count.get<std::int64_t>());
  }
  return out;
}

class MetricsParity : public ::testing::TestWithParam<const char*> {};

TEST_P(MetricsParity, MatchesScikitLearn) {
  const Fixture f = LoadFixture(GetParam());
  // The fixture's argmax is scaleml's (lowest index on ties).
  for (std::size_t r = 0; r < f.truth.size(); ++r) {
    const float* p = f.proba.data() + r * f.classes;
    std::size_t best = 0;
    for (std::size_t c = 1; c < f.classes; ++c) best = p[c] > p[best] ? c : best;
    ASSERT_EQ(static_cast<std::int32_t>(best), f.predicted[r]) << "row " << r;
  }
  const ClassificationMetrics m = ComputeMetrics(f.truth, f.predicted, f.proba, Names(f.classes));
  EXPECT_EQ(m.rows, static_cast<std::int64_t>(f.truth.size()));
  EXPECT_DOUBLE_EQ(m.accuracy, f.expected["accuracy"].get<double>());
  EXPECT_NEAR(m.logloss, f.expected["logloss"].get<double>(), 1e-12);
  EXPECT_NEAR(m.roc_auc, f.expected["roc_auc"].get<double>(), 1e-12);
  EXPECT_NEAR(m.f1, f.expected["f1"].get<double>(), 1e-12);
  EXPECT_NEAR(m.balanced_accuracy, f.expected["balanced_accuracy"].get<double>(), 1e-12);
  EXPECT_EQ(m.confusion, ExpectedConfusion(f));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MetricsParity,
                         ::testing::Values("binary", "multiclass3", "binary_ties",
                                           "multiclass3_ties", "class_never_predicted",
                                           "binary_one_prediction"),
                         [](const auto& info) { return std::string(info.param); });

TEST(Metrics, AucCountsTiesAsHalf) {
  // Positives at 0.5 and 0.9, negatives at 0.1 and 0.5: pairs (0.5, 0.1) 1, (0.5, 0.5) 1/2,
  // (0.9, *) 1 and 1: 3.5 of 4.
  const std::vector<float> scores = {0.1f, 0.5f, 0.5f, 0.9f};
  const std::vector<std::uint8_t> positive = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(BinaryRocAuc(scores, positive), 3.5 / 4.0);
  // Every score equal: 1/2; -0 and +0 are one score.
  EXPECT_DOUBLE_EQ(BinaryRocAuc(std::vector<float>{0.0f, -0.0f}, std::vector<std::uint8_t>{0, 1}),
                   0.5);
}

TEST(Metrics, UndefinedValuesAreNaN) {
  // One class in the truth: no AUC (sklearn raises); the others are defined.
  const std::vector<std::int32_t> truth = {1, 1, 1};
  const std::vector<std::int32_t> predicted = {1, 0, 1};
  const std::vector<float> proba = {0.2f, 0.8f, 0.6f, 0.4f, 0.1f, 0.9f};
  const ClassificationMetrics m = ComputeMetrics(truth, predicted, proba, Names(2));
  EXPECT_TRUE(std::isnan(m.roc_auc));
  EXPECT_DOUBLE_EQ(m.accuracy, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, 2.0 / 3.0);
  EXPECT_TRUE(m.ToJson()["roc_auc"].is_number());  // NaN until dumped
  EXPECT_NE(m.ToJson().dump().find("\"roc_auc\":null"), std::string::npos);
  // A NaN score.
  EXPECT_TRUE(
      std::isnan(BinaryRocAuc(std::vector<float>{NAN, 0.5f}, std::vector<std::uint8_t>{0, 1})));
}

TEST(Metrics, LogLossClipsCertainMistakes) {
  const std::vector<std::int32_t> truth = {0};
  const std::vector<float> proba = {0.0f, 1.0f};
  // p(true) = 1e-15 after clipping, renormalised by 1e-15 + (1 - 1e-15) = 1.
  EXPECT_NEAR(LogLossSum(truth, proba, 2), -std::log(1e-15), 1e-9);
}

TEST(Metrics, JsonNamesTheConfusionMatrixClasses) {
  const std::vector<std::int32_t> truth = {0, 1, 1};
  const std::vector<std::int32_t> predicted = {0, 0, 1};
  const std::vector<float> proba = {0.9f, 0.1f, 0.6f, 0.4f, 0.3f, 0.7f};
  const nlohmann::json j = ComputeMetrics(truth, predicted, proba, {"no", "yes"}).ToJson();
  EXPECT_EQ(j["confusion_matrix"]["classes"], nlohmann::json({"no", "yes"}));
  EXPECT_EQ(j["confusion_matrix"]["matrix"], nlohmann::json({{1, 0}, {1, 1}}));
  for (const char* key : {"logloss", "roc_auc", "f1", "balanced_accuracy"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST(Metrics, FoldMeanAndPopulationStd) {
  ClassificationMetrics a, b;
  a.accuracy = 0.8;
  b.accuracy = 0.9;
  a.roc_auc = NAN;
  b.roc_auc = 0.7;
  const nlohmann::json mean = MetricsMean({a, b});
  const nlohmann::json std_dev = MetricsStd({a, b});
  EXPECT_DOUBLE_EQ(mean["accuracy"].get<double>(), 0.85);
  EXPECT_NEAR(std_dev["accuracy"].get<double>(), 0.05, 1e-15);
  EXPECT_TRUE(std::isnan(mean["roc_auc"].get<double>()));
}

TEST(Metrics, ModesOfTheNamedMetrics) {
  EXPECT_EQ(MetricMode("logloss"), "min");
  for (const char* name : {"accuracy", "roc_auc", "f1", "balanced_accuracy"}) {
    EXPECT_EQ(MetricMode(name), "max") << name;
  }
  EXPECT_EQ(ScalarMetricNames().size(), 5u);
  EXPECT_THROW(MetricMode("auc"), Error);
}

// Labels from the schema's class names; a test label the model never saw joins the classes with
// probability 0.
TEST(ScoreClassifier, WidensToUnseenLabelsAndNamesClasses) {
  Schema schema;
  schema.classes = {"ant", "bee", "cat"};
  const std::vector<std::int32_t> labels = {0, 2, 1, 2};
  const std::vector<std::int32_t> model_classes = {0, 2};
  const std::vector<float> proba = {0.7f, 0.3f, 0.2f, 0.8f, 0.6f, 0.4f, 0.4f, 0.6f};
  const std::vector<std::int32_t> predicted = {0, 2, 0, 2};
  LocalComm comm;
  const ClassificationMetrics m =
      ScoreClassifier(labels, proba, predicted, model_classes, schema, comm);
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"ant", "bee", "cat"}));
  EXPECT_EQ(m.confusion, (std::vector<std::int64_t>{1, 0, 0, 1, 0, 0, 0, 0, 2}));
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  EXPECT_NEAR(m.logloss, (-std::log(0.7) - std::log(0.8) - std::log(1e-15) - std::log(0.6)) / 4,
              1e-6);
}

// Ranks holding parts of the rows (uneven, one empty) get the one-process metrics.
TEST(ScoreClassifier, RanksAgreeWithOneProcess) {
  for (const char* name : {"binary", "multiclass3", "binary_ties", "class_never_predicted"}) {
    const Fixture f = LoadFixture(name);
    std::vector<std::int32_t> model_classes;
    for (std::size_t c = 0; c < f.classes; ++c) model_classes.push_back(static_cast<int>(c));
    const Schema schema;
    LocalComm alone;
    const ClassificationMetrics one =
        ScoreClassifier(f.truth, f.proba, f.predicted, model_classes, schema, alone);
    EXPECT_NEAR(one.roc_auc, f.expected["roc_auc"].get<double>(), 1e-12) << name;
    const int ranks = 3;
    const std::size_t rows = f.truth.size();
    const std::size_t bounds[ranks + 1] = {0, rows / 5, rows / 5, rows};  // rank 1 holds nothing
    std::vector<ClassificationMetrics> results(ranks);
    RunRanks(ranks, [&](Comm& comm) {
      const std::size_t begin = bounds[comm.rank()], end = bounds[comm.rank() + 1];
      const std::span<const std::int32_t> truth(f.truth.data() + begin, end - begin);
      const std::span<const std::int32_t> predicted(f.predicted.data() + begin, end - begin);
      const std::span<const float> proba(f.proba.data() + begin * f.classes,
                                         (end - begin) * f.classes);
      results[comm.rank()] = ScoreClassifier(truth, proba, predicted, model_classes, schema, comm);
    });
    for (int r = 0; r < ranks; ++r) {
      const ClassificationMetrics& m = results[r];
      EXPECT_EQ(m.rows, one.rows) << name << " rank " << r;
      EXPECT_EQ(m.confusion, one.confusion) << name << " rank " << r;
      EXPECT_EQ(m.class_names, one.class_names);
      EXPECT_DOUBLE_EQ(m.accuracy, one.accuracy);
      EXPECT_NEAR(m.logloss, one.logloss, 1e-12);
      EXPECT_DOUBLE_EQ(m.roc_auc, one.roc_auc);
      EXPECT_DOUBLE_EQ(m.f1, one.f1);
      EXPECT_DOUBLE_EQ(m.balanced_accuracy, one.balanced_accuracy);
    }
  }
}

// A label the model never saw, held by one rank only: every rank widens to the same classes.
TEST(ScoreClassifier, AnUnseenLabelOnOneRankWidensEveryRank) {
  Fixture f = LoadFixture("binary");
  const std::size_t rows = f.truth.size();
  for (std::size_t r = rows - 7; r < rows; ++r) f.truth[r] = 5;  // in the last rank's rows
  const std::vector<std::int32_t> model_classes = {0, 1};
  const Schema schema;
  LocalComm alone;
  const ClassificationMetrics one =
      ScoreClassifier(f.truth, f.proba, f.predicted, model_classes, schema, alone);
  EXPECT_EQ(one.class_names, (std::vector<std::string>{"0", "1", "5"}));
  EXPECT_EQ(one.confusion_at(2, 0) + one.confusion_at(2, 1), 7);
  std::vector<ClassificationMetrics> results(3);
  RunRanks(3, [&](Comm& comm) {
    const std::size_t begin = rows * comm.rank() / 3, end = rows * (comm.rank() + 1) / 3;
    results[comm.rank()] =
        ScoreClassifier(std::span<const std::int32_t>(f.truth.data() + begin, end - begin),
                        std::span<const float>(f.proba.data() + begin * 2, (end - begin) * 2),
                        std::span<const std::int32_t>(f.predicted.data() + begin, end - begin),
                        model_classes, schema, comm);
  });
  for (const ClassificationMetrics& m : results) {
    EXPECT_EQ(m.class_names, one.class_names);
    EXPECT_EQ(m.confusion, one.confusion);
    EXPECT_NEAR(m.logloss, one.logloss, 1e-12);
    EXPECT_DOUBLE_EQ(m.roc_auc, one.roc_auc);
    EXPECT_DOUBLE_EQ(m.f1, one.f1);
  }
}

}  // namespace
}  // namespace scaleml
