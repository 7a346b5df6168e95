#include "algo/knn/Neighbor.h"

#include <algorithm>

namespace scaleml {

void MergeNearest(std::span<const Neighbor> lists, int k, std::span<Neighbor> out) {
  const std::size_t kk = static_cast<std::size_t>(k);
  const std::size_t count = lists.size() / kk;
  // A k-way merge of short lists: take the smallest head each time.
  std::size_t heads[64];
  std::vector<std::size_t> many;
  std::size_t* head = heads;
  if (count > 64) {
    many.assign(count, 0);
    head = many.data();
  } else {
    std::fill(heads, heads + count, 0);
  }
  for (std::size_t j = 0; j < kk; ++j) {
    std::size_t best = count;
    for (std::size_t l = 0; l < count; ++l) {
      if (head[l] >= kk) continue;
      if (best == count || lists[l * kk + head[l]] < lists[best * kk + head[best]]) best = l;
    }
    if (best == count) {
      out[j] = kNoNeighbor;
      continue;
    }
    out[j] = lists[best * kk + head[best]++];
  }
}

}  // namespace scaleml
