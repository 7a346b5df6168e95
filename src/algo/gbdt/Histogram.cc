#include "algo/gbdt/Histogram.h"

#include <omp.h>

#include <algorithm>

#include "algo/gbdt/Parallelism.h"

#if defined(__SSE4_1__)
#include <immintrin.h>
#endif

namespace scaleml {
namespace {

constexpr std::size_t kPrefetchDistance = 32;

[[maybe_unused]] inline void Add(HistBin& bin, GradientPair pair) {
  bin.g += pair.g;
  bin.h += pair.h;
}

}  // namespace

HistogramBuilder::HistogramBuilder(const BinnedMatrix& matrix, const FeatureBins& bins)
    : matrix_(matrix), bins_(bins) {
  for (std::size_t f = 0; f < bins.features(); ++f) {
    offsets_.push_back(static_cast<std::uint32_t>(bins.offset(f)));
  }
}

void HistogramBuilder::Accumulate(const std::uint32_t* rows, std::size_t begin, std::size_t end,
                                  const GradientPair* gradients, std::span<const int> features,
                                  HistBin* hist) const {
  const bool all_features = features.size() == matrix_.features();
  if (rows == nullptr) {
    all_features ? AccumulateRows<false, true>(rows, begin, end, gradients, features, hist)
                 : AccumulateRows<false, false>(rows, begin, end, gradients, features, hist);
  } else {
    all_features ? AccumulateRows<true, true>(rows, begin, end, gradients, features, hist)
                 : AccumulateRows<true, false>(rows, begin, end, gradients, features, hist);
  }
}

template <bool kRowList, bool kAllFeatures>
void HistogramBuilder::AccumulateRows(const std::uint32_t* rows, std::size_t begin, std::size_t end,
                                      const GradientPair* gradients, std::span<const int> features,
                                      HistBin* hist) const {
  const std::size_t stride = matrix_.features();
  const std::uint8_t* bins = matrix_.row(0);
  const std::uint32_t* offsets = offsets_.data();
  const std::size_t used = kAllFeatures ? stride : features.size();
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t r = kRowList ? rows[i] : i;
    if constexpr (kRowList) {
      // A leaf's rows are scattered: fetch a later row's bins and gradient ahead, as the
      // hardware prefetcher does not follow a row list.
      if (i + kPrefetchDistance < end) {
        const std::size_t ahead = rows[i + kPrefetchDistance];
        __builtin_prefetch(bins + ahead * stride);
        __builtin_prefetch(gradients + ahead);
      }
    }
    // A row's bins are read in one sweep of its cache line.
    const std::uint8_t* row = bins + r * stride;
#if defined(__SSE4_1__)
    // (g, h) widened to two int64 lanes once per row, then one 128-bit add per feature.
    const __m128i pair =
        _mm_cvtepi32_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(gradients + r)));
    for (std::size_t j = 0; j < used; ++j) {
      const std::size_t f = kAllFeatures ? j : static_cast<std::size_t>(features[j]);
      HistBin* bin = hist + offsets[f] + row[f];
      auto* gh = reinterpret_cast<__m128i*>(&bin->g);
      _mm_storeu_si128(gh, _mm_add_epi64(_mm_loadu_si128(gh), pair));
    }
#else
    const GradientPair pair = gradients[r];
    for (std::size_t j = 0; j < used; ++j) {
      const std::size_t f = kAllFeatures ? j : static_cast<std::size_t>(features[j]);
      Add(hist[offsets[f] + row[f]], pair);
    }
#endif
  }
}

void HistogramBuilder::Build(const std::uint32_t* rows, std::size_t count,
                             const GradientPair* gradients, std::span<const int> features,
                             HistBin* out) {
  const std::size_t total = bins_.total_bins();
  std::fill(out, out + total, HistBin{});
  const int threads = omp_get_max_threads();
  if (static_cast<std::int64_t>(count) < kParallelMinRows || threads == 1) {
    Accumulate(rows, 0, count, gradients, features, out);
    return;
  }
  // Row blocks, one per thread, each into its own histogram (thread 0 into `out`), then merged.
  // The sums are integers, so neither the blocks nor the merge order change the result. The
  // merge (a few thousand bins) is serial: a barrier inside the region costs more than it saves,
  // much more when the cores are shared and a waiting thread spins.
  thread_histograms_.resize(total * (threads - 1));
  int team_used = 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int team = omp_get_num_threads();
    if (t == 0) team_used = team;
    HistBin* mine = t == 0 ? out : thread_histograms_.data() + total * (t - 1);
    if (t > 0) std::fill(mine, mine + total, HistBin{});
    Accumulate(rows, count * t / team, count * (t + 1) / team, gradients, features, mine);
  }
  for (int other = 1; other < team_used; ++other) {
    const HistBin* theirs = thread_histograms_.data() + total * (other - 1);
    for (std::size_t b = 0; b < total; ++b) out[b] += theirs[b];
  }
}

void SubtractHistogram(HistBin* other, const HistBin* child, std::size_t size) {
  for (std::size_t b = 0; b < size; ++b) other[b] -= child[b];
}

}  // namespace scaleml
