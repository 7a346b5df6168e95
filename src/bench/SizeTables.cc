#include "bench/SizeTables.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "bench/DataProblem.h"
#include "bench/ReportTables.h"
#include "bench/RunStatus.h"
#include "bench/SuitePlan.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

DataProblem ProblemOf(const json& r) { return ProblemOfRecord(r.value("problem", "")); }

const std::vector<DataProblem>& BothVariants() {
  static const std::vector<DataProblem> variants = {DataProblem::kPerChunk, DataProblem::kOne};
  return variants;
}

// The local engine's runs: one model, one process, the same on both data variants.
std::vector<json> LocalRuns(const std::vector<json>& records) {
  std::vector<json> local;
  for (const auto& r : records) {
    if (r.value("engine", "") == "local") local.push_back(r);
  }
  return local;
}

// The run of (algorithm, engine label, variant) at `rows`; null when there is none.
const json* Find(const std::vector<json>& records, const std::string& algo,
                 const std::string& engine, DataProblem problem, std::int64_t rows) {
  const json* found = nullptr;
  for (const auto& r : records) {
    if (r.value("algo", "") == algo && EngineLabel(r) == engine && ProblemOf(r) == problem &&
        r.value("rows", std::int64_t{0}) == rows) {
      found = &r;  // the latest wins
    }
  }
  return found;
}

// The header of a table with `label_columns` columns of labels, then one per size.
std::string Header(const std::vector<SizePoint>& sizes, const std::string& labels,
                   int label_columns, const std::string& unit) {
  std::string out = labels, rule = "|";
  for (int i = 0; i < label_columns; ++i) rule += "---|";
  for (const auto& s : sizes) {
    out += " " + s.size + unit + " |";
    rule += "---:|";
  }
  return out + "\n" + rule + "\n";
}

std::string AccuracyCell(const json* r) {
  if (r == nullptr) return "—";
  if (StatusOf(*r) == RunStatus::kOk) return Cell(*r, "accuracy", 4);
  return StatusText(*r);
}

}  // namespace

std::vector<SizePoint> SizesOf(const std::vector<json>& records) {
  std::map<std::int64_t, std::string> by_rows;
  for (const auto& r : records) {
    const auto rows = r.value("rows", std::int64_t{0});
    if (rows > 0 && by_rows.count(rows) == 0) by_rows[rows] = r.value("size", "");
  }
  std::vector<SizePoint> sizes;
  for (const auto& [rows, size] : by_rows) sizes.push_back({size, rows});
  return sizes;
}

std::string AccuracyAgainstSizeTable(const std::vector<json>& records) {
  const std::vector<json> local = LocalRuns(records);
  const auto sizes = SizesOf(local);
  if (sizes.size() < 2) return "";
  std::string rows;
  for (const auto& algo : AllAlgorithms()) {
    for (DataProblem problem : BothVariants()) {
      std::string line = "| " + algo + " | " + ProblemName(problem) + " |";
      bool any = false;
      for (const auto& s : sizes) {
        const json* r = Find(local, algo, "local", problem, s.rows);
        any = any || r != nullptr;
        line.append(" ").append(AccuracyCell(r)).append(" |");
      }
      if (any) rows += line + "\n";
    }
  }
  return Header(sizes, "| algorithm | data |", 2, "") + rows;
}

std::string SecondsAgainstSizeTable(const std::vector<json>& records) {
  const auto sizes = SizesOf(records);
  if (sizes.size() < 2) return "";
  // Engines in order of first appearance, within each algorithm and variant.
  std::string rows;
  for (const auto& algo : AllAlgorithms()) {
    for (DataProblem problem : BothVariants()) {
      std::vector<std::string> engines;
      for (const auto& r : records) {
        if (r.value("algo", "") != algo || ProblemOf(r) != problem) continue;
        const std::string label = EngineLabel(r);
        if (std::find(engines.begin(), engines.end(), label) == engines.end()) {
          engines.push_back(label);
        }
      }
      for (const auto& engine : engines) {
        rows += "| " + algo + " | " + engine + " | " + ProblemName(problem) + " |";
        for (const auto& s : sizes) {
          const json* r = Find(records, algo, engine, problem, s.rows);
          rows.append(" ").append(r == nullptr ? std::string("—") : OutcomeText(*r)).append(" |");
        }
        rows += "\n";
      }
    }
  }
  return Header(sizes, "| algorithm | engine | data |", 3, " s") + rows;
}

SizeChart AccuracyAgainstSizeChart(const std::vector<json>& records) {
  SizeChart chart;
  const std::vector<json> local = LocalRuns(records);
  const auto sizes = SizesOf(local);
  if (sizes.size() < 2) return chart;
  struct Series {
    std::string algo;
    DataProblem problem;
  };
  std::vector<Series> series;
  const auto& algos = AllAlgorithms();
  for (std::size_t a = 0; a < algos.size(); ++a) {
    for (DataProblem problem : BothVariants()) {
      for (const auto& s : sizes) {
        const json* r = Find(local, algos[a], "local", problem, s.rows);
        if (r != nullptr && StatusOf(*r) == RunStatus::kOk) {
          series.push_back({algos[a], problem});
          chart.styles.emplace_back(static_cast<int>(a) + 1,
                                    problem == DataProblem::kPerChunk ? 1 : 2);
          break;
        }
      }
    }
  }
  if (series.empty()) return chart;
  chart.data = "size_gb";
  for (const auto& s : series) chart.data += "\t\"" + s.algo + " " + ProblemName(s.problem) + "\"";
  chart.data += "\n";
  for (const auto& size : sizes) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.6g", static_cast<double>(size.rows) / 5e6);
    chart.data += buffer;
    for (const auto& s : series) {
      const json* r = Find(local, s.algo, "local", s.problem, size.rows);
      if (r != nullptr && StatusOf(*r) == RunStatus::kOk && r->contains("accuracy") &&
          r->at("accuracy").is_number()) {
        std::snprintf(buffer, sizeof(buffer), "\t%.6g", r->at("accuracy").get<double>());
      } else {
        std::snprintf(buffer, sizeof(buffer), "\t?");
      }
      chart.data += buffer;
    }
    chart.data += "\n";
  }
  return chart;
}

}  // namespace scaleml::bench
