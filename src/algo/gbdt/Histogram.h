// Gradient histograms, the inner loop of gbdt. Gradients and hessians are fixed-point integers
// (GradientPair, 2^30 units per 1.0) and histogram sums are int64, so every sum is exact: the
// histogram of a leaf is the same whatever the thread count, the row order or the number of ranks
// whose local histograms are added together, and subtracting a child from its parent gives the
// sibling exactly. The resolution (1e-9) is finer than the float gradients LightGBM sums.
// Thread-safety: HistogramBuilder owns scratch buffers; one thread calls it (it uses OpenMP).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algo/gbdt/BinnedMatrix.h"
#include "algo/gbdt/FeatureBins.h"

namespace scaleml {

// A row's gradient and hessian in units of 1 / kGradientScale.
struct GradientPair {
  std::int32_t g;
  std::int32_t h;
};
inline constexpr double kGradientScale = 1073741824.0;  // 2^30; |g| <= 1 and h <= 0.5 fit

// No row count per bin: as LightGBM, a split's child counts are estimated from hessian sums
// (SplitFinder), which keeps a bin update to one 16-byte add.
struct HistBin {
  std::int64_t g = 0;
  std::int64_t h = 0;

  HistBin& operator+=(const HistBin& o) {
    g += o.g;
    h += o.h;
    return *this;
  }
  HistBin& operator-=(const HistBin& o) {
    g -= o.g;
    h -= o.h;
    return *this;
  }
  bool operator==(const HistBin&) const = default;
};

class HistogramBuilder {
 public:
  HistogramBuilder(const BinnedMatrix& matrix, const FeatureBins& bins);

  // Fills `out` (bins.total_bins() entries) with the histogram of `rows` over `features`; other
  // features' bins are zeroed. `rows == nullptr` means rows 0..count-1 of the matrix.
  void Build(const std::uint32_t* rows, std::size_t count, const GradientPair* gradients,
             std::span<const int> features, HistBin* out);

 private:
  // Adds rows [begin, end) of the row list to `hist`.
  void Accumulate(const std::uint32_t* rows, std::size_t begin, std::size_t end,
                  const GradientPair* gradients, std::span<const int> features,
                  HistBin* hist) const;
  template <bool kRowList, bool kAllFeatures>
  void AccumulateRows(const std::uint32_t* rows, std::size_t begin, std::size_t end,
                      const GradientPair* gradients, std::span<const int> features,
                      HistBin* hist) const;

  const BinnedMatrix& matrix_;
  const FeatureBins& bins_;
  std::vector<std::uint32_t> offsets_;      // first bin of each feature
  std::vector<HistBin> thread_histograms_;  // one histogram per extra thread
};

// other -= child, over `size` bins: turns the parent's histogram into the sibling's.
void SubtractHistogram(HistBin* other, const HistBin* child, std::size_t size);

}  // namespace scaleml
