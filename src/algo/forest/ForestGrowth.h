// Grows the trees of a forest on the training rows that every rank holds a part of, so that every
// rank ends with the whole forest, and the same forest as one process holding all the rows.
//
// Tree t's rows are its bootstrap sample (SampleRows.h: a pure function of the seed, t and the
// global row ids) and its features per node come from the stream (seed, t); with the bins shared
// too (BinnedFeatures::GlobalBounds), the tree depends on nothing a rank or a thread decides.
// One process grows every tree on its own rows. With several ranks, tree t is grown by rank
// t % size, in rounds: in a round each rank grows as many trees as the least-threaded rank runs
// threads, in parallel. For each owner in turn, every other rank packs its rows that are in any
// of the owner's round trees' samples, with their counts (SampleRows.h), and sends them in an
// AllgatherV to which the owner contributes nothing: with 2 ranks exactly the rows the owner
// needs cross the network; with more, each non-owner also receives the other non-owners' packs,
// which Comm, having no point-to-point operation, cannot avoid. A rank thus holds its partition
// plus one round's rows (at most every row once), and drops them before the next round. The
// trees are then gathered.
// Thread-safety: collective (the rank's thread); uses OpenMP inside.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/forest/BinnedFeatures.h"
#include "algo/forest/DecisionTree.h"
#include "algo/forest/ForestParams.h"
#include "comm/Comm.h"

namespace scaleml {

struct ForestRows {
  const BinnedFeatures& binned;         // this rank's rows, binned with global bounds
  std::span<const std::int64_t> ids;    // their global row ids
  std::span<const std::int32_t> codes;  // their class indices
  int classes = 0;
  // Class fractions of the whole training set: the single leaf of a tree whose bootstrap sample
  // happens to be empty (only likely on a handful of rows).
  std::span<const float> prior;
};

// The trees that rank `owner` of `size` grows in round `round` when each rank grows
// `round_trees` at a time (of `trees` in all): tree t belongs to rank t % size.
std::vector<int> TreesOfRound(int round, int owner, int size, int round_trees, int trees);

// Trees first..first+count-1 on this process's rows, omp threads growing one tree each; `cancel`
// (Classifier::set_cancel_flag) stops the growth between trees: no tree starts once it is set,
// and a Failure is thrown when the running ones are done.
std::vector<DecisionTree> GrowTreesHere(const ForestRows& rows, const ForestParams& params,
                                        std::uint64_t seed, int first, int count,
                                        const std::atomic<bool>* cancel = nullptr);

// All params.n_estimators trees, in tree order, on every rank. Collective. In one process,
// `cancel` stops the growth as GrowTreesHere says.
std::vector<DecisionTree> GrowForest(const ForestRows& rows, const ForestParams& params,
                                     std::uint64_t seed, Comm& comm,
                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace scaleml
