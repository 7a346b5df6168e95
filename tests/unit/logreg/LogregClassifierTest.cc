// Logistic regression: data-parallel fits equal the single-process fit, solvers agree, models
// round-trip through their file format, and bad input is a clear error.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include "algo/AlgorithmFactories.h"
#include "algo/logreg/LogisticObjective.h"
#include "algo/logreg/LogregClassifier.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "core/Error.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::ContiguousShard;
using testing::MakeBlobs;
using testing::Shard;

LogregClassifier FitLocal(const Dataset& data, const ParamMap& params = {}) {
  LogregClassifier model(LogregSchema().Parse(params));
  LocalComm comm;
  model.Fit(data, comm);
  return model;
}

double MaxRelativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(1.0, std::fabs(b[i])));
  }
  return worst;
}

struct DistributedCase {
  int classes;
  int ranks;
  bool contiguous;
};

class LogregDistributedTest : public ::testing::TestWithParam<DistributedCase> {};

TEST_P(LogregDistributedTest, ShardsGiveTheSingleProcessCoefficients) {
  const auto [classes, ranks, contiguous] = GetParam();
  Dataset data = MakeBlobs(3000, 6, classes, 2.0, 11 + classes);
  LogregClassifier single = FitLocal(data);
  ASSERT_TRUE(single.converged());

  std::mutex mutex;
  std::vector<std::vector<double>> coefs(ranks), intercepts(ranks);
  RunRanks(ranks, [&](Comm& comm) {
    Dataset shard =
        contiguous ? ContiguousShard(data, comm.rank(), ranks) : Shard(data, comm.rank(), ranks);
    LogregClassifier model(LogregParams{});
    model.Fit(shard, comm);
    std::lock_guard lock(mutex);
    coefs[comm.rank()] = model.coef();
    intercepts[comm.rank()] = model.intercept();
  });
  for (int r = 0; r < ranks; ++r) {
    EXPECT_LE(MaxRelativeDifference(coefs[r], single.coef()), 1e-6) << "rank " << r;
    EXPECT_LE(MaxRelativeDifference(intercepts[r], single.intercept()), 1e-6) << "rank " << r;
    EXPECT_EQ(coefs[r], coefs[0]) << "ranks must end with the identical model";
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, LogregDistributedTest,
                         ::testing::Values(DistributedCase{2, 2, false},
                                           DistributedCase{2, 3, true}, DistributedCase{3, 2, true},
                                           DistributedCase{4, 3, false}));

TEST(LogregClassifierTest, RankWithoutRowsStillJoinsTheFit) {
  Dataset data = MakeBlobs(800, 4, 2, 2.0, 5);
  LogregClassifier single = FitLocal(data);
  RunRanks(2, [&](Comm& comm) {
    Dataset shard = comm.rank() == 0 ? data.Clone() : data.Take(std::vector<std::size_t>{});
    LogregClassifier model(LogregParams{});
    model.Fit(shard, comm);
    EXPECT_LE(MaxRelativeDifference(model.coef(), single.coef()), 1e-9);
  });
}

TEST(LogregClassifierTest, GradientVanishesAtTheOptimum) {
  // A well-separated multiclass problem: the fit must still stop at a finite optimum (L2 keeps it
  // bounded), where the true mean gradient is below tol even though the last Newton step may be
  // taken on the strength of quadratic convergence alone.
  for (int classes : {2, 3}) {
    Dataset data = MakeBlobs(2000, 5, classes, 6.0, 21);
    LogregClassifier model = FitLocal(data, {{"tol", "1e-10"}});
    EXPECT_TRUE(model.converged());
    EXPECT_LE(model.iterations(), 25);
    const int vectors = classes == 2 ? 1 : classes;
    std::vector<double> weights;
    for (int m = 0; m < vectors; ++m) {
      for (int f = 0; f < 5; ++f) weights.push_back(model.coef()[m * 5 + f]);
      weights.push_back(model.intercept()[m]);
    }
    const std::vector<std::int32_t> codes = EncodeLabels(data, model.classes());
    LogisticObjective objective(data, codes, vectors, 1, true, 1.0);
    ObjectiveValue value;
    LocalComm comm;
    objective.Evaluate(weights, false, comm, &value);
    for (double g : value.gradient) EXPECT_LE(std::fabs(g) / data.rows(), 1e-10);
    if (classes > 2) {
      double intercept_sum = 0.0;
      for (double b : model.intercept()) intercept_sum += b;
      EXPECT_NEAR(intercept_sum, 0.0, 1e-9);  // softmax intercepts centred, as scikit-learn's
    }
  }
}

TEST(LogregClassifierTest, SampleStartOnLargeDataReachesTheSameOptimum) {
  // Above 262144 rows Newton starts from a row sample's optimum; the end point must not move,
  // on one process or on shards (the sample is chosen by global row id).
  Dataset data = MakeBlobs(300000, 4, 2, 1.0, 40);
  LogregClassifier cold = FitLocal(data, {{"sample_start", "false"}});
  LogregClassifier warm = FitLocal(data);
  EXPECT_TRUE(warm.converged());
  EXPECT_LT(warm.iterations(), cold.iterations());
  EXPECT_LE(MaxRelativeDifference(warm.coef(), cold.coef()), 1e-7);
  EXPECT_LE(MaxRelativeDifference(warm.intercept(), cold.intercept()), 1e-7);
  RunRanks(2, [&](Comm& comm) {
    LogregClassifier model(LogregParams{});
    model.Fit(ContiguousShard(data, comm.rank(), 2), comm);
    EXPECT_LE(MaxRelativeDifference(model.coef(), warm.coef()), 1e-9);
  });
}

TEST(LogregClassifierTest, LbfgsReachesNewtonsOptimum) {
  Dataset data = MakeBlobs(1500, 5, 3, 2.0, 3);
  LogregClassifier newton = FitLocal(data, {{"solver", "newton"}});
  LogregClassifier lbfgs = FitLocal(data, {{"solver", "lbfgs"}, {"max_iter", "2000"}});
  EXPECT_TRUE(lbfgs.converged());
  EXPECT_LE(MaxRelativeDifference(lbfgs.coef(), newton.coef()), 1e-5);
  EXPECT_LE(MaxRelativeDifference(lbfgs.intercept(), newton.intercept()), 1e-5);
}

TEST(LogregClassifierTest, ManyParametersUseLbfgsAndAgreeWithNewton) {
  // 3 classes x (70 features + 1) = 213 parameters: above Newton's limit for `auto`.
  Dataset data = MakeBlobs(600, 70, 3, 3.0, 8);
  LogregClassifier automatic = FitLocal(data, {{"max_iter", "3000"}, {"tol", "1e-7"}});
  LogregClassifier newton = FitLocal(data, {{"solver", "newton"}, {"tol", "1e-7"}});
  EXPECT_TRUE(automatic.converged());
  EXPECT_GT(automatic.iterations(), newton.iterations());  // it did not run Newton
  EXPECT_LE(MaxRelativeDifference(automatic.coef(), newton.coef()), 1e-4);
}

TEST(LogregClassifierTest, MoreRegularisationShrinksCoefficients) {
  Dataset data = MakeBlobs(1000, 4, 2, 2.0, 4);
  auto norm = [](const std::vector<double>& w) {
    double sum = 0.0;
    for (double v : w) sum += v * v;
    return sum;
  };
  EXPECT_LT(norm(FitLocal(data, {{"C", "0.001"}}).coef()), norm(FitLocal(data).coef()));
}

TEST(LogregClassifierTest, SaveLoadRoundTripPredictsIdentically) {
  for (int classes : {2, 3}) {
    Dataset data = MakeBlobs(600, 5, classes, 2.0, 30 + classes);
    LogregClassifier model = FitLocal(data);
    BinaryWriter out;
    model.SaveModel(out);
    auto loaded = MakeLogregClassifier(model.params());
    loaded->set_classes(model.classes());
    BinaryReader in(out.bytes(), "model.bin");
    loaded->LoadModel(in);
    EXPECT_TRUE(in.AtEnd());
    LocalComm comm;
    EXPECT_EQ(loaded->PredictProba(data, comm), model.PredictProba(data, comm));
    EXPECT_EQ(loaded->Predict(data, comm), model.Predict(data, comm));
  }
}

TEST(LogregClassifierTest, TruncatedModelIsAClearError) {
  Dataset data = MakeBlobs(300, 3, 2, 2.0, 2);
  LogregClassifier model = FitLocal(data);
  BinaryWriter out;
  model.SaveModel(out);
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{6}, out.bytes().size() / 2, out.bytes().size() - 1}) {
    LogregClassifier loaded(LogregParams{});
    loaded.set_classes(model.classes());
    BinaryReader in(std::string_view(out.bytes()).substr(0, cut), "cut.model");
    try {
      loaded.LoadModel(in);
      ADD_FAILURE() << "a model cut at " << cut << " bytes loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find("cut.model"), std::string::npos) << e.what();
    }
  }
}

TEST(LogregClassifierTest, ModelThatDoesNotFitItsClassesIsAnError) {
  Dataset data = MakeBlobs(300, 3, 2, 2.0, 2);
  LogregClassifier model = FitLocal(data);
  BinaryWriter out;
  model.SaveModel(out);
  LogregClassifier loaded(LogregParams{});
  loaded.set_classes({0, 1, 2});  // a sigmoid model cannot serve three classes
  BinaryReader in(out.bytes(), "other.model");
  EXPECT_THROW(loaded.LoadModel(in), Error);
}

TEST(LogregClassifierTest, BadParametersAreInputErrorsNamingThem) {
  auto message_of = [](const ParamMap& params) -> std::string {
    try {
      MakeLogregClassifier(params);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message_of({{"C", "-1"}}).find("C"), std::string::npos);
  EXPECT_NE(message_of({{"C", "abc"}}).find("not a finite number"), std::string::npos);
  EXPECT_NE(message_of({{"max_iter", "0"}}).find("max_iter"), std::string::npos);
  EXPECT_NE(message_of({{"multi_class", "crammer"}}).find("multinomial"), std::string::npos);
  const std::string unknown = message_of({{"penalty", "l1"}});
  EXPECT_NE(unknown.find("penalty"), std::string::npos);
  EXPECT_NE(unknown.find("fit_intercept"), std::string::npos);  // lists the valid names
  EXPECT_EQ(MakeLogregClassifier({{"c", "2.5"}})->params().at("C"), "2.5");  // alias
}

TEST(LogregClassifierTest, PredictRejectsOtherFeatureCounts) {
  LogregClassifier model = FitLocal(MakeBlobs(300, 3, 2, 2.0, 2));
  LocalComm comm;
  EXPECT_THROW(model.PredictProba(MakeBlobs(10, 4, 2, 2.0, 2), comm), Error);
  // Missing values are imputed; infinite ones have no encoding.
  Dataset inf_rows = MakeBlobs(10, 3, 2, 2.0, 2);
  inf_rows.mutable_column(0)[4] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(model.PredictProba(inf_rows, comm), Error);
  EXPECT_THROW(model.Predict(inf_rows, comm), Error);
  LogregClassifier untrained(LogregParams{});
  EXPECT_THROW(untrained.PredictProba(MakeBlobs(10, 3, 2, 2.0, 2), comm), Error);
}

TEST(LogregClassifierTest, InfiniteFeaturesStopEveryRank) {
  Dataset data = MakeBlobs(400, 3, 2, 2.0, 3);
  std::atomic<int> errors{0};
  RunRanks(2, [&](Comm& comm) {
    Dataset shard = Shard(data, comm.rank(), 2);
    if (comm.rank() == 1) shard.mutable_column(2)[7] = std::numeric_limits<float>::infinity();
    LogregClassifier model(LogregParams{});
    try {
      model.Fit(shard, comm);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find(comm.rank() == 1 ? "feature_2" : "another rank"),
                std::string::npos)
          << e.what();
      ++errors;
    }
  });
  EXPECT_EQ(errors, 2);
}

TEST(LogregClassifierTest, SingleClassIsAnInputError) {
  Dataset data = MakeBlobs(50, 3, 2, 2.0, 2);
  for (auto& label : data.mutable_labels()) label = 1;
  LogregClassifier model(LogregParams{});
  LocalComm comm;
  EXPECT_THROW(model.Fit(data, comm), Error);
}

}  // namespace
}  // namespace scaleml
