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

}  // namespace scaleml::bench
