// Predictions against scikit-learn's brute-force KNeighborsClassifier on the fixtures that
// bench/peers/make_knn_fixture.py wrote (test rows with distance ties at the k-th neighbour are
// left out there), on one process and on shards of ranks.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "algo/knn/KnnClassifier.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "data/CsvReader.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

struct Fixture {
  Dataset train, test;
  nlohmann::json expected;
  ParamMap params;
};

Fixture LoadFixture(const std::string& name) {
  const std::string base = std::string(SCALEML_TEST_DATA) + "/knn/" + name;
  CsvOptions csv;
  csv.use_cache = false;
  Fixture fixture{ReadCsv(base + ".train.csv", csv), ReadCsv(base + ".test.csv", csv), {}, {}};
  std::ifstream in(base + ".expected.json");
  fixture.expected = nlohmann::json::parse(in);
  for (const auto& [key, value] : fixture.expected["params"].items()) {
    fixture.params[key] = value.get<std::string>();
  }
  return fixture;
}

void ExpectMatchesScikitLearn(const Fixture& fixture, const std::vector<std::int32_t>& predicted,
                              const std::vector<float>& proba, std::size_t classes) {
  const auto rows = fixture.expected["rows"].get<std::vector<std::size_t>>();
  const auto labels = fixture.expected["predictions"].get<std::vector<std::int32_t>>();
  const auto expected_proba = fixture.expected["proba"].get<std::vector<std::vector<double>>>();
  ASSERT_FALSE(rows.empty());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(predicted[rows[i]], labels[i]) << "test row " << rows[i];
    for (std::size_t c = 0; c < classes; ++c) {
      EXPECT_NEAR(proba[rows[i] * classes + c], expected_proba[i][c], 1e-6) << "row " << rows[i];
    }
  }
}

class KnnParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KnnParityTest, SingleProcessMatchesScikitLearnBruteForce) {
  const Fixture fixture = LoadFixture(GetParam());
  KnnClassifier model(KnnSchema().Parse(fixture.params));
  LocalComm comm;
  model.Fit(fixture.train, comm);
  ASSERT_EQ(model.classes(), fixture.expected["classes"].get<std::vector<std::int32_t>>());
  ExpectMatchesScikitLearn(fixture, model.Predict(fixture.test, comm),
                           model.PredictProba(fixture.test, comm), model.classes().size());
}

TEST_P(KnnParityTest, ShardedRanksMatchScikitLearnBruteForce) {
  const Fixture fixture = LoadFixture(GetParam());
  for (int ranks : {2, 3}) {
    std::vector<std::int32_t> predicted(fixture.test.rows(), -1);
    std::vector<float> proba;
    std::size_t classes = 0;
    std::mutex mutex;
    RunRanks(ranks, [&](Comm& comm) {
      Dataset train = testing::Shard(fixture.train, comm.rank(), ranks);
      // Queries held contiguously, so each rank predicts a different slice of the test set.
      Dataset test = testing::ContiguousShard(fixture.test, comm.rank(), ranks);
      KnnClassifier model(KnnSchema().Parse(fixture.params));
      model.Fit(train, comm);
      auto mine = model.Predict(test, comm);
      auto mine_proba = model.PredictProba(test, comm);
      std::lock_guard lock(mutex);
      classes = model.classes().size();
      proba.resize(fixture.test.rows() * classes);
      for (std::size_t i = 0; i < test.rows(); ++i) {
        const auto row = static_cast<std::size_t>(test.row_ids()[i]);
        predicted[row] = mine[i];
        std::copy_n(mine_proba.begin() + i * classes, classes, proba.begin() + row * classes);
      }
    });
    ExpectMatchesScikitLearn(fixture, predicted, proba, classes);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KnnParityTest,
                         ::testing::Values("multiclass3", "binary_k7", "grid_ties"));

}  // namespace
}  // namespace scaleml
