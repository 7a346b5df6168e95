// When gbdt's per-row loops go parallel. Thread-safety: constants.
#pragma once

#include <cstdint>

namespace scaleml {

// Below this many rows a per-row loop runs on the calling thread: an OpenMP region costs a few
// microseconds on an idle machine and far more when the cores are shared, more than it saves.
inline constexpr std::int64_t kParallelMinRows = 1 << 14;

}  // namespace scaleml
