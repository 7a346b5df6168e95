// Reads a CSV file into a Dataset: memory-mapped (or streamed window by window from .csv.gz /
// .csv.zst, data/CsvStreamReader.h), parsed in parallel with fast_float, with the type of every
// column inferred from a sample of the first rows and confirmed over the whole file (data/Schema.h
// says how each type becomes features). The target column (by name) becomes int32 labels: raw
// integers, or indices into the sorted class names when it holds anything else. Thread-safety: the
// functions are reentrant; each call owns its result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "data/Schema.h"

namespace scaleml {

struct CsvOptions {
  std::string target = "target";  // name of the label column
  // Missing feature values (empty, an NA spelling, NaN, inf) are read as NaN; no_missing
  // (--no-missing) makes any of them an input error naming file, line and column.
  bool no_missing = false;
  // Accepted and ignored (missing values are read by default); kept for --allow-missing.
  bool allow_missing = true;
  int threads = 0;             // parser threads; 0 = the OpenMP default
  bool use_cache = true;       // read/write the binary cache FILE.scaleml beside FILE.csv
  bool require_target = true;  // false: a file without the target column gets all-zero labels
  // Column types the user declares (names); the others are inferred from the first rows.
  std::vector<std::string> categorical;
  std::vector<std::string> numeric;
  std::vector<std::string> ignore;
  // The spellings of a missing value (the empty field always is one); see DefaultNaValues().
  std::vector<std::string> na_values = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"};
  char delimiter = 0;  // 0 = detect among , ; tab | from the header and the first lines
  // Encode the file with this schema (a model's, for predict): columns matched by name, extra
  // columns ignored, categories coded with its dictionaries (unseen ones read as missing), the
  // target optional. Not owned; must outlive the read.
  const Schema* fixed_schema = nullptr;
  // Rows of the file start read to infer the column types.
  std::size_t sample_rows = 5000;

  // Whether the options are those under which a numeric file's binary cache answers.
  bool PlainParsing() const;
};

// How a load went, for `scaleml inspect` and benchmarks.
struct CsvLoadInfo {
  bool from_cache = false;     // the dataset is a view over FILE.scaleml; nothing was parsed
  bool cache_written = false;  // this load parsed the CSV and wrote FILE.scaleml
  double seconds = 0.0;        // wall time of the whole load (parse and cache write included)
  double parse_seconds = 0.0;  // of which parsing the CSV
  std::uint64_t csv_bytes = 0;
  int threads = 1;                         // parser threads used
  std::int64_t skipped_missing_label = 0;  // rows dropped because their label was missing
};

// The whole file. Errors (scaleml::Error, input kind) name the file, line and column.
Dataset ReadCsv(const std::string& path, const CsvOptions& options = {});
// The same, reporting how the load went in `info`.
Dataset ReadCsv(const std::string& path, const CsvOptions& options, CsvLoadInfo* info);

// The rows whose line starts in byte range `rank` of `nranks` equal ranges of the file, with
// their global row indices in row_ids(): N partitions hold every row exactly once. Column types
// come from the first rows of the whole file, so every rank infers the same ones; category
// dictionaries hold only this partition's values: merge them across ranks
// (data/DictionaryMerge.h, engine/SchemaExchange.h) before training.
Dataset ReadPartition(const std::string& path, int rank, int nranks, const CsvOptions& options = {},
                      CsvLoadInfo* info = nullptr);

}  // namespace scaleml
