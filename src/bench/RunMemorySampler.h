// The memory of a whole run on this machine: every process that carries the run's marker in its
// environment (the command, a launcher's ranks, a tune driver's local cluster: node agent, Redis,
// object store, workers; daemons that left the command's process group included), their resident
// sizes summed at each Sample(). The largest sum is the run's machine peak. Processes that clear
// their environment are not seen. Thread-safety: one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace scaleml::bench {

class RunMemorySampler {
 public:
  // `marker`: a "KEY=value" entry of the environment unique to the run.
  explicit RunMemorySampler(std::string marker) : marker_(std::move(marker)) {}

  // Sums the resident sizes of the run's processes now; returns the sum in bytes.
  std::int64_t Sample();

  std::int64_t peak_bytes() const { return peak_bytes_; }
  int peak_processes() const { return peak_processes_; }  // processes summed at the peak

 private:
  bool CarriesMarker(pid_t pid) const;

  std::string marker_;
  std::map<pid_t, bool> member_;  // pid -> carries the marker (decided once per pid)
  std::int64_t peak_bytes_ = 0;
  int peak_processes_ = 0;
};

}  // namespace scaleml::bench
