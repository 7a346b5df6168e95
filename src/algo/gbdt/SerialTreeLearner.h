// Grows one tree leaf-wise (best-first) as LightGBM does: the leaf with the largest split gain is
// split next until num_leaves; for each split only the smaller child's histogram is built from
// its rows, the larger one's is the parent's minus it.
//
// Data-parallel hook: every local histogram is summed over the ranks of the Comm (AllreduceSum;
// a no-op with LocalComm) before it is searched, so every rank sees the global histogram, takes
// the same split and ends with the same tree. Histogram sums are exact integers, so the tree
// equals the one a single process grows on all the rows.
// Thread-safety: one thread (the rank's) calls Train; it uses OpenMP inside.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "algo/gbdt/BinnedMatrix.h"
#include "algo/gbdt/DataPartition.h"
#include "algo/gbdt/GbdtParams.h"
#include "algo/gbdt/Histogram.h"
#include "algo/gbdt/SplitFinder.h"
#include "algo/gbdt/Tree.h"
#include "comm/Comm.h"
#include "data/QuantileBins.h"

namespace scaleml {

// What the histogram builds of all trees so far cost this rank, against an even split of the
// same rows over the ranks. Every build ends in an allreduce, so each one waits for the rank with
// the most rows: the sum over builds of that maximum is the critical path. With two ranks it is
// even_share_rows + the rows_above_even_share of both ranks.
struct HistogramStats {
  std::int64_t builds = 0;
  std::int64_t rows = 0;             // this rank's rows, over all builds
  double even_share_rows = 0;        // sum over builds of the global rows / ranks
  double rows_above_even_share = 0;  // sum over builds of max(0, rows - even share)
};

class SerialTreeLearner {
 public:
  SerialTreeLearner(const BinnedMatrix& matrix, const QuantileBins& bins, const GbdtParams& params,
                    Comm& comm);

  // A tree fitted to `gradients` (indexed by local row) on the local rows `rows` (ascending;
  // `all_rows` when they are exactly 0..matrix.rows()-1), splitting only on `features`.
  // Leaf values are unshrunk. Collective: every rank calls it with its own rows.
  Tree Train(std::span<const std::uint32_t> rows, bool all_rows, const GradientPair* gradients,
             std::span<const int> features);

  // The rows of each leaf of the last tree trained.
  const DataPartition& partition() const { return partition_; }
  const HistogramStats& histogram_stats() const { return stats_; }

 private:
  // A slot is a histogram plus one entry more whose g is the leaf's row count, so that the
  // allreduce of a histogram also sums the rank's row counts and subtraction gives the sibling's.
  std::size_t SlotSize() const { return total_bins_ + 1; }
  HistBin* Slot(int slot) { return pool_.data() + static_cast<std::size_t>(slot) * SlotSize(); }
  // Builds the histogram of `rows` into `slot` and sums it over the ranks; returns the global
  // row count.
  std::int64_t BuildGlobal(const std::uint32_t* rows, std::size_t count,
                           const GradientPair* gradients, std::span<const int> features,
                           HistBin* slot);
  bool CanSplit(std::int64_t count, int depth) const;

  const BinnedMatrix& matrix_;
  const QuantileBins& bins_;
  const GbdtParams& params_;
  Comm& comm_;
  SplitConstraints constraints_;
  std::size_t total_bins_;
  HistogramBuilder builder_;
  DataPartition partition_;
  std::vector<HistBin> pool_;  // num_leaves + 1 slots; a leaf owns at most one
  HistogramStats stats_;
};

}  // namespace scaleml
