// Finds the histogram bins of gbdt from a row sample that every rank contributes to: a row is in
// the sample when a seeded hash of its global row id falls below sample_count / global rows, and
// the sampled values of all ranks are gathered (AllgatherConcat) before the quantiles are cut.
// The bins therefore depend only on the data and the seed, never on the number of ranks or how
// the rows are partitioned. Thread-safety: collective; the rank's thread calls it.
#pragma once

#include <cstdint>
#include <vector>

#include "comm/Comm.h"
#include "data/Dataset.h"
#include "data/QuantileBins.h"

namespace scaleml {

// `use_row[r]` (empty: all rows) says whether local row r may be sampled (held-out validation
// rows may not).
QuantileBins FindGlobalBins(const Dataset& data, const std::vector<std::uint8_t>& use_row,
                            Comm& comm, int max_bin, std::int64_t sample_count, std::uint64_t seed);

}  // namespace scaleml
