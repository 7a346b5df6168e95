// RunTrainJob's scoring: three ranks holding parts of the rows report the metrics one process
// reports (split, test file, cross-validation), and bad scoring options are input errors.
#include "engine/TrainJob.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "core/Error.h"
#include "data/CsvWriter.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

TrainRequest GbdtRequest() {
  TrainRequest request;
  request.algo = "gbdt";
  request.params = {{"num_iterations", "8"}, {"bin_sample_count", "1000"}};
  request.csv.use_cache = false;
  return request;
}

TrainReport RunAlone(const TrainRequest& request, const Dataset* data) {
  LocalComm comm;
  return RunTrainJob(request, comm, data);
}

// Every rank's report when `ranks` ranks hold interleaved shards of `data` (or, without data,
// read their partitions of the request's files).
std::vector<TrainReport> RunSharded(const TrainRequest& request, const Dataset* data, int ranks) {
  std::vector<TrainReport> reports(ranks);
  RunRanks(ranks, [&](Comm& comm) {
    if (data == nullptr) {
      reports[comm.rank()] = RunTrainJob(request, comm);
    } else {
      Dataset shard = testing::Shard(*data, comm.rank(), ranks);
      reports[comm.rank()] = RunTrainJob(request, comm, &shard);
    }
  });
  return reports;
}

void ExpectSameMetrics(const ClassificationMetrics& a, const ClassificationMetrics& b,
                       const std::string& what) {
  EXPECT_EQ(a.rows, b.rows) << what;
  EXPECT_EQ(a.confusion, b.confusion) << what;
  EXPECT_EQ(a.class_names, b.class_names) << what;
  EXPECT_DOUBLE_EQ(a.accuracy, b.accuracy) << what;
  EXPECT_NEAR(a.logloss, b.logloss, 1e-12) << what;
  EXPECT_DOUBLE_EQ(a.roc_auc, b.roc_auc) << what;
  EXPECT_DOUBLE_EQ(a.f1, b.f1) << what;
  EXPECT_DOUBLE_EQ(a.balanced_accuracy, b.balanced_accuracy) << what;
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/scaleml_trainjob_XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(TrainJob, ThreeRanksReportTheOneProcessMetrics) {
  for (int classes : {2, 3}) {
    const Dataset data = testing::MakeBlobs(3000, 6, classes, 2.5, 7 + classes);
    const TrainRequest request = GbdtRequest();
    const TrainReport alone = RunAlone(request, &data);
    EXPECT_EQ(alone.rows_train + alone.rows_test, 3000);
    EXPECT_EQ(alone.metrics.rows, alone.rows_test);
    EXPECT_DOUBLE_EQ(alone.accuracy, alone.metrics.accuracy);
    EXPECT_GT(alone.metrics.roc_auc, 0.8);
    EXPECT_EQ(alone.metrics.classes(), static_cast<std::size_t>(classes));
    for (const TrainReport& report : RunSharded(request, &data, 3)) {
      EXPECT_EQ(report.rows_test, alone.rows_test);
      EXPECT_DOUBLE_EQ(report.accuracy, alone.accuracy);
      ExpectSameMetrics(report.metrics, alone.metrics, std::to_string(classes) + " classes");
    }
    const nlohmann::json j = alone.ToJson();
    for (const char* key : {"accuracy", "logloss", "roc_auc", "f1", "balanced_accuracy"}) {
      EXPECT_TRUE(j[key].is_number()) << key;
    }
    EXPECT_EQ(j["confusion_matrix"]["matrix"].size(), static_cast<std::size_t>(classes));
    EXPECT_NE(alone.ToText().find("balanced_accuracy"), std::string::npos);
  }
}

// Folds by the row hash: the same folds in every process, every row scored once.
TEST(TrainJob, CrossValidationOverRanksMatchesOneProcess) {
  const Dataset data = testing::MakeBlobs(2000, 5, 2, 2.0, 3);
  TrainRequest request = GbdtRequest();
  request.cv_folds = 4;
  const TrainReport alone = RunAlone(request, &data);
  ASSERT_EQ(alone.cv_folds.size(), 4u);
  EXPECT_EQ(alone.rows_test, 2000);
  EXPECT_EQ(alone.rows_train, 2000);
  std::int64_t confusion_total = 0;
  for (std::int64_t count : alone.metrics.confusion) confusion_total += count;
  EXPECT_EQ(confusion_total, 2000);
  double mean = 0.0;
  for (const auto& fold : alone.cv_folds) {
    mean += fold.metrics.accuracy / 4;
    EXPECT_EQ(fold.rows_train + fold.metrics.rows, 2000);
  }
  EXPECT_NEAR(alone.accuracy, mean, 1e-12);
  const nlohmann::json cv = alone.ToJson()["cv"];
  EXPECT_EQ(cv["folds"], 4);
  EXPECT_EQ(cv["per_fold"].size(), 4u);
  EXPECT_TRUE(cv["std"]["roc_auc"].is_number());
  EXPECT_NEAR(cv["mean"]["accuracy"].get<double>(), mean, 1e-12);

  // Deterministic, times aside.
  auto without_times = [](nlohmann::json cv_json) {
    for (auto& fold : cv_json["per_fold"]) {
      fold.erase("fit_s");
      fold.erase("predict_s");
    }
    return cv_json;
  };
  EXPECT_EQ(without_times(RunAlone(request, &data).ToJson()["cv"]), without_times(cv));
  for (const TrainReport& report : RunSharded(request, &data, 3)) {
    ASSERT_EQ(report.cv_folds.size(), 4u);
    for (int f = 0; f < 4; ++f) {
      ExpectSameMetrics(report.cv_folds[f].metrics, alone.cv_folds[f].metrics,
                        "fold " + std::to_string(f));
    }
  }
}

// A separate test file: all rows of --data train; each rank reads its byte range of both files.
TEST(TrainJob, TestFileOverRanksMatchesOneProcess) {
  TempDir dir;
  WriteCsv(testing::MakeBlobs(2400, 4, 2, 2.0, 5), dir.File("train.csv"));
  WriteCsv(testing::MakeBlobs(900, 4, 2, 2.0, 5), dir.File("test.csv"));
  TrainRequest request = GbdtRequest();
  request.data_path = dir.File("train.csv");
  request.test_data_path = dir.File("test.csv");
  const TrainReport alone = RunAlone(request, nullptr);
  EXPECT_EQ(alone.rows_train, 2400);
  EXPECT_EQ(alone.rows_test, 900);
  EXPECT_EQ(alone.ToJson()["test_data"], request.test_data_path);
  request.partitioned = true;
  for (const TrainReport& report : RunSharded(request, nullptr, 3)) {
    EXPECT_EQ(report.rows_train, 2400);
    ExpectSameMetrics(report.metrics, alone.metrics, "test file");
  }

  // A test file with other columns.
  std::ofstream(dir.File("other.csv")) << "a,b,target\n1,2,0\n3,4,1\n";
  request.partitioned = false;
  request.test_data_path = dir.File("other.csv");
  EXPECT_THROW(RunAlone(request, nullptr), Error);
}

TEST(TrainJob, ScoringOptionsThatCannotWorkAreInputErrors) {
  const Dataset data = testing::MakeBlobs(200, 3, 2, 2.0, 1);
  auto expect_input_error = [&data](const TrainRequest& request, const std::string& words) {
    try {
      RunAlone(request, &data);
      ADD_FAILURE() << "no error; expected " << words;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  for (double test_size : {0.0, 1.0, -0.1}) {
    TrainRequest request = GbdtRequest();
    request.split.test_size = test_size;
    expect_input_error(request, "--test-size");
  }
  TrainRequest request = GbdtRequest();
  request.split.test_size = 1e-9;  // in range, but no row of 200 falls below it
  expect_input_error(request, "0 test rows");
  request = GbdtRequest();
  request.cv_folds = 3;
  request.test_data_path = "x.csv";
  expect_input_error(request, "exclude each other");
  request.test_data_path.clear();
  request.cv_folds = 1;
  expect_input_error(request, "at least 2 folds");
  request.cv_folds = 300;  // more folds than a fold can fill
  expect_input_error(request, "use fewer folds");
}

}  // namespace
}  // namespace scaleml
