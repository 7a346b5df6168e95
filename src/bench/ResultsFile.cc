#include "bench/ResultsFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "bench/RunStatus.h"
#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml::bench {

std::vector<nlohmann::json> ParseJsonLines(const std::string& text, const std::string& source) {
  std::vector<nlohmann::json> records;
  std::size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string::npos;
    if (last) end = text.size();
    ++line_number;
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      // A last line without its newline is a write that was interrupted: not an error.
      if (last) break;
      throw InputError(source, ":", line_number, ": not a JSON object");
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<nlohmann::json> ResultsFile::ReadAll() const {
  if (!std::filesystem::exists(path_)) return {};
  return ParseJsonLines(ReadWholeFile(path_), path_);
}

std::set<std::string> ResultsFile::FinishedIds() const {
  std::set<std::string> ids;
  for (const auto& record : ReadAll()) {
    const RunStatus status = StatusOf(record);
    if (status != RunStatus::kFailed) ids.insert(record.value("run_id", ""));
  }
  return ids;
}

void ResultsFile::Append(const nlohmann::json& record) const {
  const std::string line = record.dump() + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Failure(path_, ": cannot open for appending");
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n <= 0) {
      ::close(fd);
      throw Failure(path_, ": write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

}  // namespace scaleml::bench
