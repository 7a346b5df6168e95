// The pieces of CSV parsing that ReadCsv and ReadPartition share: the header, the byte range of
// the data rows, line boundaries, newline counts and the parallel parse of a byte range of rows
// straight into a Dataset's columns.
// Thread-safety: pure functions over an immutable mapping; ParseRows runs its own OpenMP region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/MappedFile.h"
#include "data/CsvReader.h"
#include "data/Dataset.h"

namespace scaleml {

// What the header says and where the data rows lie in the mapping.
struct CsvLayout {
  std::vector<std::string> columns;  // every header name, in file order
  int target_column = -1;            // index into columns; -1 when absent (require_target off)
  std::size_t data_begin = 0;        // offset of the first data row (just after the header line)
  std::size_t data_end = 0;          // offset past the last data row, trailing newlines excluded
  std::vector<std::string> FeatureNames() const;
  std::size_t FieldCount() const { return columns.size(); }
};

// Reads the header (UTF-8 BOM, CRLF and quoted names accepted) and finds the target column.
// Input errors: empty file, no data rows, duplicate or empty names, missing target.
CsvLayout ParseCsvLayout(const MappedFile& file, const CsvOptions& options);

// The first line start at or after `offset` within [layout.data_begin, layout.data_end].
std::size_t LineStartAtOrAfter(const MappedFile& file, const CsvLayout& layout, std::size_t offset);

// Number of '\n' bytes in [begin, end) of the mapping, counted by `threads` threads; pages read
// are handed back to the kernel as the scan goes so the mapping adds little to resident memory.
std::int64_t CountNewlines(const MappedFile& file, std::size_t begin, std::size_t end, int threads);

// Parses the rows whose lines lie in [begin, end) (begin a line start, end a line start or
// data_end) into a Dataset whose row ids start at `first_row_id`. The range is split into one
// piece per thread at line boundaries; each piece's rows are counted first so that every thread
// writes straight into its rows of the columns. Reports the first error by line number.
struct ParseStats {
  bool has_missing = false;  // some feature value was stored as NaN
  int threads = 1;           // threads used (fewer than asked for on small ranges)
};
Dataset ParseRows(const MappedFile& file, const CsvLayout& layout, std::size_t begin,
                  std::size_t end, std::int64_t first_row_id, const CsvOptions& options,
                  ParseStats* stats = nullptr);

// Drops the mapping's pages that lie wholly inside [begin, end) from this process's resident set
// (the page cache keeps them): the parse then holds only a window of the file in memory.
void ReleaseMappedPages(const MappedFile& file, std::size_t begin, std::size_t end);

}  // namespace scaleml
