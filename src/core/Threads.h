// Thread settings for OpenMP regions. Thread-safety: call from the main thread before work.
#pragma once

namespace scaleml {

// The most threads (or CPUs) any option may ask for: more is a typo, and libgomp crashes on it.
inline constexpr int kMaxThreads = 1024;

// Number of hardware threads this process may use (affinity aware).
int HardwareThreads();
// Sets the OpenMP thread count for the process; 0 means all hardware threads. Returns the count.
// An InputError above kMaxThreads (the options check first; this is the last guard).
int SetThreads(int threads);
// The current OpenMP thread count.
int GetThreads();

}  // namespace scaleml
