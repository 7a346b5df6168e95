// The report across sizes from tests/data/bench/sizes/results.jsonl: two sizes (1GB, 2GB), both
// data variants on the local engine, and peers out of time (one written by an older scaleml as
// "failed"), out of memory, and skipped after a timeout at the smaller size.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bench/FigureMaker.h"
#include "bench/ReportTables.h"
#include "bench/ReportWriter.h"
#include "bench/ResultsFile.h"
#include "bench/SizeTables.h"
#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace {

namespace fs = std::filesystem;

const std::string kResults = std::string(SCALEML_TEST_DATA) + "/bench/sizes/results.jsonl";

std::vector<nlohmann::json> Records() { return LatestRecords(ResultsFile(kResults).ReadAll()); }

bool Has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

TEST(SizesReportTest, AccuracyAgainstSizeHasBothVariantsOfTheLocalEngine) {
  EXPECT_EQ(AccuracyAgainstSizeTable(Records()),
            "| algorithm | data | 1GB | 2GB |\n"
            "|---|---|---:|---:|\n"
            "| gbdt | per-chunk | 0.8323 | 0.7701 |\n"
            "| gbdt | one | 0.9102 | 0.9153 |\n"
            "| rf | per-chunk | 0.9528 | 0.9497 |\n"
            "| rf | one | 0.9701 | 0.9752 |\n");
  const SizeChart chart = AccuracyAgainstSizeChart(Records());
  EXPECT_EQ(chart.data,
            "size_gb\t\"gbdt per-chunk\"\t\"gbdt one\"\t\"rf per-chunk\"\t\"rf one\"\n"
            "1\t0.8323\t0.9102\t0.9528\t0.9701\n"
            "2\t0.7701\t0.9153\t0.9497\t0.9752\n");
  // Colour: the algorithm's place in the paper's order; dash: 1 per-chunk, 2 one problem.
  EXPECT_EQ(chart.styles, (std::vector<std::pair<int, int>>{{1, 1}, {1, 2}, {4, 1}, {4, 2}}));
}

TEST(SizesReportTest, SecondsAgainstSizeShowPeersOutOfTimeOrMemoryWithTheirLimits) {
  EXPECT_EQ(SecondsAgainstSizeTable(Records()),
            "| algorithm | engine | data | 1GB s | 2GB s |\n"
            "|---|---|---|---:|---:|\n"
            "| gbdt | local | per-chunk | 8.97 | 18.50 |\n"
            "| gbdt | python | per-chunk | 25.51 | > 30 s (limit) |\n"
            "| gbdt | local | one | 9.20 | 19.00 |\n"
            "| rf | local | per-chunk | 5.99 | 12.10 |\n"
            "| rf | python | per-chunk | > 300 s (limit) | skipped (exceeded the 300 s limit at "
            "1GB) |\n"
            "| rf | local | one | 6.10 | 12.50 |\n"
            "| knn | ddp-paper x3 | per-chunk | — | 14.00 |\n"
            "| knn | torch-ddp x3 | per-chunk | — | out of memory |\n");
}

TEST(SizesReportTest, OneSizeHasNoTableAgainstSize) {
  std::vector<nlohmann::json> one_size;
  for (const auto& r : Records()) {
    if (r.value("size", "") == "1GB") one_size.push_back(r);
  }
  EXPECT_EQ(AccuracyAgainstSizeTable(one_size), "");
  EXPECT_EQ(SecondsAgainstSizeTable(one_size), "");
  EXPECT_EQ(AccuracyAgainstSizeChart(one_size).data, "");
}

TEST(SizesReportTest, TheReportShowsPeersThatDidNotFinishAsResults) {
  const std::string report = RenderReport(ResultsFile(kResults).ReadAll(), FigureSet{});
  for (const char* fragment : {
           "Runs: 10 ok, 0 failed, 2 out of time, 1 out of memory, 1 skipped.",
           "## Accuracy against size",
           "## Seconds against size",
           // The per-algorithm tables: a column per size and variant, the peer's outcome in it.
           "| engine | 1GB total s | 1GB accuracy | 2GB total s | 2GB accuracy | 1GB one-problem "
           "total s |",
           "| python (peer) | 25.51 | 0.8302 | > 30 s (limit) | — | — | — | — | — |",
           "| python (peer) | > 300 s (limit) | — | skipped (exceeded the 300 s limit at 1GB) | — "
           "|",
           "| torch-ddp x3 (peer) | out of memory | — |",
           "| python | 2GB | 10000000 | — | — | — | — | — | — | — | — | — | timeout (30 s limit) |",
           // Against the peers: a timeout bounds the ratio from below.
           "| gbdt | 2GB | local | python | 18.50 | > 30 s (limit) | > 1.6 | 15.00 | — | — | "
           "0.7701 | — |",
           "| rf | 1GB | local | python | 5.99 | > 300 s (limit) | > 50.1 |",
           "| knn | 2GB | ddp-paper x3 | torch-ddp x3 | 14.00 | out of memory | — |",
           "| paper/rf/python/2GB/r1/t0 | skipped | exceeded the 300 s limit at 1GB |",
       }) {
    EXPECT_TRUE(Has(report, fragment)) << "missing: " << fragment << "\n" << report;
  }
}

TEST(SizesReportTest, OneProblemRunsAreNotComparedWithThePapersFigures) {
  auto records = Records();
  nlohmann::json tasks = {{"run_id", "paper/gbdt/tasks/1GB/r1/t2/one"},
                          {"algo", "gbdt"},
                          {"engine", "tasks"},
                          {"trials", 2},
                          {"size", "1GB"},
                          {"problem", "one"},
                          {"rows", 5000000},
                          {"status", "ok"},
                          {"accuracy", 0.91},
                          {"load_s", 1.0},
                          {"total_s", 11.0}};
  records.push_back(tasks);
  // The paper's data is per-chunk: a one-problem tasks run is no counterpart of its Ray figure.
  EXPECT_TRUE(
      Has(PaperComparisonTable(records), "| LightGBM | 1GB | 21.47 | — | 94.10 | — | 0.840 | — |"));
  records.back()["problem"] = "per-chunk";
  EXPECT_TRUE(Has(PaperComparisonTable(records),
                  "| LightGBM | 1GB | 21.47 | 10.00 | 94.10 | — | 0.840 | 0.910 |"));
}

TEST(SizesReportTest, SeveralFoldersMakeOneReport) {
  const fs::path root = fs::temp_directory_path() / "scaleml-sizes-report-test";
  fs::remove_all(root);
  std::string small, large;
  for (const auto& r : ResultsFile(kResults).ReadAll()) {
    (r.value("size", "") == "1GB" ? small : large) += r.dump() + "\n";
  }
  fs::create_directories(root / "paper-1gb");
  fs::create_directories(root / "paper-2gb");
  WriteFileAtomically((root / "paper-1gb/results.jsonl").string(), small);
  WriteFileAtomically((root / "paper-2gb/results.jsonl").string(), large);
  // No gnuplot: the tables are what is checked here, and the test stays fast.
  const std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  setenv("PATH", "/nonexistent", 1);
  const std::string report = WriteReport(
      {(root / "paper-1gb").string(), (root / "paper-2gb").string()}, (root / "all").string());
  setenv("PATH", path.c_str(), 1);
  const std::string text = ReadWholeFile(report);
  EXPECT_TRUE(Has(text, "| gbdt | per-chunk | 0.8323 | 0.7701 |")) << text;
  EXPECT_TRUE(Has(text, "| rf | python | per-chunk | > 300 s (limit) | skipped")) << text;
  EXPECT_THROW(WriteReport({(root / "nowhere").string()}, (root / "all").string()), Error);
  fs::remove_all(root);
}

}  // namespace
}  // namespace scaleml::bench
