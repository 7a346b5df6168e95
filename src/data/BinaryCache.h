// The binary cache of a parsed CSV: FILE.csv -> FILE.scaleml beside it, so that the second load
// of a file costs a mapping instead of a parse.
//
// Layout (little-endian, format version 2): a fixed header (magic, version, rows, features, the
// CSV's identity (size, mtime, ctime, inode), flags, block sizes and offsets, a hash of the
// metadata), then the metadata blocks: the target and feature names, the Dataset's Schema
// (data/SchemaIO.h) and one XXH3-64 checksum per data block; then the page-aligned data blocks:
// float32 feature columns (column f at f * rows), int32 labels and int64 row ids.
// A load checks everything: magic, version, sizes, offsets, the metadata hash, the CSV's
// identity, the options that change parsing, and every data block against its checksum (hashed
// in parallel across blocks as they are mapped in: the hash reads the pages the mapping has to
// bring in anyway; measured on the 1GB paper file's 266 MB cache with 2 threads: a load from
// the cache takes 38 ms instead of 6 ms unverified, about 7 GB/s). A stale cache or another version
// is ignored quietly (debug log); a corrupt one is reported in one warning line naming the file and
// the block, and the caller re-parses. The result is a zero-copy Dataset::View over the mapping,
// with the stored Schema. Thread-safety: reentrant functions; a loaded view is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/CsvReader.h"
#include "data/Dataset.h"

namespace scaleml {

// Identifies the CSV a cache was made from. The change time and inode catch what size and mtime
// miss: an edit in place that restores the mtime (touch -r, utimensat) still moves the ctime, and
// a file replaced by another with the same size and mtime has another inode.
struct CsvSource {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;

  bool operator==(const CsvSource&) const = default;
};

// The identity of the regular file at `path` now; nullopt when it cannot be stat'ed or is not a
// regular file (then there is no cache to use).
std::optional<CsvSource> CsvSourceOf(const std::string& path);

// What the parse that produced the dataset found, stored so a later load can decide whether the
// cache answers its options.
struct CacheFlags {
  bool has_missing = false;  // some feature value is NaN (only possible with allow_missing)
  bool has_target = true;    // labels came from the file (not zeros for a file without them)
};

// FILE.csv -> FILE.scaleml; any other name gets ".scaleml" appended.
std::string CachePathFor(const std::string& csv_path);

// The cached dataset when the cache at `cache_path` exists, is intact, was made from `source`
// and answers `options`; nullopt otherwise: the reason is logged, at debug level when the cache
// is merely absent, stale or of another version, as a warning naming the block when it is
// corrupt.
std::optional<Dataset> LoadCache(const std::string& cache_path, const CsvSource& source,
                                 const CsvOptions& options);

// Writes the cache (with data.schema()) atomically; false (and nothing left behind) when it cannot
// be written, e.g. the folder is read-only: the cache is an optimisation, never a reason to fail a
// load.
bool WriteCache(const std::string& cache_path, const Dataset& data, const CsvSource& source,
                const CacheFlags& flags);

}  // namespace scaleml
