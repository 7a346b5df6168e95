// DIR/report.md (and DIR/figures) rebuilt from DIR/results.jsonl (and DIR/network.jsonl when it
// is there), written atomically.
// Thread-safety: one call at a time per folder.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/FigureMaker.h"

namespace scaleml::bench {

// The whole markdown text from the records, the figures that were drawn and the records of
// network.jsonl (empty: not measured). Fault runs (PromisesSection.h) appear only in "The five
// promises".
std::string RenderReport(const std::vector<nlohmann::json>& records, const FigureSet& figures,
                         const std::vector<nlohmann::json>& network = {});
// The records less the fault runs: what the tables and figures other than the promises show.
std::vector<nlohmann::json> WithoutFaultRuns(const std::vector<nlohmann::json>& records);

// Reads DIR/results.jsonl, draws the figures, writes DIR/report.md; returns its path.
std::string WriteReport(const std::string& dir);
// The same from the results.jsonl of several bench folders (several sizes, both data variants):
// their records in the order given (a run id recorded in more than one keeps the last), the
// report and figures written under out_dir.
std::string WriteReport(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace scaleml::bench
