// The train/test split: a seeded hash of each row's global index decides its side, so every
// engine, rank count and partitioning of a file puts the same rows in the test set.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "data/Dataset.h"

namespace scaleml {

struct SplitOptions {
  double test_size = 0.2;  // fraction of rows in the test set, in (0, 1)
  std::uint64_t seed = 42;
};

// An input error naming --test-size unless it is in (0, 1).
void CheckTestSize(const SplitOptions& options);

// Whether the row with this global index belongs to the test set.
bool IsTestRow(std::int64_t global_row, const SplitOptions& options);

struct TrainTest {
  Dataset train;
  Dataset test;
};

// Splits the rows held here (any partition of a file) by their global indices. test_size must be
// in (0, 1): both sides need rows.
TrainTest SplitTrainTest(const Dataset& data, const SplitOptions& options);

// K-fold cross-validation by the same hash: the row's fold in [0, folds) is the range
// [f/folds, (f+1)/folds) that holds the hash IsTestRow compares with test_size (so with 5 folds,
// fold 0 is the test set of --test-size 0.2, up to rounding at the boundary).
int CvFold(std::int64_t global_row, int folds, std::uint64_t seed);
// Fold `fold`'s rows test, the others train.
TrainTest SplitFold(const Dataset& data, int fold, int folds, std::uint64_t seed);

}  // namespace scaleml
