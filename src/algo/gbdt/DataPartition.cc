#include "algo/gbdt/DataPartition.h"

#include <omp.h>

#include <algorithm>

namespace scaleml {
namespace {

constexpr std::size_t kMinParallelRows = 1 << 16;

}  // namespace

void DataPartition::Init(std::span<const std::uint32_t> rows, int max_leaves) {
  rows_.assign(rows.begin(), rows.end());
  begin_.assign(max_leaves, 0);
  count_.assign(max_leaves, 0);
  count_[0] = rows_.size();
  left_scratch_.resize(rows_.size());
  right_scratch_.resize(rows_.size());
}

std::size_t DataPartition::Split(int leaf, int new_leaf, const std::uint8_t* bins,
                                 std::size_t stride, int threshold_bin) {
  const auto threshold = static_cast<std::uint8_t>(threshold_bin);
  return SplitBy(leaf, new_leaf, bins, stride,
                 [threshold](std::uint8_t bin) { return bin <= threshold; });
}

std::size_t DataPartition::SplitByTable(int leaf, int new_leaf, const std::uint8_t* bins,
                                        std::size_t stride, const std::uint8_t* goes_left) {
  return SplitBy(leaf, new_leaf, bins, stride,
                 [goes_left](std::uint8_t bin) { return goes_left[bin] != 0; });
}

template <class GoesLeft>
std::size_t DataPartition::SplitBy(int leaf, int new_leaf, const std::uint8_t* bins,
                                   std::size_t stride, GoesLeft goes_left_of) {
  const std::size_t begin = begin_[leaf], count = count_[leaf];
  std::uint32_t* rows = rows_.data() + begin;
  std::size_t left_total = 0;
  if (count < kMinParallelRows || omp_get_max_threads() == 1) {
    std::uint32_t* right = right_scratch_.data();
    std::size_t nright = 0;
    // Branch-free: the side of a row is unpredictable, so write it to both and advance one.
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t row = rows[i];
      const bool goes_left = goes_left_of(bins[row * stride]);
      rows[left_total] = row;
      right[nright] = row;
      left_total += goes_left;
      nright += !goes_left;
    }
    std::copy(right, right + nright, rows + left_total);
  } else {
    // Each thread splits a block into scratch, then the blocks are copied back in order.
    const int threads = omp_get_max_threads();
    std::vector<std::size_t> lefts(threads + 1, 0), rights(threads + 1, 0);
    int team_used = threads;
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), team = omp_get_num_threads();
      const std::size_t b = count * t / team, e = count * (t + 1) / team;
      std::size_t nl = 0, nr = 0;
      std::uint32_t* left_out = left_scratch_.data() + begin + b;
      std::uint32_t* right_out = right_scratch_.data() + begin + b;
      for (std::size_t i = b; i < e; ++i) {
        const std::uint32_t row = rows[i];
        const bool goes_left = goes_left_of(bins[row * stride]);
        left_out[nl] = row;
        right_out[nr] = row;
        nl += goes_left;
        nr += !goes_left;
      }
      lefts[t + 1] = nl;
      rights[t + 1] = nr;
#pragma omp barrier
      // Every thread sums the block sizes itself: cheaper than a single section's barrier.
      std::size_t left_before = 0, right_before = 0, left_all = 0;
      for (int i = 0; i < team; ++i) {
        if (i < t) {
          left_before += lefts[i + 1];
          right_before += rights[i + 1];
        }
        left_all += lefts[i + 1];
      }
      if (t == 0) team_used = team;
      std::copy(left_scratch_.data() + begin + b, left_scratch_.data() + begin + b + nl,
                rows + left_before);
      std::copy(right_scratch_.data() + begin + b, right_scratch_.data() + begin + b + nr,
                rows + left_all + right_before);
    }
    for (int i = 0; i < team_used; ++i) left_total += lefts[i + 1];
  }
  begin_[new_leaf] = begin + left_total;
  count_[new_leaf] = count - left_total;
  count_[leaf] = left_total;
  return left_total;
}

}  // namespace scaleml
