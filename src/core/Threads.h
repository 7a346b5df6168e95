// Thread settings for OpenMP regions. Thread-safety: call from the main thread before work.
#pragma once

namespace scaleml {

// Number of hardware threads this process may use (affinity aware).
int HardwareThreads();
// Sets the OpenMP thread count for the process; 0 means all hardware threads. Returns the count.
int SetThreads(int threads);
// The current OpenMP thread count.
int GetThreads();

}  // namespace scaleml
