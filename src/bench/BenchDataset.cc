#include "bench/BenchDataset.h"

#include "core/Error.h"

namespace scaleml::bench {

BenchDataset DescribeDataset(std::int64_t rows, DataProblem problem) {
  const int chunk = rows >= 1000000 ? 300000 : 30000;
  const bool per_chunk = problem == DataProblem::kPerChunk;
  BenchDataset dataset;
  // The per-chunk key is the one of the caches made before --problem existed: they stay valid.
  dataset.key = StrCat(per_chunk ? "paper" : "one", "-n", rows, "-f10-c2-chunk", chunk, "-seed42");
  dataset.generate_args = {"--samples", std::to_string(rows), "--features", "10"};
  if (per_chunk) dataset.generate_args.push_back("--problem-per-chunk");
  for (const std::string& arg : {std::string("--chunk-size"), std::to_string(chunk),
                                 std::string("--seed"), std::string("42")}) {
    dataset.generate_args.push_back(arg);
  }
  return dataset;
}

}  // namespace scaleml::bench
