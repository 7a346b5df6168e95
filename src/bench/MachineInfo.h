// What machine a run was measured on: CPU model, cores, memory, kernel; and which scaleml.
// Thread-safety: a function reading /proc; safe to call from any thread.
#pragma once

#include <nlohmann/json.hpp>

namespace scaleml::bench {

// {"cpu", "cores", "memory_bytes", "system", "hostname"}.
nlohmann::json DescribeMachine();

// {"version", "git_commit"} of this binary.
nlohmann::json DescribeVersion();

}  // namespace scaleml::bench
