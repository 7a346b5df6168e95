// The pieces of CSV parsing that ReadCsv and ReadPartition share: the header and delimiter, the
// byte range of the data rows, record boundaries, the column plan (what each column becomes) and
// the parallel parse of a byte range of rows straight into a Dataset's columns.
// Thread-safety: pure functions over immutable text; ParseRows runs its own OpenMP region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/CsvReader.h"
#include "data/CsvText.h"
#include "data/Dataset.h"
#include "data/Schema.h"
#include "data/StringCodes.h"

namespace scaleml {

// What the header says and where the data rows lie in the text.
struct CsvLayout {
  std::vector<std::string> columns;  // every header name, in file order
  int target_column = -1;            // index into columns; -1 when absent (require_target off)
  char delimiter = ',';
  std::size_t data_begin = 0;  // offset of the first data row (just after the header line)
  std::size_t data_end = 0;    // offset past the last data row, trailing newlines excluded
  // A window of a decompressed file (data/CsvWindows.h) holds only some of the records: those
  // before it and the lines they take, for row ids and line numbers. lines_before = 0: the text
  // is the whole file, and the lines before data_begin are the header's.
  std::int64_t records_before = 0;
  std::int64_t lines_before = 0;
  std::size_t FieldCount() const { return columns.size(); }
};

// The delimiter among , ; tab | that splits the header and the first lines of `data` alike
// (a UTF-8 BOM skipped); the comma in doubt.
char DetectDelimiter(const char* data, std::size_t size);

// Reads the header (UTF-8 BOM, CRLF and quoted names accepted), detects the delimiter unless
// options.delimiter names it, and finds the target column. Input errors: empty file, no data
// rows, duplicate or empty names, missing target.
CsvLayout ParseCsvLayout(const CsvText& text, const CsvOptions& options);

// What the row parser does with one field.
enum class FieldAction : std::uint8_t {
  kNumeric,           // float, NA spellings missing
  kBoolean,           // 0/1
  kDatetime,          // NAME.days, .year, .month, .dayofweek (, .hour)
  kCategorical,       // code in the piece's own dictionary, remapped after the parse
  kFixedCategorical,  // code in a given (model's) dictionary; unseen values missing
  kSkip,              // an ignored column
  kIntLabel,          // the target as raw int32
  kClassLabel,        // the target as a class name, coded like kCategorical
  kFixedClassLabel,   // the target as one of a given schema's classes
};

struct ColumnPlan {
  FieldAction action = FieldAction::kNumeric;
  int feature = -1;       // first feature it fills (-1 for kSkip and labels)
  int dictionary = -1;    // kCategorical, kClassLabel: slot of its piece dictionary;
                          // kFixed*: index into CsvPlan::fixed
  bool has_time = false;  // kDatetime: fills NAME.hour too
  // kClassLabel, kFixedClassLabel: the sample's labels are all true/false in some case (True,
  // TRUE, false, ...): every label is read as "true" or "false", as pandas reads booleans.
  bool boolean_label = false;
};

// What every column of the file becomes, decided before the parse.
struct CsvPlan {
  std::vector<ColumnPlan> columns;         // per file column
  std::vector<std::string> feature_names;  // the Dataset's features
  Schema schema;                           // types and features (dictionaries empty)
  int dictionaries = 0;                    // piece dictionary slots
  int class_slot = -1;                     // the slot of kClassLabel, -1 when none
  std::vector<StringCodes> fixed;          // kFixed*: value -> code
  bool plain = true;  // only numeric features and raw integer labels (the paper's files)
};

// The plan: declared types, else the fixed schema, else types inferred from the first
// options.sample_rows rows. Input errors: unknown declared names, a fixed schema's column absent.
CsvPlan PlanColumns(const CsvText& text, const CsvLayout& layout, const CsvOptions& options);

// How records were split: by line (no newline inside quotes, the fast path) or by a scan that
// follows quotes from the first data row.
enum class RecordSplit : std::uint8_t { kLines, kQuoteAware };

// The first record start at or after `offset` within [layout.data_begin, layout.data_end].
std::size_t LineStartAtOrAfter(const CsvText& text, const CsvLayout& layout, std::size_t offset);

// Number of '\n' bytes in [begin, end), counted by `threads` threads; with `quote`, also
// whether the range holds a '"'. Pages read are handed back to the kernel as the scan goes.
std::int64_t CountNewlines(const CsvText& text, std::size_t begin, std::size_t end, int threads,
                           bool* quote = nullptr);

// Record starts following quotes from data_begin: for each offset (ascending), the first record
// start at or after it, and the records before that start.
struct RecordBound {
  std::size_t offset = 0;
  std::int64_t records_before = 0;
};
std::vector<RecordBound> QuoteAwareBounds(const CsvText& text, const CsvLayout& layout,
                                          const std::vector<std::size_t>& offsets);

// The result of a parse: the dataset (schema with sorted dictionaries and class names), and what
// the parse saw.
struct ParsedRows {
  Dataset data;
  bool has_missing = false;  // some feature value was stored as NaN
  std::int64_t skipped_missing_label = 0;
  int threads = 1;
  // split = kLines only: a quoted field holds a newline, so the records are not the lines;
  // nothing was parsed and the caller parses again with kQuoteAware bounds.
  bool needs_quote_split = false;
};

// Parses the records in [begin, end) (begin a record start, end a record start or data_end)
// into a Dataset whose row ids start at `first_row_id`. The range is split into one piece per
// thread at record boundaries; each piece's rows are counted first so that every thread writes
// straight into its rows of the columns. Reports the first error by line number.
ParsedRows ParseRows(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
                     std::size_t begin, std::size_t end, std::int64_t first_row_id,
                     const CsvOptions& options, RecordSplit split);

}  // namespace scaleml
