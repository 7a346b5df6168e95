// The exact k nearest training rows, over all ranks, of the queries each rank holds, in two
// phases. Phase 1: every rank searches its own queries in its own kd-tree; the k-th local
// neighbour bounds the global k-th (by (distance, row id)). Phase 2: the other ranks receive the
// queries with their bounds in batches and search only inside them, returning just the points
// that order before the bound; the owner merges. A remote rank that holds no point that near
// (the usual case when ranks hold different parts of feature space) visits a few nodes and
// returns nothing, so each query costs about one full search in all instead of one per rank.
// The merged lists are exactly those of one process: a point in the global k best either lies on
// the owner (so it is in the owner's local k best) or orders before the owner's k-th neighbour
// (so a remote rank returns it among its k best inside the bound).
// Thread-safety: collective; the rank's thread only (searches run in parallel with OpenMP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/knn/KdTree.h"
#include "algo/knn/Neighbor.h"
#include "comm/Comm.h"

namespace scaleml {

// What one call did, to compare strategies by count rather than by clock.
struct NearestExchangeStats {
  KnnSearchCounts own;                    // phase 1: this rank's queries in its own tree
  KnnSearchCounts remote;                 // phase 2: the other ranks' queries inside their bounds
  std::uint64_t bytes_sent = 0;           // this rank's contributions to the collectives
  std::uint64_t bytes_received = 0;       // the other ranks' contributions this rank received
  std::uint64_t candidates_received = 0;  // remote neighbours that reached this rank
  int rounds = 0;                         // batches exchanged
};

// Queries per rank exchanged in one round: bounds the memory of a round (with 10 features and
// 5 neighbours, under 10 MB per peer) while keeping rounds few.
inline constexpr std::size_t kExchangeBatchQueries = 65536;

// The k nearest neighbours of this rank's `count` row-major queries (count x tree.features())
// among every rank's tree, sorted by (distance, row id): count x k, padded with kNoNeighbor when
// all ranks together hold fewer than k rows. Collective: every rank calls it, with any count.
std::vector<Neighbor> ExchangeNearest(const KdTree& tree, std::span<const float> queries,
                                      std::size_t count, int k, Comm& comm,
                                      std::size_t batch_queries = kExchangeBatchQueries,
                                      NearestExchangeStats* stats = nullptr);

}  // namespace scaleml
