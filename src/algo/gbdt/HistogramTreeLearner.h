// Grows one tree on histograms of binned rows, for any number of ranks (one process is one rank,
// whose sum over the ranks is its own histogram). Leaf-wise (best-first) as LightGBM: the leaf
// with the largest split gain is split next until num_leaves; for each split only the smaller
// child's histogram is built from its rows, the larger one's is the parent's minus it.
//
// Data-parallel hook: every local histogram is summed over the ranks of the Comm before it is
// searched, so every rank takes the same split and ends with the same tree. Histogram sums are
// exact integers, so the tree equals the one a single process grows on all the rows. Two ways
// (param histogram_reduce):
//  - scatter (LightGBM's data-parallel learner): the features are divided among the ranks in
//    contiguous ranges balanced by bins; a reduce-scatter leaves each rank the global histograms
//    of its own features only ((N-1)/N of the bytes of an allreduce), each rank searches those,
//    and one small allgather of the per-leaf best splits gives every rank the global best (ties
//    to the lower feature, as one process breaks them);
//  - allreduce: every rank sums and searches every feature.
//
// With several ranks a collective costs a round trip whatever its size, so histograms are built
// ahead in batches: when the leaf to split next has no child histogram yet, the smaller children
// of the other leaves likely to split next (by gain, as many as leaves may still be added) are
// built with it and summed in the same collective, and the best splits of all their children
// are searched at once. Splits are still taken one at a time in gain order, so the tree is the
// same; a histogram built ahead for a leaf never split is wasted work. Thread-safety: one thread
// (the rank's) calls Train; it uses OpenMP inside.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/gbdt/BinnedMatrix.h"
#include "algo/gbdt/DataPartition.h"
#include "algo/gbdt/FeatureBins.h"
#include "algo/gbdt/GbdtParams.h"
#include "algo/gbdt/Histogram.h"
#include "algo/gbdt/SplitFinder.h"
#include "algo/gbdt/Tree.h"
#include "comm/Comm.h"

namespace scaleml {

// What the histogram builds of all trees so far cost this rank, against an even split of the
// same rows over the ranks. Every batch of builds ends in an allreduce, which waits for the rank
// with the most rows: the sum over batches of that maximum is the critical path. With two ranks
// it is even_share_rows + the rows_above_even_share of both ranks.
struct HistogramStats {
  std::int64_t builds = 0;
  std::int64_t batches = 0;          // one allreduce, or reduce-scatter and allgather, each
  std::int64_t rows = 0;             // this rank's rows, over all builds
  double even_share_rows = 0;        // sum over batches of the global rows / ranks
  double rows_above_even_share = 0;  // sum over batches of max(0, rows - even share)
};

class HistogramTreeLearner {
 public:
  HistogramTreeLearner(const BinnedMatrix& matrix, const FeatureBins& bins,
                       const GbdtParams& params, Comm& comm);

  // A tree fitted to `gradients` (indexed by local row) on the local rows `rows` (ascending;
  // `all_rows` when they are exactly 0..matrix.rows()-1), splitting only on `features`.
  // Leaf values are unshrunk. Collective: every rank calls it with its own rows.
  Tree Train(std::span<const std::uint32_t> rows, bool all_rows, const GradientPair* gradients,
             std::span<const int> features);

  // The rows of each leaf of the last tree trained.
  const DataPartition& partition() const { return partition_; }
  const HistogramStats& histogram_stats() const { return stats_; }

 private:
  // A slot is a histogram plus two entries more: the leaf's row count (in g) and its gradient
  // sums, so that summing a histogram over the ranks also sums these (every rank gets them, also
  // with scatter) and subtraction gives the sibling's.
  std::size_t SlotSize() const { return total_bins_ + 2; }
  std::size_t CountEntry() const { return total_bins_; }
  std::size_t SumsEntry() const { return total_bins_ + 1; }
  HistBin* Slot(int slot) { return pool_.data() + static_cast<std::size_t>(slot) * SlotSize(); }
  // Builds the local histogram of `rows` into `slot`, with its row count and sums.
  void BuildLocal(const std::uint32_t* rows, std::size_t count, const GradientPair* gradients,
                  std::span<const int> features, int slot);
  // Sums the histograms of `slots` over the ranks, in one collective: all bins (allreduce) or
  // this rank's own bins (reduce-scatter); the extra entries always.
  void SumOverRanks(std::span<const int> slots);
  void ReduceScatterSlots(std::span<const int> slots);
  // Replaces each rank's best split of each leaf in `splits` (searched over its own features)
  // by the best over all ranks, in one allgather; nothing to do when every rank searched all.
  void AgreeOnBestSplits(std::vector<SplitInfo>& splits);
  bool CanSplit(std::int64_t count, int depth) const;
  // Adds `split` of `leaf` to the tree and the partition; returns the new leaf.
  int ApplySplit(Tree& tree, int leaf, const SplitInfo& split);
  // goes_left[bin] for every bin of the split's feature.
  std::array<std::uint8_t, 256> GoesLeftTable(const SplitInfo& split) const;

  const BinnedMatrix& matrix_;
  const FeatureBins& bins_;
  const GbdtParams& params_;
  Comm& comm_;
  SplitConstraints constraints_;
  std::size_t total_bins_;
  HistogramBuilder builder_;
  DataPartition partition_;
  // 2 num_leaves + 1 slots: a leaf owns at most one, and one more built ahead for its child.
  std::vector<HistBin> pool_;
  std::vector<HistBin> batch_;             // a batch's slots side by side, for the allreduce
  std::vector<std::uint32_t> child_rows_;  // the rows of a leaf that go to one side of its split
  bool scatter_;  // the histograms are reduce-scattered: this rank searches its own bins only
  // Rank r owns the features whose bins are [rank_bins_[r], rank_bins_[r + 1]).
  std::vector<std::size_t> rank_bins_;
  std::vector<std::size_t> block_counts_;  // int64 elements of each rank's reduce-scatter block
  std::vector<HistBin> own_block_;         // this rank's summed block
  std::vector<SplitInfo> all_splits_;      // every rank's best splits, for AgreeOnBestSplits
  HistogramStats stats_;
};

}  // namespace scaleml
