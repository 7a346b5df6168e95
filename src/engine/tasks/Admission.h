// Whether a task may start on a node: it needs its CPUs and its declared memory free there, as
// Ray admits tasks by logical resources. A task that fits the node's totals waits for running
// tasks to finish; one that exceeds them never fits this node and goes back for another. Memory
// is reserved by declaration (tune gives every trial an estimate, MemoryEstimate.h), so trials
// wait for each other instead of meeting the kernel's OOM killer together.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace scaleml::tasks {

enum class Admission { kRun, kWait, kNever };

struct NodeResources {
  int cpus = 0;
  int used_cpus = 0;
  std::int64_t memory = 0;  // bytes tasks may reserve on the node
  std::int64_t used_memory = 0;
};

Admission Admit(int cpus, std::int64_t memory, const NodeResources& node);

// Why a task never fits `node_name`: what it needs and what the node has.
std::string NeverFitsMessage(int cpus, std::int64_t memory, const NodeResources& node,
                             const std::string& node_name);

// Memory a node offers to tasks when not told: what the kernel says is available now
// (MemAvailable) less what the object store may still take of shared memory (which is RAM).
std::int64_t DefaultNodeMemory(std::int64_t store_limit, std::int64_t shm_free);
// MemAvailable from /proc/meminfo in bytes; 0 when it cannot be read.
std::int64_t AvailableMemory();

}  // namespace scaleml::tasks
