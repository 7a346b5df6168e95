// The report from fixed records: tests/data/bench/results.jsonl (with a re-run that replaces a
// failure, a skipped run, scaling runs and a truncated last line) against hand-computed fragments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/FigureMaker.h"
#include "bench/ReportTables.h"
#include "bench/ReportWriter.h"
#include "bench/ResultsFile.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace {

const std::string kData = std::string(SCALEML_TEST_DATA) + "/bench/";

std::vector<nlohmann::json> Fixture() { return ResultsFile(kData + "results.jsonl").ReadAll(); }

TEST(ResultsFileTest, ReadsEveryCompleteLineAndSkipsATruncatedLastOne) {
  const auto records = Fixture();
  ASSERT_EQ(records.size(), 13u);
  EXPECT_EQ(records[0]["algo"], "logreg");
  EXPECT_EQ(LatestRecords(records).size(), 12u);
}

TEST(ResultsFileTest, FinishedIdsAreOkAndSkippedRuns) {
  const auto ids = ResultsFile(kData + "results.jsonl").FinishedIds();
  EXPECT_EQ(ids.count("paper/logreg/ddp-one-model/1GB/r3/t0"), 1u);
  EXPECT_EQ(ids.count("paper/logreg/ddp-paper/1GB/r3/t0"), 1u);
  EXPECT_EQ(ids.count("paper/knn/tasks/1GB/r1/t2"), 1u);  // skipped
  EXPECT_EQ(ids.count("trunc"), 0u);
  EXPECT_EQ(ids.size(), 12u);
}

TEST(ResultsFileTest, ABadLineInTheMiddleNamesFileAndLine) {
  try {
    ParseJsonLines("{\"a\":1}\nnot json\n{\"b\":2}\n", "x.jsonl");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    EXPECT_NE(std::string(e.what()).find("x.jsonl:2"), std::string::npos) << e.what();
  }
}

TEST(ResultsFileTest, AppendThenReadRoundTrips) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "scaleml-bench-append-test.jsonl").string();
  std::filesystem::remove(path);
  ResultsFile file(path);
  file.Append({{"run_id", "a"}, {"status", "ok"}});
  file.Append({{"run_id", "b"}, {"status", "failed"}});
  const auto records = file.ReadAll();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["run_id"], "b");
  EXPECT_EQ(file.FinishedIds(), std::set<std::string>{"a"});
  std::filesystem::remove(path);
}

TEST(ReportTest, ContainsTheExpectedFragments) {
  FigureSet figures;
  figures.made = {"time"};
  const std::string report = RenderReport(Fixture(), figures);
  std::ifstream in(kData + "expected_report_fragments.txt");
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++checked;
    EXPECT_NE(report.find(line), std::string::npos) << "missing: " << line << "\n" << report;
  }
  EXPECT_GE(checked, 29);
  EXPECT_NE(report.find("![time](figures/time.png)"), std::string::npos);
  // The failed first attempt was replaced by its re-run.
  EXPECT_EQ(report.find("first attempt"), std::string::npos);
  // Ratios only for matching pairs: the one-model ddp run and the tasks run have no peer.
  EXPECT_EQ(report.find("| logreg | 1GB | ddp x3 | python"), std::string::npos);
  EXPECT_EQ(report.find("| logreg | 1GB | tasks x2 | python"), std::string::npos);
  EXPECT_EQ(report.find("no torch-ddp peer"), std::string::npos);
}

TEST(ReportTest, PaperModeWithoutTheTorchPeerSaysWhy) {
  std::vector<nlohmann::json> records;
  for (const auto& r : LatestRecords(Fixture())) {
    if (r.value("engine", "") != "torch-ddp") records.push_back(r);
  }
  const std::string report = RenderReport(records, FigureSet{});
  EXPECT_NE(report.find("paper mode has no torch-ddp peer here"), std::string::npos);
  EXPECT_EQ(report.find("| ddp-paper x3 | torch-ddp x3 |"), std::string::npos);
  // The other pair still has its ratio.
  EXPECT_NE(report.find("| logreg | 1GB | local | python | 7.00 | 14.00 | 2.00 |"),
            std::string::npos);
}

TEST(FigureDataTest, SpeedupHasOneLinePerCountAndOneColumnPerSeries) {
  const std::string data = SpeedupChartData(ScalingPoints(LatestRecords(Fixture())));
  EXPECT_EQ(data,
            "n\t\"rf 20000 ddp\"\t\"rf 20000 tasks\"\n"
            "1\t1\t1\n"
            "2\t1.6\t1.5\n");
  std::vector<ScalingPoint> uneven = {{"knn", "1k", "ddp", 1, 4.0},
                                      {"knn", "1k", "ddp", 3, 2.0},
                                      {"rf", "1k", "ddp", 1, 4.0},
                                      {"rf", "1k", "ddp", 2, 2.0}};
  uneven[1].speedup = 2;
  uneven[3].speedup = 2;
  EXPECT_EQ(SpeedupChartData(uneven),
            "n\t\"knn 1k ddp\"\t\"rf 1k ddp\"\n1\t0\t0\n2\t?\t2\n3\t2\t?\n");
}

TEST(ReportTest, SaysSoWhenGnuplotIsMissing) {
  FigureSet figures;
  figures.note = "gnuplot was not found (install gnuplot-nox): no figures were drawn.";
  const std::string report = RenderReport(Fixture(), figures);
  EXPECT_NE(report.find("gnuplot was not found"), std::string::npos);
  EXPECT_EQ(report.find("!["), std::string::npos);
}

TEST(ReportTest, NoPeerNoScalingSections) {
  std::vector<nlohmann::json> records = {{{"run_id", "q/knn/local/100k/r1/t0"},
                                          {"algo", "knn"},
                                          {"engine", "local"},
                                          {"size", "100k"},
                                          {"status", "ok"},
                                          {"accuracy", 0.95},
                                          {"total_s", 1.0}}};
  const std::string report = RenderReport(records, FigureSet{});
  EXPECT_NE(report.find("No Python peer ran"), std::string::npos);
  EXPECT_EQ(report.find("## Scaling"), std::string::npos);
  EXPECT_TRUE(ScalingTable(records).empty());
}

TEST(FigureDataTest, BarChartHasOneColumnPerSeriesAndMarksMissingRuns) {
  const std::string data = BarChartData(LatestRecords(Fixture()), "accuracy");
  std::istringstream lines(data);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(header.rfind("algorithm\t\"local 1GB\"\t\"tasks x2 1GB\"", 0), 0u) << header;
  EXPECT_EQ(first.rfind("logreg\t0.5912\t0.5912\t0.5911\t0.5805\t0.591\t0.5801\t?", 0), 0u)
      << first;
  EXPECT_EQ(second.rfind("rf\t?", 0), 0u) << second;
}

}  // namespace
}  // namespace scaleml::bench
