// One candidate neighbour of a query, as a rank reports it for merging: its squared Euclidean
// distance, its class index and its global row id. Neighbours are ordered by (distance, row id),
// so the k best of any partitioning of the training rows are the k best of one process.
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace scaleml {

struct Neighbor {
  float distance;       // squared Euclidean distance
  std::int32_t label;   // class index (into the model's classes), -1 for padding
  std::int64_t row_id;  // global row id of the training row

  friend bool operator<(const Neighbor& a, const Neighbor& b) {
    return a.distance < b.distance || (a.distance == b.distance && a.row_id < b.row_id);
  }
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

// Fills the places of a k-best list that a rank with fewer than k training rows cannot fill;
// it sorts after every real neighbour.
inline constexpr Neighbor kNoNeighbor{std::numeric_limits<float>::infinity(), -1,
                                      std::numeric_limits<std::int64_t>::max()};

// The k smallest of several sorted k-best lists of one query (each of length k), sorted.
// `lists` holds the lists back to back.
void MergeNearest(std::span<const Neighbor> lists, int k, std::span<Neighbor> out);

}  // namespace scaleml
