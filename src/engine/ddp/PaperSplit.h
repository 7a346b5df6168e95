// The paper's division of the training set in `--ddp-mode paper`: every rank reads the whole file
// and keeps only the training rows whose global row id hashes to it. The paper shuffled before
// slicing, so each rank trained on a uniform random third; a hash of the row id gives the same
// uniform 1/N whatever the file's layout (a chunk range of a --problem-per-chunk file would hold
// only some of its problems), and the same rows for any thread count or cache state.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/Hash.h"

namespace scaleml {

// Its own stream, so that the ranks' shares are independent of the train/test split and of the
// algorithms' own row hashing.
inline constexpr std::uint64_t kPaperShareStream = 0x9a9e5;

// The rank (in [0, ranks)) whose share holds the row with this global id.
constexpr int PaperRankOfRow(std::int64_t row_id, std::uint64_t seed, int ranks) {
  return static_cast<int>(HashKey(seed, static_cast<std::uint64_t>(row_id), kPaperShareStream) %
                          static_cast<std::uint64_t>(ranks));
}

// Positions (into `row_ids`) of the rows in `rank`'s share, in their original order.
inline std::vector<std::size_t> PaperShareRows(std::span<const std::int64_t> row_ids,
                                               std::uint64_t seed, int rank, int ranks) {
  std::vector<std::size_t> kept;
  kept.reserve(row_ids.size() / static_cast<std::size_t>(ranks) + 16);
  for (std::size_t r = 0; r < row_ids.size(); ++r) {
    if (PaperRankOfRow(row_ids[r], seed, ranks) == rank) kept.push_back(r);
  }
  return kept;
}

}  // namespace scaleml
