// A TrainReport as a record that crosses a process boundary: `train --report-file PATH` writes
// it (atomically; rank 0 under ddp) and the process that started the run (bench) reads it back.
// The record is the report's JSON with two more keys, so that a reader never mistakes another
// file, or another build's layout, for a report:
//   {"schema": "scaleml.train_report", "version": 1, "algo": ..., "accuracy": ..., ...}
// Bump kTrainReportVersion when a key changes meaning or a required key is added or removed.
// Thread-safety: pure functions over values and files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/TrainReport.h"

namespace scaleml {

inline constexpr const char* kTrainReportSchema = "scaleml.train_report";
inline constexpr int kTrainReportVersion = 1;

// The versioned record of a report.
nlohmann::json TrainReportRecord(const TrainReport& report);
// The report in a record; a Failure naming `source` (a path, "stdout of ...") when the record is
// not a train report, has another version, or lacks a key or has one of the wrong type.
TrainReport ParseTrainReportRecord(const nlohmann::json& record, const std::string& source);

// Writes the record to `path` atomically (core/AtomicFile.h), one JSON object and a newline.
void WriteTrainReportFile(const TrainReport& report, const std::string& path);
// Reads and checks the record at `path` (ParseTrainReportRecord); an error naming the path when
// it is missing or not JSON.
TrainReport ReadTrainReportFile(const std::string& path);

}  // namespace scaleml
