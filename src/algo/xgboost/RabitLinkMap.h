// Rabit's topology for n workers, as XGBoost 1.7's tracker builds it (tracker.py's
// get_link_map): a binary tree in heap order for reductions and a ring that shares most of its
// links with the tree, relabelled so that the ring visits 0, 1, ..., n-1.
// Thread-safety: plain values and a pure function.
#pragma once

#include <utility>
#include <vector>

namespace scaleml {

struct LinkMap {
  std::vector<std::vector<int>> tree;     // each rank's tree neighbours (parent and children)
  std::vector<int> parent;                // -1 for the root
  std::vector<std::pair<int, int>> ring;  // previous, next
};

LinkMap MakeLinkMap(int n);

}  // namespace scaleml
