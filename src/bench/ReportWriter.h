// DIR/report.md (and DIR/figures) rebuilt from DIR/results.jsonl, written atomically.
// Thread-safety: one call at a time per folder.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/FigureMaker.h"

namespace scaleml::bench {

// The whole markdown text from the records and the figures that were drawn.
std::string RenderReport(const std::vector<nlohmann::json>& records, const FigureSet& figures);

// Reads DIR/results.jsonl, draws the figures, writes DIR/report.md; returns its path.
std::string WriteReport(const std::string& dir);
// The same from the results.jsonl of several bench folders (several sizes, both data variants):
// their records in the order given (a run id recorded in more than one keeps the last), the
// report and figures written under out_dir.
std::string WriteReport(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace scaleml::bench
