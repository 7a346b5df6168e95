// Reads a CSV file into a Dataset: memory-mapped, parsed in parallel with fast_float, every
// feature column as float32 and the target column (by name) as int32 labels.
// Thread-safety: the functions are reentrant; each call owns its result.
#pragma once

#include <cstdint>
#include <string>

#include "data/Dataset.h"

namespace scaleml {

struct CsvOptions {
  std::string target = "target";  // name of the label column
  bool allow_missing = false;     // accept empty/NaN feature fields (stored as NaN)
  int threads = 0;                // parser threads; 0 = the OpenMP default
  bool use_cache = true;          // read/write the binary cache FILE.scaleml beside FILE.csv
  bool require_target = true;     // false: a file without the target column gets all-zero labels
};

// How a load went, for `scaleml inspect` and benchmarks.
struct CsvLoadInfo {
  bool from_cache = false;     // the dataset is a view over FILE.scaleml; nothing was parsed
  bool cache_written = false;  // this load parsed the CSV and wrote FILE.scaleml
  double seconds = 0.0;        // wall time of the whole load (parse and cache write included)
  double parse_seconds = 0.0;  // of which parsing the CSV
  std::uint64_t csv_bytes = 0;
  int threads = 1;  // parser threads used
};

// The whole file. Errors (scaleml::Error, input kind) name the file, line and column.
Dataset ReadCsv(const std::string& path, const CsvOptions& options = {});
// The same, reporting how the load went in `info`.
Dataset ReadCsv(const std::string& path, const CsvOptions& options, CsvLoadInfo* info);

// The rows whose line starts in byte range `rank` of `nranks` equal ranges of the file, with
// their global row indices in row_ids(): N partitions hold every row exactly once.
Dataset ReadPartition(const std::string& path, int rank, int nranks,
                      const CsvOptions& options = {});

}  // namespace scaleml
