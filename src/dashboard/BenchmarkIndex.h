// The benchmark folders the dashboard shows (`scaleml bench --out DIR`: results.jsonl,
// report.md, figures/), found under its --results folders (a folder that is a benchmark, or that
// holds several). Records are re-read only when results.jsonl changed. Figures are served only
// when their name is one of the folder's figures (SVG or PNG). Thread-safety: all methods may
// be called from several threads.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dashboard/FileStamp.h"

namespace scaleml::dashboard {

struct Figure {
  std::string content_type;
  std::string body;
};

class BenchmarkIndex {
 public:
  explicit BenchmarkIndex(std::vector<std::string> roots);

  // {"benchmarks": [{name, runs, ok, has_report, figures}]}.
  nlohmann::json List();
  // {name, records, report_md, figures}; nullopt when unknown.
  std::optional<nlohmann::json> Benchmark(const std::string& name);
  std::optional<Figure> FigureFile(const std::string& name, const std::string& figure);

 private:
  struct Cached {
    FileStamp stamp;
    nlohmann::json records = nlohmann::json::array();
    std::string error;
  };
  std::map<std::string, std::string> ScanFolders() const;
  static std::vector<std::string> Figures(const std::string& dir);
  // The records of DIR/results.jsonl, from the cache when unchanged. Call with mutex_ held.
  const Cached& Records(const std::string& name, const std::string& dir);

  std::vector<std::string> roots_;
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;
};

}  // namespace scaleml::dashboard
