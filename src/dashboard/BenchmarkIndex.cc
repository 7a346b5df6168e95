#include "dashboard/BenchmarkIndex.h"

#include <algorithm>
#include <filesystem>

#include "bench/ResultsFile.h"
#include "core/Error.h"
#include "dashboard/SafeName.h"
#include "dashboard/TextFiles.h"

namespace scaleml::dashboard {
namespace fs = std::filesystem;
namespace {

constexpr std::int64_t kMaxResultsBytes = 64 << 20;
constexpr std::int64_t kMaxReportBytes = 4 << 20;
constexpr std::int64_t kMaxFigureBytes = 16 << 20;

bool IsBenchmarkFolder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "results.jsonl", ec) ||
         fs::is_regular_file(dir / "report.md", ec);
}

std::string FigureType(const std::string& file) {
  if (file.ends_with(".svg")) return "image/svg+xml";
  if (file.ends_with(".png")) return "image/png";
  return "";
}

}  // namespace

BenchmarkIndex::BenchmarkIndex(std::vector<std::string> roots) : roots_(std::move(roots)) {}

std::map<std::string, std::string> BenchmarkIndex::ScanFolders() const {
  std::map<std::string, std::string> found;
  for (const std::string& root : roots_) {
    if (IsBenchmarkFolder(root)) {
      const std::string name = fs::path(root).lexically_normal().filename().string();
      if (IsSafeName(name)) found.emplace(name, root);
      continue;
    }
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (found.size() >= 1000) break;
      const std::string name = it->path().filename().string();
      std::error_code dir_ec;
      if (IsSafeName(name) && it->is_directory(dir_ec) && IsBenchmarkFolder(it->path())) {
        found.emplace(name, it->path().string());
      }
    }
  }
  return found;
}

std::vector<std::string> BenchmarkIndex::Figures(const std::string& dir) {
  std::vector<std::string> figures;
  std::error_code ec;
  for (fs::directory_iterator it(dir + "/figures", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    std::error_code file_ec;
    if (IsSafeName(file) && !FigureType(file).empty() && it->is_regular_file(file_ec)) {
      figures.push_back(file);
    }
  }
  std::sort(figures.begin(), figures.end());
  return figures;
}

const BenchmarkIndex::Cached& BenchmarkIndex::Records(const std::string& name,
                                                      const std::string& dir) {
  const std::string path = dir + "/results.jsonl";
  const FileStamp stamp = FileStamp::Of(path);
  Cached& cached = cache_[name];
  if (cached.stamp == stamp && stamp.exists) return cached;
  cached = Cached{};
  cached.stamp = stamp;
  if (!stamp.exists) return cached;
  if (stamp.size > kMaxResultsBytes) {
    cached.error = StrCat("results.jsonl is over ", kMaxResultsBytes >> 20, " MiB");
    return cached;
  }
  try {
    for (auto& record : bench::ResultsFile(path).ReadAll())
      cached.records.push_back(std::move(record));
  } catch (const Error& e) {
    cached.error = e.what();
  }
  return cached;
}

nlohmann::json BenchmarkIndex::List() {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, dir] : ScanFolders()) {
    const Cached& cached = Records(name, dir);
    std::size_t ok = 0;
    for (const auto& r : cached.records) {
      if (r.is_object() && r.value("status", "") == "ok") ++ok;
    }
    std::error_code ec;
    list.push_back({{"name", name},
                    {"runs", cached.records.size()},
                    {"ok", ok},
                    {"has_report", fs::is_regular_file(dir + "/report.md", ec)},
                    {"figures", Figures(dir)}});
  }
  return {{"benchmarks", list}};
}

std::optional<nlohmann::json> BenchmarkIndex::Benchmark(const std::string& name) {
  if (!IsSafeName(name)) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto folders = ScanFolders();
  auto it = folders.find(name);
  if (it == folders.end()) return std::nullopt;
  const Cached& cached = Records(name, it->second);
  nlohmann::json j = {
      {"name", name},
      {"records", cached.records},
      {"report_md", ReadSmallFile(it->second + "/report.md", kMaxReportBytes).value_or("")},
      {"figures", Figures(it->second)}};
  if (!cached.error.empty()) j["error"] = cached.error;
  return j;
}

std::optional<Figure> BenchmarkIndex::FigureFile(const std::string& name,
                                                 const std::string& figure) {
  if (!IsSafeName(name) || !IsSafeName(figure)) return std::nullopt;
  std::string dir;
  {
    std::lock_guard lock(mutex_);
    const auto folders = ScanFolders();
    auto it = folders.find(name);
    if (it == folders.end()) return std::nullopt;
    dir = it->second;
  }
  const auto figures = Figures(dir);
  if (std::find(figures.begin(), figures.end(), figure) == figures.end()) return std::nullopt;
  auto body = ReadSmallFile(dir + "/figures/" + figure, kMaxFigureBytes);
  if (!body) return std::nullopt;
  return Figure{FigureType(figure), std::move(*body)};
}

}  // namespace scaleml::dashboard
