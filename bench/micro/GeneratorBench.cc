// Micro-benchmarks of the generator's inner loops: shortest round-trip formatting of one value,
// making rows (normals, cluster maps, redundancy), and making + formatting CSV lines. The
// end-to-end numbers (MB/s of CSV against the paper's Python generator) come from
// bench/run_data_bench.py.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "core/Hash.h"
#include "data/ClassificationGenerator.h"
#include "data/CsvWriter.h"
#include "data/NormalSampler.h"

namespace scaleml {
namespace {

void BM_FormatShortestDouble(benchmark::State& state) {
  Rng rng(1);
  std::vector<double> values(4096);
  for (auto& v : values) v = SampleNormal(rng) * 2.0;
  char buffer[kMaxDoubleChars];
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FormatShortest(buffer, values[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatShortestDouble);

void BM_FormatShortestFloat(benchmark::State& state) {
  Rng rng(2);
  std::vector<float> values(4096);
  for (auto& v : values) v = static_cast<float>(SampleNormal(rng) * 2.0);
  char buffer[kMaxFloatChars];
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FormatShortest(buffer, values[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatShortestFloat);

void BM_SampleNormal(benchmark::State& state) {
  Rng rng(3);
  for (auto _ : state) benchmark::DoNotOptimize(SampleNormal(rng));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SampleNormal);

constexpr std::int64_t kRows = 16384;

void BM_MakeRows(benchmark::State& state) {
  GeneratorParams params;
  params.samples = kRows;
  const ClassificationGenerator generator(params);
  std::vector<double> values(kRows * 10);
  std::vector<std::int32_t> labels(kRows);
  for (auto _ : state) {
    generator.MakeRows(0, 0, kRows, values.data(), labels.data());
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_MakeRows);

void BM_MakeAndFormatRows(benchmark::State& state) {
  GeneratorParams params;
  params.samples = kRows;
  const ClassificationGenerator generator(params);
  auto text = std::make_unique_for_overwrite<char[]>(generator.MaxTextChars(kRows));
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const char* end = generator.FormatRows(0, 0, kRows, text.get());
    bytes += end - text.get();
    benchmark::DoNotOptimize(text.get());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_MakeAndFormatRows);

}  // namespace
}  // namespace scaleml

BENCHMARK_MAIN();
