#include "algo/RowExchange.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "comm/CommOps.h"
#include "core/Hash.h"

namespace scaleml {
namespace {

constexpr std::uint64_t kExchangeStream = 0xdea1;

// One row on the wire: row id, label, then the features.
std::size_t RowBytes(std::size_t features) { return 8 + 4 + 4 * features; }

}  // namespace

int RankOfRow(std::int64_t row_id, std::uint64_t seed, int size) {
  return static_cast<int>(HashKey(seed, static_cast<std::uint64_t>(row_id), kExchangeStream) %
                          static_cast<std::uint64_t>(size));
}

Dataset ExchangeRows(const Dataset& local, Comm& comm, std::uint64_t seed) {
  const int size = comm.size();
  const std::size_t nf = local.features();
  const std::size_t row_bytes = RowBytes(nf);
  auto ids = local.row_ids();
  auto labels = local.labels();

  std::vector<int> destination(local.rows());
  for (std::size_t r = 0; r < local.rows(); ++r) destination[r] = RankOfRow(ids[r], seed, size);

  std::vector<std::byte> kept;  // the rows this rank keeps, in the wire format
  for (int round = 0; round < size; ++round) {
    std::vector<std::byte> outgoing;
    for (std::size_t r = 0; r < local.rows(); ++r) {
      if (destination[r] != round) continue;
      const std::size_t at = outgoing.size();
      outgoing.resize(at + row_bytes);
      std::byte* p = outgoing.data() + at;
      std::memcpy(p, &ids[r], 8);
      std::memcpy(p + 8, &labels[r], 4);
      for (std::size_t f = 0; f < nf; ++f) {
        const float x = local.at(r, f);
        std::memcpy(p + 12 + 4 * f, &x, 4);
      }
    }
    auto received = AllgatherV(comm, std::span<const std::byte>(outgoing));
    if (round != comm.rank()) continue;
    for (const auto& part : received) {
      if (part.size() % row_bytes != 0) {
        throw Failure("row exchange received ", part.size(), " bytes, not whole rows of ",
                      row_bytes, " bytes (ranks disagree on the feature count)");
      }
      kept.insert(kept.end(), part.begin(), part.end());
    }
  }

  const std::size_t rows = kept.size() / row_bytes;
  std::vector<std::int64_t> kept_ids(rows);
  for (std::size_t i = 0; i < rows; ++i) std::memcpy(&kept_ids[i], &kept[i * row_bytes], 8);
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return kept_ids[a] < kept_ids[b]; });

  Dataset out(local.feature_names(), rows, local.target_name());
  auto out_ids = out.mutable_row_ids();
  auto out_labels = out.mutable_labels();
  std::vector<std::span<float>> columns;
  for (std::size_t f = 0; f < nf; ++f) columns.push_back(out.mutable_column(f));
  for (std::size_t i = 0; i < rows; ++i) {
    const std::byte* p = kept.data() + order[i] * row_bytes;
    std::memcpy(&out_ids[i], p, 8);
    std::memcpy(&out_labels[i], p + 8, 4);
    for (std::size_t f = 0; f < nf; ++f) std::memcpy(&columns[f][i], p + 12 + 4 * f, 4);
  }
  return out;
}

}  // namespace scaleml
