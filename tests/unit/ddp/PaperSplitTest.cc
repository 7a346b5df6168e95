#include "engine/ddp/PaperSplit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace scaleml {
namespace {

std::vector<std::int64_t> RowIds(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> ids(static_cast<std::size_t>(count));
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

TEST(PaperSplitTest, SharesAreDisjointCoverEveryRowAndHoldAboutOneNthEach) {
  const std::vector<std::int64_t> ids = RowIds(0, 60000);
  for (int ranks : {1, 2, 3, 5}) {
    std::vector<int> owners(ids.size(), 0);
    for (int rank = 0; rank < ranks; ++rank) {
      const std::vector<std::size_t> share = PaperShareRows(ids, 42, rank, ranks);
      // About 1/N: the binomial standard deviation is below 130 rows here; allow 5 of them.
      const double expected = static_cast<double>(ids.size()) / ranks;
      EXPECT_NEAR(static_cast<double>(share.size()), expected, 650.0)
          << "rank " << rank << " of " << ranks;
      for (std::size_t at : share) ++owners[at];
    }
    for (std::size_t r = 0; r < ids.size(); ++r) {
      ASSERT_EQ(owners[r], 1) << "row " << ids[r] << " with " << ranks << " ranks";
    }
  }
}

TEST(PaperSplitTest, DependsOnlyOnTheRowIdNotOnWhereTheRowSits) {
  // The same rows seen whole, in two byte-range halves, or reversed: the same owners.
  const std::vector<std::int64_t> whole = RowIds(1000, 9000);
  const std::vector<std::size_t> share = PaperShareRows(whole, 42, 1, 3);
  std::vector<std::int64_t> kept;
  for (std::size_t at : share) kept.push_back(whole[at]);

  std::vector<std::int64_t> from_halves;
  for (std::int64_t first : {1000, 5500}) {
    const std::vector<std::int64_t> half = RowIds(first, 4500);
    for (std::size_t at : PaperShareRows(half, 42, 1, 3)) from_halves.push_back(half[at]);
  }
  EXPECT_EQ(from_halves, kept);

  std::vector<std::int64_t> reversed(whole.rbegin(), whole.rend());
  std::vector<std::int64_t> from_reversed;
  for (std::size_t at : PaperShareRows(reversed, 42, 1, 3)) from_reversed.push_back(reversed[at]);
  EXPECT_EQ(std::vector<std::int64_t>(from_reversed.rbegin(), from_reversed.rend()), kept);

  // Positions come back in order, and a second call gives the same answer.
  EXPECT_TRUE(std::is_sorted(share.begin(), share.end()));
  EXPECT_EQ(PaperShareRows(whole, 42, 1, 3), share);
}

TEST(PaperSplitTest, ShareIsSpreadOverTheFileNotAChunkRange) {
  // Six 2,000-row chunks (a --problem-per-chunk file's layout): every rank holds about a third of
  // every chunk, so every rank sees every problem.
  const std::vector<std::int64_t> ids = RowIds(0, 12000);
  for (int rank = 0; rank < 3; ++rank) {
    std::vector<int> per_chunk(6, 0);
    for (std::size_t at : PaperShareRows(ids, 42, rank, 3)) ++per_chunk[ids[at] / 2000];
    for (int chunk = 0; chunk < 6; ++chunk) {
      EXPECT_NEAR(per_chunk[chunk], 2000.0 / 3.0, 120.0) << "rank " << rank << " chunk " << chunk;
    }
  }
}

TEST(PaperSplitTest, TheSeedAndTheRankCountChangeTheShares) {
  const std::vector<std::int64_t> ids = RowIds(0, 3000);
  EXPECT_NE(PaperShareRows(ids, 42, 0, 3), PaperShareRows(ids, 7, 0, 3));
  EXPECT_NE(PaperShareRows(ids, 42, 0, 3), PaperShareRows(ids, 42, 0, 2));
  EXPECT_EQ(PaperShareRows(ids, 42, 0, 1).size(), ids.size());
}

}  // namespace
}  // namespace scaleml
