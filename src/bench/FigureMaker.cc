#include "bench/FigureMaker.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "bench/ChildProcess.h"
#include "bench/ReportTables.h"
#include "bench/RunStatus.h"
#include "bench/SizeTables.h"
#include "bench/SuitePlan.h"
#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace fs = std::filesystem;
using json = nlohmann::json;
namespace {

std::string FindGnuplot() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / "gnuplot";
    std::error_code ec;
    if (!candidate.parent_path().empty() && fs::exists(candidate, ec)) return candidate.string();
    start = end + 1;
  }
  return "";
}

double Value(const json& r, const std::string& value) {
  if (value == "compute_s") return ComputeSeconds(r);
  return r.value(value, 0.0);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// A script drawing the same chart into a PNG and an SVG.
std::string BarScript(const std::string& stem, const std::string& title, const std::string& ylabel,
                      int columns, bool log_scale) {
  std::string plot = "plot for [i=2:" + std::to_string(columns + 1) + "] " + Quote(stem + ".dat") +
                     " using i:xtic(1) title columnheader(i)\n";
  std::string common = "set title " + Quote(title) + "\nset ylabel " + Quote(ylabel) +
                       "\nset style data histograms\nset style histogram clustered gap 1\n"
                       "set style fill solid 0.8 border -1\nset key outside right top\n"
                       "set grid ytics\nset datafile missing '?'\nset yrange [0:*]\n";
  if (log_scale) common += "set logscale y\nset yrange [*:*]\n";
  return common + "set terminal pngcairo size 1000,500 noenhanced\nset output " +
         Quote(stem + ".png") + "\n" + plot + "set terminal svg size 1000,500 noenhanced\n" +
         "set output " + Quote(stem + ".svg") + "\n" + plot;
}

// Speed-up against n: one line per series, the ideal (y = n) dashed.
std::string LineScript(const std::string& stem, const std::string& title, int columns) {
  const std::string plot = "plot for [i=2:" + std::to_string(columns + 1) + "] " +
                           Quote(stem + ".dat") +
                           " using 1:i with linespoints lw 2 title columnheader(i), x with lines "
                           "dt 2 lc rgb 'gray' title 'ideal'\n";
  const std::string common =
      "set title " + Quote(title) +
      "\nset xlabel 'ranks (ddp) or trials (tasks)'\nset ylabel 'speed-up'\n"
      "set key outside right top\nset grid\nset datafile missing '?'\nset xtics 1\n"
      "set offsets 0.3, 0.3, 0, 0\nset yrange [0:*]\n";
  return common + "set terminal pngcairo size 1000,500 noenhanced\nset output " +
         Quote(stem + ".png") + "\n" + plot + "set terminal svg size 1000,500 noenhanced\n" +
         "set output " + Quote(stem + ".svg") + "\n" + plot;
}

// Accuracy against size: x the size in GB on a log scale, one line per algorithm (its colour)
// and data variant (per-chunk solid, one problem dashed).
std::string SizeLineScript(const std::string& stem, const SizeChart& chart) {
  std::string plot = "plot ";
  for (std::size_t i = 0; i < chart.styles.size(); ++i) {
    plot += (i == 0 ? "" : ", ") + Quote(stem + ".dat") + " using 1:" + std::to_string(i + 2) +
            " with linespoints lw 2 pt 7 lc " + std::to_string(chart.styles[i].first) + " dt " +
            std::to_string(chart.styles[i].second) + " title columnheader(" +
            std::to_string(i + 2) + ")";
  }
  plot += "\n";
  const std::string common =
      "set title 'Accuracy against size (local engine; solid: per-chunk, dashed: one "
      "problem)'\nset xlabel 'size (the paper''s GB: 5,000,000 "
      "rows)'\nset ylabel 'accuracy'\nset logscale x\nset xtics (1, 2, 3, 5, 10)\n"
      "set key outside right top\nset grid\nset datafile missing '?'\n"
      "set offsets graph 0.05, graph 0.05, 0.02, 0.02\n";
  return common + "set terminal pngcairo size 1000,500 noenhanced\nset output " +
         Quote(stem + ".png") + "\n" + plot + "set terminal svg size 1000,500 noenhanced\n" +
         "set output " + Quote(stem + ".svg") + "\n" + plot;
}

}  // namespace

std::string SpeedupChartData(const std::vector<ScalingPoint>& points) {
  std::vector<std::string> series;
  std::map<int, std::map<std::string, double>> cells;  // n -> series -> speed-up
  for (const auto& p : points) {
    const std::string s = p.algo + " " + p.size + " " + p.engine;
    if (std::find(series.begin(), series.end(), s) == series.end()) series.push_back(s);
    cells[p.n][s] = p.speedup;
  }
  std::string out = "n";
  for (const auto& s : series) out += "\t\"" + s + "\"";
  out += "\n";
  for (const auto& [n, row] : cells) {
    out += std::to_string(n);
    for (const auto& s : series) {
      char buffer[64];
      const auto found = row.find(s);
      if (found != row.end()) {
        std::snprintf(buffer, sizeof(buffer), "\t%.4g", found->second);
      } else {
        std::snprintf(buffer, sizeof(buffer), "\t?");
      }
      out += buffer;
    }
    out += "\n";
  }
  return out;
}

std::string BarChartData(const std::vector<json>& records, const std::string& value) {
  std::vector<std::string> series;
  std::map<std::string, std::map<std::string, double>> cells;  // algo -> series -> value
  for (const auto& r : records) {
    if (StatusOf(r) != RunStatus::kOk) continue;
    const std::string s = EngineLabel(r) + " " + SizeLabel(r);
    if (std::find(series.begin(), series.end(), s) == series.end()) series.push_back(s);
    cells[r.value("algo", "")][s] = Value(r, value);
  }
  std::string out = "algorithm";
  for (const auto& s : series) out += "\t\"" + s + "\"";
  out += "\n";
  for (const auto& algo : AllAlgorithms()) {
    if (cells.count(algo) == 0) continue;
    out += algo;
    for (const auto& s : series) {
      char buffer[64];
      if (cells[algo].count(s) > 0) {
        std::snprintf(buffer, sizeof(buffer), "\t%.6g", cells[algo][s]);
      } else {
        std::snprintf(buffer, sizeof(buffer), "\t?");
      }
      out += buffer;
    }
    out += "\n";
  }
  return out;
}

FigureSet MakeFigures(const std::vector<json>& records, const std::string& out_dir) {
  FigureSet set;
  const std::string gnuplot = FindGnuplot();
  set.gnuplot_found = !gnuplot.empty();
  if (!set.gnuplot_found) {
    set.note = "gnuplot was not found (install gnuplot-nox): no figures were drawn.";
    return set;
  }
  const fs::path folder = fs::path(out_dir) / "figures";
  fs::create_directories(folder);
  std::vector<std::string> scripts;
  auto chart = [&](const std::string& stem, const std::string& data, const std::string& title,
                   const std::string& ylabel, bool log_scale) {
    const std::size_t header_end = data.find('\n');
    if (header_end == std::string::npos || header_end + 1 >= data.size()) return;
    int columns = 0;
    for (std::size_t i = 0; i < header_end; ++i) columns += data[i] == '\t' ? 1 : 0;
    if (columns == 0) return;
    WriteFileAtomically((folder / (stem + ".dat")).string(), data);
    WriteFileAtomically((folder / (stem + ".gp")).string(),
                        BarScript(stem, title, ylabel, columns, log_scale));
    scripts.push_back(stem);
  };
  chart("time", BarChartData(records, "compute_s"),
        "Computation time (fit + predict) per algorithm", "seconds (log scale)", true);
  chart("accuracy", BarChartData(records, "accuracy"), "Test accuracy per algorithm", "accuracy",
        false);
  // Speed-up against ranks (trials): one line per algorithm, size and engine.
  const auto points = ScalingPoints(records);
  if (!points.empty()) {
    const std::string data = SpeedupChartData(points);
    const std::size_t header_end = data.find('\n');
    int columns = 0;
    for (std::size_t i = 0; i < header_end; ++i) columns += data[i] == '\t' ? 1 : 0;
    WriteFileAtomically((folder / "speedup.dat").string(), data);
    WriteFileAtomically(
        (folder / "speedup.gp").string(),
        LineScript("speedup", "Speed-up against 1 rank (ddp) or 1 trial (tasks)", columns));
    scripts.push_back("speedup");
  }
  const SizeChart sizes = AccuracyAgainstSizeChart(records);
  if (!sizes.data.empty()) {
    WriteFileAtomically((folder / "accuracy-size.dat").string(), sizes.data);
    WriteFileAtomically((folder / "accuracy-size.gp").string(),
                        SizeLineScript("accuracy-size", sizes));
    scripts.push_back("accuracy-size");
  }
  for (const auto& stem : scripts) {
    ChildResult r =
        RunChild({gnuplot, "-e", "cd " + Quote(folder.string()), stem + ".gp"}, 120, "");
    const bool png = fs::exists(folder / (stem + ".png"));
    const bool svg = fs::exists(folder / (stem + ".svg"));
    if (r.exit_code == 0 && png && svg) {
      set.made.push_back(stem);
    } else {
      set.note += "gnuplot failed on " + stem + ".gp: " + TailOf(r.stderr_text, 300) + "\n";
    }
  }
  return set;
}

}  // namespace scaleml::bench
