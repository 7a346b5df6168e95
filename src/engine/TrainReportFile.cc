#include "engine/TrainReportFile.h"

#include <filesystem>

#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml {

nlohmann::json TrainReportRecord(const TrainReport& report) {
  nlohmann::json record = report.ToJson();
  record["schema"] = kTrainReportSchema;
  record["version"] = kTrainReportVersion;
  return record;
}

TrainReport ParseTrainReportRecord(const nlohmann::json& record, const std::string& source) {
  if (!record.is_object() || !record.contains("schema") || !record["schema"].is_string() ||
      record["schema"].get<std::string>() != kTrainReportSchema) {
    throw Failure(source, ": not a train report (no \"schema\": \"", kTrainReportSchema, "\")");
  }
  const nlohmann::json& version = record.value("version", nlohmann::json());
  if (!version.is_number_integer() || version.get<int>() != kTrainReportVersion) {
    throw Failure(source, ": a train report of version ", version.dump(),
                  "; this build reads version ", kTrainReportVersion,
                  ": run the same scaleml build for the run and its reader");
  }
  try {
    return TrainReport::FromJson(record);
  } catch (const nlohmann::json::exception& e) {
    throw Failure(source, ": a malformed train report: ", e.what());
  } catch (const Error& e) {
    throw Failure(source, ": a malformed train report: ", e.what());
  }
}

void WriteTrainReportFile(const TrainReport& report, const std::string& path) {
  WriteFileAtomically(path, TrainReportRecord(report).dump() + "\n");
}

TrainReport ReadTrainReportFile(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw Failure(path, ": no train report (the run wrote none)");
  }
  const nlohmann::json record = nlohmann::json::parse(ReadWholeFile(path), nullptr, false);
  if (record.is_discarded()) throw Failure(path, ": a train report that is not valid JSON");
  return ParseTrainReportRecord(record, path);
}

}  // namespace scaleml
