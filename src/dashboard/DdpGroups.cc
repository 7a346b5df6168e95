#include "dashboard/DdpGroups.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "dashboard/FileStamp.h"
#include "dashboard/SafeName.h"
#include "dashboard/TextFiles.h"

namespace scaleml::dashboard {
namespace fs = std::filesystem;

nlohmann::json DdpGroups::List() const {
  nlohmann::json groups = nlohmann::json::array();
  if (dir_.empty()) return {{"groups", groups}};
  std::vector<std::pair<std::int64_t, std::string>> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (!IsSafeName(file) || it->path().extension() != ".json") continue;
    const FileStamp stamp = FileStamp::Of(it->path().string());
    if (stamp.exists) files.emplace_back(stamp.mtime_ns, it->path().string());
    if (files.size() > 10000) break;
  }
  std::sort(files.rbegin(), files.rend());
  if (files.size() > 50) files.resize(50);
  for (const auto& [mtime, path] : files) {
    auto text = ReadSmallFile(path, 1 << 20);
    if (!text) continue;
    auto group = nlohmann::json::parse(*text, nullptr, false);
    if (group.is_discarded() || !group.is_object()) continue;
    // A launcher killed with SIGKILL never writes its final state.
    const auto pid_field = group.find("launcher_pid");
    const auto state = group.find("state");
    const int pid =
        pid_field != group.end() && pid_field->is_number_integer() ? pid_field->get<int>() : 0;
    const bool running = state != group.end() && state->is_string() && *state == "running";
    if (running && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
      group["state"] = "lost";
    }
    groups.push_back(std::move(group));
  }
  return {{"groups", groups}};
}

}  // namespace scaleml::dashboard
