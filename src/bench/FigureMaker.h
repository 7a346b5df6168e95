// The report's figures, drawn by gnuplot (Debian's gnuplot-nox) as PNG and SVG under
// DIR/figures: computation time per algorithm (grouped bars, one bar per engine and size),
// accuracy per algorithm, and speed-up against ranks or trials when a scaling suite has run.
// Thread-safety: one call at a time per folder.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/ReportTables.h"

namespace scaleml::bench {

struct FigureSet {
  bool gnuplot_found = false;
  std::vector<std::string> made;  // file stems made under figures/: "time", "accuracy", ...
  std::string note;               // why figures are missing, when they are
};

// The gnuplot data table of a grouped bar chart: one line per algorithm, one column per series
// (engine and size), `value` of each run; "?" where a run is missing. Exposed for tests.
std::string BarChartData(const std::vector<nlohmann::json>& records, const std::string& value);

// The gnuplot data of the speed-up figure: one line per rank (trial) count n, one column per
// algorithm, size and engine; "?" where that series has no run at n. Exposed for tests.
std::string SpeedupChartData(const std::vector<ScalingPoint>& points);

FigureSet MakeFigures(const std::vector<nlohmann::json>& records, const std::string& out_dir);

}  // namespace scaleml::bench
