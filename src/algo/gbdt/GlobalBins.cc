#include "algo/gbdt/GlobalBins.h"

#include "comm/CommOps.h"
#include "core/Hash.h"

namespace scaleml {

QuantileBins FindGlobalBins(const Dataset& data, const std::vector<std::uint8_t>& use_row,
                            Comm& comm, int max_bin, std::int64_t sample_count,
                            std::uint64_t seed) {
  const std::size_t features = data.features();
  std::int64_t local_rows = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) local_rows += use_row.empty() || use_row[r];
  const std::int64_t global_rows = AllreduceSum<std::int64_t>(comm, local_rows);
  const double fraction =
      global_rows <= sample_count ? 2.0 : static_cast<double>(sample_count) / global_rows;

  // Row-major sample of this rank's rows.
  auto row_ids = data.row_ids();
  std::vector<float> local;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (!use_row.empty() && !use_row[r]) continue;
    if (HashToUnit(HashKey(seed, static_cast<std::uint64_t>(row_ids[r]), 0xb1a5)) >= fraction) {
      continue;
    }
    for (std::size_t f = 0; f < features; ++f) local.push_back(data.at(r, f));
  }
  std::vector<float> all = AllgatherConcat<float>(comm, std::span<const float>(local));
  std::vector<float>().swap(local);

  const std::size_t sampled = features == 0 ? 0 : all.size() / features;
  std::vector<std::vector<float>> columns(features);
  for (std::size_t f = 0; f < features; ++f) {
    columns[f].resize(sampled);
    for (std::size_t i = 0; i < sampled; ++i) columns[f][i] = all[i * features + f];
  }
  return QuantileBins::FromSamples(std::move(columns), max_bin);
}

}  // namespace scaleml
