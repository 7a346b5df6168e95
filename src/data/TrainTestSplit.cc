#include "data/TrainTestSplit.h"

#include <vector>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {

namespace {

double RowHash(std::int64_t global_row, std::uint64_t seed) {
  return HashToUnit(HashKey(seed, static_cast<std::uint64_t>(global_row), 0x7e57));
}

}  // namespace

bool IsTestRow(std::int64_t global_row, const SplitOptions& options) {
  return RowHash(global_row, options.seed) < options.test_size;
}

int CvFold(std::int64_t global_row, int folds, std::uint64_t seed) {
  const int fold = static_cast<int>(RowHash(global_row, seed) * folds);
  return fold < folds ? fold : folds - 1;
}

TrainTest SplitFold(const Dataset& data, int fold, int folds, std::uint64_t seed) {
  if (folds < 2) throw InputError("--cv ", folds, ": cross-validation needs at least 2 folds");
  std::vector<std::size_t> train_rows;
  std::vector<std::size_t> test_rows;
  train_rows.reserve(data.rows());
  test_rows.reserve(data.rows() / folds + data.rows() / (4 * folds) + 16);
  auto ids = data.row_ids();
  for (std::size_t r = 0; r < data.rows(); ++r) {
    (CvFold(ids[r], folds, seed) == fold ? test_rows : train_rows).push_back(r);
  }
  return TrainTest{data.Take(train_rows), data.Take(test_rows)};
}

void CheckTestSize(const SplitOptions& options) {
  if (!(options.test_size > 0.0 && options.test_size < 1.0)) {
    throw InputError("--test-size ", options.test_size,
                     " is out of range: use a value in (0, 1), so that both the training and the "
                     "test rows are non-empty");
  }
}

TrainTest SplitTrainTest(const Dataset& data, const SplitOptions& options) {
  CheckTestSize(options);
  std::vector<std::size_t> train_rows;
  std::vector<std::size_t> test_rows;
  train_rows.reserve(data.rows());
  test_rows.reserve(static_cast<std::size_t>(data.rows() * options.test_size * 1.1) + 16);
  auto ids = data.row_ids();
  for (std::size_t r = 0; r < data.rows(); ++r) {
    (IsTestRow(ids[r], options) ? test_rows : train_rows).push_back(r);
  }
  return TrainTest{data.Take(train_rows), data.Take(test_rows)};
}

}  // namespace scaleml
