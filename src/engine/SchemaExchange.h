// The collective half of a partitioned read: every rank's category dictionaries and class names
// are gathered, merged (union, sorted) and each rank's codes remapped, so that every rank holds
// exactly the codes, classes and features a single process reading the whole file would.
// Thread-safety: a collective; every rank of `comm` calls it once, in the same order.
#pragma once

#include <string>
#include <vector>

#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

// Merges `data`'s dictionaries with every other rank's and remaps `data` in place.
// `declared_categorical`: the columns the user declared categorical (never ignored as ids).
// Rank 0 logs a notice for every column the merge ignores.
void ExchangeDictionaries(Comm& comm, Dataset& data,
                          const std::vector<std::string>& declared_categorical);

}  // namespace scaleml
