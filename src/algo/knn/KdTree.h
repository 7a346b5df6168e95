// An exact k-nearest-neighbour index over the training rows a rank holds: a kd-tree split at the
// median of the widest dimension, whose leaves store their points contiguously, column by column,
// so a leaf is scanned with vector instructions. Every node keeps the tight bounding box of its
// points, which prunes far better than the split planes on correlated features. Squared distances
// are float sums over the features in order, the same arithmetic for every (query, point) pair
// whatever the tree: the k best by (distance, global row id) are then exactly those of a
// brute-force search, and merging the lists of several ranks gives the single-process answer.
// Thread-safety: Build and Load need exclusive access; Search is const and reentrant.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "algo/BinaryIO.h"
#include "algo/knn/Neighbor.h"
#include "data/Dataset.h"

namespace scaleml {

// Work done by searches, to compare search strategies by count rather than by clock.
struct KnnSearchCounts {
  std::uint64_t queries = 0;
  std::uint64_t leaves = 0;     // leaves scanned
  std::uint64_t distances = 0;  // point distances computed
};

class KdTree {
 public:
  // Indexes every row of `data`; `codes` are the rows' class indices. Parallel with OpenMP.
  void Build(const Dataset& data, std::span<const std::int32_t> codes, int leaf_size);

  // For each of `count` row-major queries (count x features()), its k nearest points sorted by
  // (distance, row id) into out[q * k .. q * k + k), padded with kNoNeighbor when the index holds
  // fewer than k points. Queries run in parallel with OpenMP.
  // With `bounds` (one per query), only points ordered before bounds[q] by (distance, row id)
  // are kept and only nodes within its distance are visited: a search limited to a radius that is
  // already known to hold the k best elsewhere. `counts`, when given, accumulates the work done.
  void Search(std::span<const float> queries, std::size_t count, int k, std::span<Neighbor> out,
              std::span<const Neighbor> bounds = {}, KnnSearchCounts* counts = nullptr) const;

  std::size_t size() const { return labels_.size(); }
  int features() const { return features_; }

  // Payload: features, leaf size, nodes, boxes, points, labels and row ids; Load checks every
  // index.
  void Save(BinaryWriter& out) const;
  void Load(BinaryReader& in, int classes);

 private:
  struct Node {
    float split = 0.0f;
    std::int32_t dim = -1;              // -1: a leaf
    std::uint32_t begin = 0, end = 0;   // the points below, in tree order
    std::uint32_t left = 0, right = 0;  // children (internal nodes)
  };
  // A search without a bound or counters compiles to the plain loop: the single process pays
  // nothing for the distributed search.
  template <bool kBounded, bool kCounted>
  class Searcher;
  using LeafOrder = std::vector<std::pair<std::uint32_t, std::size_t>>;
  template <bool kBounded, bool kCounted>
  void SearchInOrder(std::span<const float> queries, const LeafOrder& by_leaf, int k,
                     std::span<Neighbor> out, std::span<const Neighbor> bounds,
                     KnnSearchCounts* counts) const;

  // The leaf a query descends to.
  std::uint32_t LeafOf(const float* query) const;
  void ComputeBoxes();
  // Floats per node box: low and high corners, each padded to a multiple of four features.
  std::size_t BoxWidth() const { return 2 * ((static_cast<std::size_t>(features_) + 3) / 4 * 4); }
  std::uint32_t Shape(std::uint32_t begin, std::uint32_t end);
  struct BuildSource {
    const Dataset& data;
    std::span<const std::int32_t> codes;
  };
  void Split(std::uint32_t node, const BuildSource& source, std::vector<std::uint32_t>& order);
  void SplitSubtree(std::uint32_t node, const BuildSource& source,
                    std::vector<std::uint32_t>& order);
  void SplitLocal(std::uint32_t node, const float* local, std::uint32_t base,
                  std::vector<std::uint32_t>& positions);

  int features_ = 0;
  int leaf_size_ = 32;
  std::vector<Node> nodes_;            // preorder; node 0 is the root
  std::vector<float> boxes_;           // per node: low corner, high corner (BoxWidth)
  std::vector<float> points_;          // leaf by leaf: features x leaf count, column by column
  std::vector<std::int32_t> labels_;   // tree order
  std::vector<std::int64_t> row_ids_;  // tree order
};

}  // namespace scaleml
