// The binary cache of a parsed CSV: FILE.csv -> FILE.scaleml beside it, so that the second load
// of a file costs a mapping instead of a parse.
//
// Layout (little-endian): a fixed header (magic, version, rows, features, the CSV's size and
// mtime_ns, flags, section offsets, a hash of the header block), the target and feature names,
// then page-aligned float32 feature columns (column f at f * rows), int32 labels and int64 row
// ids. A load is validated (magic, version, sizes, offsets, header hash, the CSV's size and
// mtime, the options that change parsing) and returned as a zero-copy Dataset::View over the
// mapping; anything that does not check out is ignored, never trusted. The column data itself
// is not checksummed: verifying it would read the whole file and defeat the mapping.
// Thread-safety: reentrant functions; a loaded view is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/CsvReader.h"
#include "data/Dataset.h"

namespace scaleml {

// Identifies the CSV a cache was made from.
struct CsvSource {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
};

// What the parse that produced the dataset found, stored so a later load can decide whether the
// cache answers its options.
struct CacheFlags {
  bool has_missing = false;  // some feature value is NaN (only possible with allow_missing)
  bool has_target = true;    // labels came from the file (not zeros for a file without them)
};

// FILE.csv -> FILE.scaleml; any other name gets ".scaleml" appended.
std::string CachePathFor(const std::string& csv_path);

// The cached dataset when the cache at `cache_path` exists, is intact, was made from `source`
// and answers `options`; nullopt otherwise (the reason is logged at debug level).
std::optional<Dataset> LoadCache(const std::string& cache_path, const CsvSource& source,
                                 const CsvOptions& options);

// Writes the cache atomically; false (and nothing left behind) when it cannot be written, e.g.
// the folder is read-only: the cache is an optimisation, never a reason to fail a load.
bool WriteCache(const std::string& cache_path, const Dataset& data, const CsvSource& source,
                const CacheFlags& flags);

}  // namespace scaleml
