#include "bench/MachineInfo.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "core/Version.h"

namespace scaleml::bench {
namespace {

std::string FieldOf(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? "" : line.substr(begin);
  }
  return "";
}

}  // namespace

nlohmann::json DescribeMachine() {
  std::string cpu = FieldOf("/proc/cpuinfo", "model name");
  if (cpu.empty()) cpu = "unknown";
  std::int64_t memory = 0;
  const std::string mem_total = FieldOf("/proc/meminfo", "MemTotal");
  if (!mem_total.empty()) memory = std::stoll(mem_total) * 1024;  // "123456 kB"
  struct utsname names {};
  std::string system = "unknown", host = "unknown";
  if (::uname(&names) == 0) {
    system = std::string(names.sysname) + " " + names.release + " " + names.machine;
    host = names.nodename;
  }
  return {{"cpu", cpu},
          {"cores", static_cast<int>(std::thread::hardware_concurrency())},
          {"memory_bytes", memory},
          {"system", system},
          {"hostname", host}};
}

nlohmann::json DescribeVersion() { return {{"version", kVersion}, {"git_commit", kGitCommit}}; }

}  // namespace scaleml::bench
