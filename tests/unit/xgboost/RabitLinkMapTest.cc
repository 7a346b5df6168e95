#include "algo/xgboost/RabitLinkMap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace scaleml {
namespace {

TEST(RabitLinkMap, TreeAndRingConnectEveryWorkerConsistently) {
  for (int n = 1; n <= 17; ++n) {
    const LinkMap links = MakeLinkMap(n);
    ASSERT_EQ(links.tree.size(), static_cast<std::size_t>(n));
    int roots = 0;
    for (int r = 0; r < n; ++r) {
      if (links.parent[r] == -1) {
        ++roots;
        EXPECT_EQ(r, 0) << "n=" << n;
      } else {
        // The parent is a tree neighbour, and the link goes both ways.
        const auto& mine = links.tree[r];
        EXPECT_NE(std::find(mine.begin(), mine.end(), links.parent[r]), mine.end());
      }
      for (int v : links.tree[r]) {
        const auto& theirs = links.tree[v];
        EXPECT_NE(std::find(theirs.begin(), theirs.end(), r), theirs.end()) << n << ": " << r;
      }
      EXPECT_EQ(links.ring[r].first, (r + n - 1) % n);
      EXPECT_EQ(links.ring[r].second, (r + 1) % n);
    }
    EXPECT_EQ(roots, 1);
    // Following parents from any rank reaches the root: one tree, no cycle.
    for (int r = 0; r < n; ++r) {
      int at = r;
      for (int steps = 0; steps < n && at != 0; ++steps) at = links.parent[at];
      EXPECT_EQ(at, 0) << "n=" << n << " rank " << r;
    }
  }
}

TEST(RabitLinkMap, ParentsAsXgboostsTrackerLinksThem) {
  // tracker.py's get_link_map(n) of XGBoost 1.7.4 (the same up to 15 workers; above, Python's
  // set order changes which child's subtree the ring walks first, an equally valid ring).
  EXPECT_EQ(MakeLinkMap(7).parent, (std::vector<int>{-1, 0, 1, 1, 6, 6, 0}));
  EXPECT_EQ(MakeLinkMap(12).parent, (std::vector<int>{-1, 0, 1, 2, 2, 7, 7, 1, 11, 10, 11, 0}));
}

}  // namespace
}  // namespace scaleml
