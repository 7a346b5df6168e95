#include "algo/gbdt/Histogram.h"

#include <omp.h>

#include <algorithm>

namespace scaleml {
namespace {

// Below this much work (rows x features) a histogram is built on one thread: an OpenMP region
// costs more than it saves.
constexpr std::size_t kMinParallelWork = 1 << 17;

// Adds rows [begin, end) of the row list to one feature's histogram. `ordered` holds the
// gradients in row-list order (or in row order when rows == nullptr).
inline void Accumulate(const std::uint8_t* column, const std::uint32_t* rows,
                       const GradientPair* ordered, std::size_t begin, std::size_t end,
                       HistBin* hist) {
  if (rows == nullptr) {
    for (std::size_t i = begin; i < end; ++i) {
      HistBin& bin = hist[column[i]];
      bin.g += ordered[i].g;
      bin.h += ordered[i].h;
      ++bin.count;
    }
  } else {
    for (std::size_t i = begin; i < end; ++i) {
      HistBin& bin = hist[column[rows[i]]];
      bin.g += ordered[i].g;
      bin.h += ordered[i].h;
      ++bin.count;
    }
  }
}

}  // namespace

HistogramBuilder::HistogramBuilder(const BinnedMatrix& matrix, const QuantileBins& bins)
    : matrix_(matrix), bins_(bins) {}

void HistogramBuilder::Build(const std::uint32_t* rows, std::size_t count,
                             const GradientPair* gradients, std::span<const int> features,
                             HistBin* out) {
  std::fill(out, out + bins_.total_bins(), HistBin{});
  const GradientPair* ordered = gradients;
  const bool parallel = count * features.size() >= kMinParallelWork && omp_get_max_threads() > 1;
  if (rows != nullptr) {
    // Gather the leaf's gradients once so that the per-feature passes read them sequentially.
    if (ordered_.size() < count) ordered_.resize(count);
    GradientPair* dst = ordered_.data();
#pragma omp parallel for schedule(static) if (parallel)
    for (std::size_t i = 0; i < count; ++i) dst[i] = gradients[rows[i]];
    ordered = dst;
  }
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  if (!parallel || features.size() >= 2 * threads) {
    BuildByFeature(rows, count, ordered, features, out);
  } else {
    BuildByRowBlock(rows, count, ordered, features, out);
  }
}

void HistogramBuilder::BuildByFeature(const std::uint32_t* rows, std::size_t count,
                                      const GradientPair* ordered, std::span<const int> features,
                                      HistBin* out) {
  const bool parallel = count * features.size() >= kMinParallelWork;
  const auto n = static_cast<std::int64_t>(features.size());
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
  for (std::int64_t i = 0; i < n; ++i) {
    const int f = features[i];
    Accumulate(matrix_.column(f), rows, ordered, 0, count, out + bins_.offset(f));
  }
}

void HistogramBuilder::BuildByRowBlock(const std::uint32_t* rows, std::size_t count,
                                       const GradientPair* ordered, std::span<const int> features,
                                       HistBin* out) {
  const std::size_t total = bins_.total_bins();
  const int threads = omp_get_max_threads();
  thread_histograms_.resize(total * threads);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int team = omp_get_num_threads();
    HistBin* mine = thread_histograms_.data() + total * t;
    std::fill(mine, mine + total, HistBin{});
    const std::size_t begin = count * t / team, end = count * (t + 1) / team;
    for (int f : features) {
      Accumulate(matrix_.column(f), rows, ordered, begin, end, mine + bins_.offset(f));
    }
#pragma omp barrier
    // Integer sums: the merge order cannot change the result.
#pragma omp for schedule(static)
    for (std::size_t b = 0; b < total; ++b) {
      for (int other = 0; other < team; ++other) out[b] += thread_histograms_[total * other + b];
    }
  }
}

void SubtractHistogram(HistBin* other, const HistBin* child, std::size_t size) {
  for (std::size_t b = 0; b < size; ++b) other[b] -= child[b];
}

}  // namespace scaleml
