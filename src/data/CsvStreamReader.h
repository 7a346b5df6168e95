// ReadCsv and ReadPartition of a .csv.gz / .csv.zst file: the text is decompressed window by
// window (data/CsvWindows.h) while the previous window is parsed, in parallel, by the same parser
// as a mapped file; the rows are appended into one Dataset (data/DatasetBuilder.h). Peak memory is
// the dataset plus a few windows, whatever the decompressed size. Schema inference reads the
// first window, which holds at least the sample's rows.
// A compressed file cannot be split by byte ranges: under a partitioned read every rank
// decompresses the whole file and parses its share of every window (the records of its byte
// range of the window, as ReadPartition splits a plain file), so N ranks still hold every row
// exactly once, with its global row id.
// Thread-safety: reentrant.
#pragma once

#include <string>

#include "data/CsvReader.h"
#include "data/Dataset.h"

namespace scaleml {

// The window size: large enough that per-window costs vanish, small enough to bound memory.
inline constexpr std::size_t kCsvWindowBytes = std::size_t{16} << 20;

// Part `rank` of `nranks` of the rows (0 of 1: all of them); fills `info` when given.
Dataset ReadCompressedCsv(const std::string& path, const CsvOptions& options, int rank, int nranks,
                          CsvLoadInfo* info, std::size_t window_bytes = kCsvWindowBytes);

}  // namespace scaleml
