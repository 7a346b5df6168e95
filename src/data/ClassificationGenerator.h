// scikit-learn's make_classification, streamed: the rows of a file are made chunk by chunk, and
// every row from its own random stream (keyed by seed, chunk and row), so blocks of rows are made
// in parallel and the bytes written do not depend on the thread count. By default every chunk draws
// its rows from one problem drawn once from the seed; with problem_per_chunk every chunk is an
// independent make_classification call (the paper's generator). Within a chunk, rows follow
// scikit-learn: cluster sizes by weight, informative features as standard normals through the
// cluster's random linear map plus its centroid, redundant = informative x B, repeated copies,
// useless normals, label flips, shift and scale, then rows shuffled within the chunk (a keyed
// pseudo-random permutation, see RowPermutation) and columns permuted. Thread-safety: a
// ClassificationGenerator is immutable after construction; its const methods are safe from any
// thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/ClassificationProblem.h"
#include "data/Dataset.h"
#include "data/GeneratorParams.h"

namespace scaleml {

// The rows of a generated file, in file order, before formatting.
struct GeneratedRows {
  std::int64_t rows = 0;
  int features = 0;
  // Row-major: row r, output column c at r * features + c. A categorical cell holds its level
  // (0 .. levels - 1, written "c" + the level), a missing cell NaN (written empty).
  std::vector<double> values;
  std::vector<std::int32_t> labels;
};

struct GenerateResult {
  std::int64_t rows = 0;
  std::int64_t bytes = 0;
  std::uint64_t checksum = 0;  // XXH3-64 of the CSV bytes
};

class ClassificationGenerator {
 public:
  // Resolves and validates `params` (an input error naming the flag when they are wrong).
  explicit ClassificationGenerator(const GeneratorParams& params);

  const GeneratorParams& params() const { return params_; }
  std::int64_t chunks() const;
  std::int64_t ChunkRows(std::int64_t chunk) const;
  // The problem whose rows chunk `chunk` holds: the shared one, or the chunk's own in paper mode.
  ClassificationProblem ProblemForChunk(std::int64_t chunk) const;
  std::string Header() const;  // feature_0,...,feature_{F-1},target
  // Per output column: 0 for a numeric column, else the number of levels of a categorical one.
  // --categorical N makes the columns of the first N informative features of the (first)
  // problem categorical, with levels spread geometrically from 10 to 10,000 (N = 5: 10, 56, 316,
  // 1778, 10000). A value's level is floor(levels * F(x)) with F the feature's distribution in
  // the chunk (a mixture of one normal per cluster), so levels are about equally frequent and
  // ordered as the values: the label stays as learnable as from the numbers. The names written
  // for the levels are shuffled (CategoryName), so a category's name says nothing of its order,
  // as with real categories: ordinal codes of the names do not recover the numeric feature.
  const std::vector<int>& column_levels() const { return column_levels_; }
  // "c" + a fixed permutation of the level (level * m mod levels, m coprime to levels), zero-padded
  // to the width of levels - 1: every level has its own name, and neighbouring levels get names
  // far apart in byte order.
  static std::string CategoryName(int level, int levels);

  // Rows [begin, end) of chunk `chunk`, in file order: `values` gets (end - begin) x features
  // doubles row-major, `labels` end - begin labels.
  void MakeRows(std::int64_t chunk, std::int64_t begin, std::int64_t end, double* values,
                std::int32_t* labels) const;
  // The same rows as CSV lines at `out` (room: MaxTextChars(end - begin)); returns the end.
  char* FormatRows(std::int64_t chunk, std::int64_t begin, std::int64_t end, char* out) const;
  std::size_t MaxTextChars(std::int64_t rows) const;

  // Streams the CSV to `path` with FILE.csv.meta and FILE.csv.json, all written under temporary
  // names and renamed, the sidecars only once the CSV is in place; an interrupted or failed run
  // leaves neither a temporary nor a sidecar. `path` must not be a folder (an input error). Uses
  // the caller's OpenMP threads; memory stays at one block of rows per thread whatever the row
  // count. `progress` draws a bar on a terminal.
  GenerateResult WriteCsv(const std::string& path, bool progress = true) const;

  // All rows in memory, in file order (tests and small data).
  GeneratedRows GenerateAll() const;

 private:
  struct ChunkContext;
  const ClassificationProblem& ProblemFor(std::int64_t chunk, ClassificationProblem& own) const;
  void PrepareChunk(std::int64_t chunk, ChunkContext& context) const;
  void GenerateRow(ChunkContext& context, std::int64_t cluster_row, double* values,
                   std::int32_t* label) const;
  void ApplyCategoriesAndMissing(const ChunkContext& context, std::int64_t cluster_row,
                                 const double* x, double* values) const;
  template <class Sink>
  void ForEachRow(std::int64_t chunk, std::int64_t begin, std::int64_t end, Sink&& sink) const;

  GeneratorParams params_;
  ClassificationProblem shared_problem_;
  std::vector<int> column_levels_;  // per output column; 0 = numeric
  bool plain_numbers_ = true;       // no categorical column and no missing cell: the fast path
};

// The rows `scaleml generate` would write for `params`, in memory, as doubles.
GeneratedRows GenerateRows(const GeneratorParams& params);
// The same as a Dataset: float32 features, bit for bit what reading the written CSV gives, and
// its Schema: categorical columns coded by their sorted dictionary of the levels present,
// missing cells NaN.
Dataset GenerateDataset(const GeneratorParams& params);
// The row count that makes the CSV about `target_bytes` long, from the measured bytes per row of
// a formatted sample of the first chunk.
std::int64_t RowsForSize(const GeneratorParams& params, std::int64_t target_bytes);

}  // namespace scaleml
