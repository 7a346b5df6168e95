// The train report as a versioned record: every field survives a write and a read (a split, a
// cross-validation, a ddp paper run's per-rank fields, a tasks run's placement, undefined
// metrics), and a reader refuses what is not a version-1 train report with one clear error.
#include "engine/TrainReportFile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "engine/TrainJob.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/scaleml_report_XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A real report of a small run (trained once per kind for the whole test binary: milliseconds).
const TrainReport& TrainedReport(int cv_folds) {
  static const auto train = [](int folds) {
    const Dataset data = testing::MakeBlobs(300, 3, 3, 2.0, 11);
    TrainRequest request;
    request.algo = "logreg";
    request.data_path = "blobs.csv";
    request.cv_folds = folds;
    LocalComm comm;
    return RunTrainJob(request, comm, &data);
  };
  static const TrainReport split = train(0);
  static const TrainReport cv = train(3);
  return cv_folds == 0 ? split : cv;
}

// What a file holds after a write and a read, as JSON text (NaN written as null both times).
std::string RoundTrip(const TrainReport& report) {
  TempDir dir;
  WriteTrainReportFile(report, dir.File("report.json"));
  return ReadTrainReportFile(dir.File("report.json")).ToJson().dump();
}

std::string FailureOf(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TrainReportFile, ASplitReportSurvivesAWriteAndARead) {
  const TrainReport report = TrainedReport(0);
  ASSERT_EQ(report.metrics.classes(), 3u);
  EXPECT_EQ(RoundTrip(report), report.ToJson().dump());
  TempDir dir;
  WriteTrainReportFile(report, dir.File("r.json"));
  const TrainReport back = ReadTrainReportFile(dir.File("r.json"));
  EXPECT_EQ(back.engine, EngineKind::kLocal);
  EXPECT_EQ(back.metrics.confusion, report.metrics.confusion);
  EXPECT_EQ(back.metrics.rows, report.rows_test);
  EXPECT_EQ(back.params, report.params);
  EXPECT_FALSE(back.ddp_mode);
  EXPECT_FALSE(back.tasks);
  const auto record = nlohmann::json::parse(ReadWholeFile(dir.File("r.json")));
  EXPECT_EQ(record["schema"], "scaleml.train_report");
  EXPECT_EQ(record["version"], 1);
}

TEST(TrainReportFile, ACrossValidationReportKeepsItsFolds) {
  const TrainReport report = TrainedReport(3);
  ASSERT_EQ(report.cv_folds.size(), 3u);
  EXPECT_EQ(RoundTrip(report), report.ToJson().dump());
}

TEST(TrainReportFile, DdpAndTasksFieldsAndUndefinedMetricsSurvive) {
  TrainReport report = TrainedReport(0);
  report.engine = EngineKind::kDdp;
  report.ddp_mode = DdpMode::kPaper;
  report.ranks = 2;
  report.per_rank = {RankTimes{0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 1.5, 0.05, 7, 1024, 1 << 20},
                     RankTimes{1, 1, 0.1, 0.2, 0.3, 0.4, 0.5, 1.6, 0.05, 7, 2048, 2 << 20}};
  report.accuracy_per_rank = {0.75, 0.8125};
  report.rows_train_per_rank = {240, 240};
  report.metrics.roc_auc = std::numeric_limits<double>::quiet_NaN();
  report.tasks = TasksPlacement{"head", 2, 0.5, 0.25, 3.0};
  const TrainReport back = ParseTrainReportRecord(
      nlohmann::json::parse(TrainReportRecord(report).dump()), "test record");
  EXPECT_EQ(back.ToJson().dump(), report.ToJson().dump());
  EXPECT_EQ(back.ddp_mode, DdpMode::kPaper);
  ASSERT_EQ(back.per_rank.size(), 2u);
  EXPECT_EQ(back.per_rank[1].comm_bytes, 2048);
  EXPECT_TRUE(std::isnan(back.metrics.roc_auc));
  ASSERT_TRUE(back.tasks);
  EXPECT_EQ(back.tasks->node, "head");
  EXPECT_EQ(back.tasks->attempts, 2);
}

TEST(TrainReportFile, AnotherVersionIsAClearFailure) {
  nlohmann::json record = TrainReportRecord(TrainedReport(0));
  record["version"] = 2;
  const std::string why = FailureOf([&] { ParseTrainReportRecord(record, "r.json"); });
  EXPECT_NE(why.find("r.json: a train report of version 2; this build reads version 1"),
            std::string::npos)
      << why;
  record.erase("version");
  EXPECT_NE(FailureOf([&] { ParseTrainReportRecord(record, "r.json"); }).find("version null"),
            std::string::npos);
}

TEST(TrainReportFile, WhatIsNotAReportIsAClearFailure) {
  TempDir dir;
  EXPECT_NE(FailureOf([&] { ReadTrainReportFile(dir.File("none.json")); }).find("no train report"),
            std::string::npos);
  WriteFileAtomically(dir.File("text.json"), "accuracy 0.9\n");
  EXPECT_NE(FailureOf([&] { ReadTrainReportFile(dir.File("text.json")); }).find("not valid JSON"),
            std::string::npos);
  // A bare report (train --json's stdout) lacks the schema: not taken for a record.
  nlohmann::json bare = TrainedReport(0).ToJson();
  EXPECT_NE(FailureOf([&] { ParseTrainReportRecord(bare, "r.json"); }).find("not a train report"),
            std::string::npos);
  nlohmann::json record = TrainReportRecord(TrainedReport(0));
  record.erase("rows_test");
  EXPECT_NE(FailureOf([&] {
              ParseTrainReportRecord(record, "r.json");
            }).find("r.json: a malformed train report"),
            std::string::npos);
  record = TrainReportRecord(TrainedReport(0));
  record["engine"] = "spark";
  EXPECT_NE(FailureOf([&] { ParseTrainReportRecord(record, "r.json"); }).find("--engine spark"),
            std::string::npos);
}

}  // namespace
}  // namespace scaleml
