#include "engine/tasks/Admission.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/Error.h"
#include "engine/tasks/SpillPolicy.h"

namespace scaleml::tasks {

Admission Admit(int cpus, std::int64_t memory, const NodeResources& node) {
  if (cpus > node.cpus || memory > node.memory) return Admission::kNever;
  if (cpus > node.cpus - node.used_cpus || memory > node.memory - node.used_memory) {
    return Admission::kWait;
  }
  return Admission::kRun;
}

std::string NeverFitsMessage(int cpus, std::int64_t memory, const NodeResources& node,
                             const std::string& node_name) {
  if (cpus > node.cpus) {
    return StrCat("needs ", cpus, " CPUs; node ", node_name, " has ", node.cpus);
  }
  return StrCat("needs ", Megabytes(memory), " of memory; node ", node_name, " has ",
                Megabytes(node.memory), " for tasks");
}

std::int64_t AvailableMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    std::int64_t kilobytes = 0;
    fields >> kilobytes;
    return kilobytes * 1024;
  }
  return 0;
}

std::int64_t DefaultNodeMemory(std::int64_t store_limit, std::int64_t shm_free) {
  const std::int64_t store = std::min(store_limit, std::max<std::int64_t>(shm_free, 0));
  return std::max<std::int64_t>(AvailableMemory() - store, 0);
}

}  // namespace scaleml::tasks
