#include "core/Memory.h"

#include <fstream>
#include <string>

namespace scaleml {
namespace {

std::int64_t ReadStatusKb(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.compare(0, key.size(), key) == 0) {
      return std::stoll(line.substr(key.size())) * 1024;
    }
  }
  return 0;
}

}  // namespace

std::int64_t PeakRssBytes() { return ReadStatusKb("VmHWM:"); }
std::int64_t CurrentRssBytes() { return ReadStatusKb("VmRSS:"); }

}  // namespace scaleml
