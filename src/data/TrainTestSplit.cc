#include "data/TrainTestSplit.h"

#include <vector>

#include "core/Error.h"
#include "core/Hash.h"

namespace scaleml {

bool IsTestRow(std::int64_t global_row, const SplitOptions& options) {
  return HashToUnit(HashKey(options.seed, static_cast<std::uint64_t>(global_row), 0x7e57)) <
         options.test_size;
}

TrainTest SplitTrainTest(const Dataset& data, const SplitOptions& options) {
  if (!(options.test_size >= 0.0 && options.test_size < 1.0)) {
    throw InputError("--test-size ", options.test_size, " is out of range: use a value in [0, 1)");
  }
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
