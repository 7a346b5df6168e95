// DIR/results.jsonl: one JSON object per finished run, appended (and flushed) the moment the run
// ends, so an interrupted suite keeps what it finished. Thread-safety: none; one writer.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::bench {

class ResultsFile {
 public:
  explicit ResultsFile(std::string path) : path_(std::move(path)) {}

  // Every record of the file, in order. A missing file is empty; a line that is not a JSON object
  // is an InputError naming the file and line, except a truncated last line (an interrupted
  // write), which is skipped.
  std::vector<nlohmann::json> ReadAll() const;
  // Ids (RunSpec::Id) of the runs recorded with status ok, skipped, timeout or oom (a peer out of
  // time or memory is a result): what --resume skips. Failed runs run again.
  std::set<std::string> FinishedIds() const;
  // Appends one record as one line and fsyncs it.
  void Append(const nlohmann::json& record) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Parses JSON Lines text; `source` names it in errors.
std::vector<nlohmann::json> ParseJsonLines(const std::string& text, const std::string& source);

}  // namespace scaleml::bench
