#include "bench/RunMemorySampler.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

namespace scaleml::bench {
namespace {

// Resident bytes of a process (statm's second field); 0 when it is gone.
std::int64_t ResidentBytes(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/statm", static_cast<int>(pid));
  std::FILE* file = std::fopen(path, "r");
  if (file == nullptr) return 0;
  long long size = 0, resident = 0;
  const int read = std::fscanf(file, "%lld %lld", &size, &resident);
  std::fclose(file);
  if (read != 2) return 0;
  return static_cast<std::int64_t>(resident) * ::sysconf(_SC_PAGESIZE);
}

}  // namespace

bool RunMemorySampler::CarriesMarker(pid_t pid) const {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;
  const std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t begin = 0;
  while (begin < environ.size()) {
    std::size_t end = environ.find('\0', begin);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(begin, end - begin, marker_) == 0) return true;
    begin = end + 1;
  }
  return false;
}

std::int64_t RunMemorySampler::Sample() {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  std::set<pid_t> alive;
  std::int64_t sum = 0;
  int processes = 0;
  const pid_t self = ::getpid();
  while (const dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0 || pid == self) continue;
    alive.insert(static_cast<pid_t>(pid));
    auto found = member_.find(static_cast<pid_t>(pid));
    // Judged once per pid (reading environ is the cost): a fork inherits the environment, so a
    // process carries the marker from its start.
    if (found == member_.end()) {
      found =
          member_.emplace(static_cast<pid_t>(pid), CarriesMarker(static_cast<pid_t>(pid))).first;
    }
    if (!found->second) continue;
    const std::int64_t bytes = ResidentBytes(static_cast<pid_t>(pid));
    if (bytes > 0) {
      sum += bytes;
      ++processes;
    }
  }
  ::closedir(proc);
  // Forget the pids that are gone, so that a reused pid is judged again.
  for (auto it = member_.begin(); it != member_.end();) {
    it = alive.count(it->first) ? std::next(it) : member_.erase(it);
  }
  if (sum > peak_bytes_) {
    peak_bytes_ = sum;
    peak_processes_ = processes;
  }
  return sum;
}

}  // namespace scaleml::bench
