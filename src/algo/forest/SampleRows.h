// A tree's bootstrap sample, defined row by row so that it needs no coordination between ranks:
// row r is in tree t's sample Poisson(1)-many times, drawn by a hash of (seed, t, r's global row
// id). That is the usual distributed bootstrap: over n rows it matches n draws with replacement
// in distribution (each count Binomial(n, 1/n) -> Poisson(1)), and it makes the sample, hence the
// forest, independent of how many ranks hold the rows and in what order.
//
// For trees grown on another rank, a rank packs its rows that are in any of their samples, with
// each tree's count (wire format below); the owner reads every rank's pack into one SampleRows
// and grows each tree on the rows its counts select. Trees of one owner share the rows they have
// in common: over k trees a row is sent once with probability 1 - e^-k instead of k * 0.63 times.
// Wire format of a pack for k trees: uint64 row count, then per row uint16 class, k uint8 counts,
// the features' bin codes (one byte each) and, when raw values are kept, the features' float32
// values; native byte order (every rank runs the same build).
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "algo/forest/BinnedFeatures.h"

namespace scaleml {

// The bootstrap weights (counts, at most 17) of rows by global row id for tree `tree_number`; all
// 1 when `bootstrap` is off. Fills `weights` (resized to ids.size()) and returns how many are not
// 0.
std::size_t BootstrapWeights(std::span<const std::int64_t> ids, std::uint64_t seed,
                             std::uint64_t tree_number, bool bootstrap,
                             std::vector<std::uint16_t>* weights);

// Rows of some trees' samples gathered on the rank that grows them.
struct SampleRows {
  BinnedFeatures rows;
  std::vector<std::int32_t> codes;                  // class index per row
  std::vector<std::vector<std::uint16_t>> weights;  // [tree][row]: the tree's count of the row
};

// The rows of `local` that some tree counts (weights[tree][row] > 0), packed (see above).
std::vector<std::byte> PackSampleRows(const BinnedFeatures& local,
                                      std::span<const std::int32_t> codes,
                                      std::span<const std::vector<std::uint16_t>> weights);

// The rows of the packs of all ranks (pack i from rank i) for `trees` trees, with `bins` the
// bins the packs' codes were made with.
SampleRows UnpackSampleRows(std::span<const std::span<const std::byte>> packs, std::size_t trees,
                            const ForestBins& bins, bool has_raw, int classes);

}  // namespace scaleml
