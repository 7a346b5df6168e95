// Deals training rows out to ranks at random: each row goes to rank HashKey(seed, row id) % size.
// Byte-range partitions of a file are not random (in the paper's data every 300,000-row chunk is
// a different problem), so trees grown on one rank's own rows would know only that rank's
// problems; after the exchange every rank holds a uniform sample of the whole training set.
//
// Comm has no all-to-all, so the exchange is `size` rounds of AllgatherV: in round d every rank
// contributes the rows destined for rank d and only rank d keeps what it receives. Every rank
// thus receives the whole training set once (network volume N per rank instead of N/size, and at
// most about N/size rows of extra memory at a time): simple and correct; a point-to-point
// exchange would cut the volume by `size`.
// Thread-safety: collective; the rank's thread only.
#pragma once

#include <cstdint>

#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

// The rows of `local` (from any partition of the data) that HashKey assigns to this rank,
// gathered from all ranks and sorted by global row id, so the result depends only on the whole
// training set, the seed and the rank count. Collective: every rank calls it.
Dataset ExchangeRows(const Dataset& local, Comm& comm, std::uint64_t seed);

// The rank that holds a row after the exchange.
int RankOfRow(std::int64_t row_id, std::uint64_t seed, int size);

}  // namespace scaleml
