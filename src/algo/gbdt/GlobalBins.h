// Finds the histogram bins of gbdt from the rows of every rank, so that they depend only on the
// data and the seed, never on the number of ranks or how the rows are partitioned:
// - numeric features: quantiles of a row sample that every rank contributes to (a row is in the
//   sample when a seeded hash of its global row id falls below sample_count / global rows; the
//   sampled values of all ranks are gathered with AllgatherConcat before the quantiles are cut),
//   plus a missing bin when any training row of any rank is NaN;
// - categorical features (data.schema()): the categories counted over all training rows (one
//   allreduce of the counts, with the missing counts), the most frequent kept (FeatureBins).
// Thread-safety: collective; the rank's thread calls it.
#pragma once

#include <cstdint>
#include <vector>

#include "algo/gbdt/FeatureBins.h"
#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

// `use_row[r]` (empty: all rows) says whether local row r trains (held-out validation rows do
// not count).
FeatureBins FindGlobalBins(const Dataset& data, const std::vector<std::uint8_t>& use_row,
                           Comm& comm, int max_bin, std::int64_t sample_count, std::uint64_t seed);

// The categories a categorical feature keeps, in bin order, from their global counts (index =
// code): the most frequent first, ties to the lower code, none of count 0, at most max_bin - 1.
std::vector<std::int32_t> KeptCategories(std::span<const std::int64_t> counts, int max_bin);

}  // namespace scaleml
