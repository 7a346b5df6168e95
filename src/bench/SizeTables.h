// The report's view across data sizes (issue 17): accuracy against size for the local engine,
// both data variants (the paper's one problem per chunk, and one problem for the whole file), and
// the seconds of every engine and peer against size, a peer out of time shown with its limit.
// Made from records of one results file or of several folders. Pure functions of their input.
// Thread-safety: functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

// A size of the records, ordered by rows: "1GB" (5,000,000 rows).
struct SizePoint {
  std::string size;
  std::int64_t rows = 0;
};
// The distinct sizes (by rows) of the records, smallest first.
std::vector<SizePoint> SizesOf(const std::vector<nlohmann::json>& records);

// Algorithm x data variant (local engine) against size: accuracy, or the status of a run that did
// not finish. Empty when the local engine ran at fewer than two sizes.
std::string AccuracyAgainstSizeTable(const std::vector<nlohmann::json>& records);
// Algorithm x engine (peers included) x data variant against size: total seconds, "> 300 s
// (limit)" for a timeout, "out of memory", "skipped (...)". Empty with fewer than two sizes.
std::string SecondsAgainstSizeTable(const std::vector<nlohmann::json>& records);

// The figure's data: one line per size (x: the size in the paper's GB, rows / 5,000,000), one
// column per algorithm and variant ("gbdt per-chunk", "gbdt one"); "?" where a run is missing.
// `styles` gets per column the algorithm's colour (1..5, its place in the paper's order) and the
// dash type (1 solid: per-chunk, 2 dashed: one problem). Empty when the table is.
struct SizeChart {
  std::string data;
  std::vector<std::pair<int, int>> styles;  // (colour, dash type) per column
};
SizeChart AccuracyAgainstSizeChart(const std::vector<nlohmann::json>& records);

}  // namespace scaleml::bench
