// Process memory probes (Linux /proc). Thread-safety: safe from any thread.
#pragma once

#include <cstdint>

namespace scaleml {

// Peak resident set size of this process (VmHWM), in bytes; 0 when unavailable.
std::int64_t PeakRssBytes();
// Current resident set size (VmRSS), in bytes; 0 when unavailable.
std::int64_t CurrentRssBytes();

}  // namespace scaleml
