// The train/test split: a seeded hash of each row's global index decides its side, so every
// engine, rank count and partitioning of a file puts the same rows in the test set.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "data/Dataset.h"

namespace scaleml {

struct SplitOptions {
  double test_size = 0.2;  // fraction of rows in the test set, in [0, 1)
  std::uint64_t seed = 42;
};

// Whether the row with this global index belongs to the test set.
bool IsTestRow(std::int64_t global_row, const SplitOptions& options);

struct TrainTest {
  Dataset train;
  Dataset test;
};

// Splits the rows held here (any partition of a file) by their global indices.
TrainTest SplitTrainTest(const Dataset& data, const SplitOptions& options);

}  // namespace scaleml
