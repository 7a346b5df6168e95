#include "algo/xgboost/RabitLinkMap.h"

#include <algorithm>

namespace scaleml {

namespace {

std::vector<int> HeapNeighbours(int rank, int n) {
  const int r = rank + 1;
  std::vector<int> out;
  if (r > 1) out.push_back(r / 2 - 1);
  if (r * 2 - 1 < n) out.push_back(r * 2 - 1);
  if (r * 2 < n) out.push_back(r * 2);
  return out;
}

// The ring's order from `rank` down its subtree: each child's subtree in turn, the last reversed
// so that the walk ends next to where it started.
void ShareRing(const LinkMap& heap, int rank, std::vector<int>* order) {
  order->push_back(rank);
  std::vector<int> children;
  for (int v : heap.tree[rank]) {
    if (v != heap.parent[rank]) children.push_back(v);
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    std::vector<int> sub;
    ShareRing(heap, children[i], &sub);
    if (i + 1 == children.size()) std::reverse(sub.begin(), sub.end());
    order->insert(order->end(), sub.begin(), sub.end());
  }
}

}  // namespace

LinkMap MakeLinkMap(int n) {
  LinkMap heap;
  for (int r = 0; r < n; ++r) {
    heap.tree.push_back(HeapNeighbours(r, n));
    heap.parent.push_back((r + 1) / 2 - 1);
  }
  std::vector<int> order;
  ShareRing(heap, 0, &order);
  std::vector<int> label(n);  // heap rank -> position on the ring
  for (int i = 0; i < n; ++i) label[order[i]] = i;
  LinkMap out;
  out.tree.resize(n);
  out.parent.resize(n);
  out.ring.resize(n);
  for (int r = 0; r < n; ++r) {
    for (int v : heap.tree[r]) out.tree[label[r]].push_back(label[v]);
    out.parent[label[r]] = r == 0 ? -1 : label[heap.parent[r]];
  }
  for (int i = 0; i < n; ++i) out.ring[i] = {(i + n - 1) % n, (i + 1) % n};
  return out;
}

}  // namespace scaleml
