// The hot loop of the CSV reader: parses the records of one byte range straight into
// preallocated Dataset columns, following the column plan. Numbers take a fast path (fast_float,
// no allocation, no copy); anything unusual (spaces, quotes, '+', NA spellings, errors) falls to
// a slow path that decides whether it is a value, a missing value or an error, and says which.
// Strings of categorical columns and class names are coded in the piece's own dictionaries
// (codes in order of first appearance), which ParseRows merges, sorts and remaps afterwards.
// Thread-safety: ParsePiece is const and may run concurrently on disjoint row ranges, each with
// its own PieceResult.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/Error.h"
#include "data/CsvParser.h"
#include "data/CsvReader.h"
#include "data/CsvText.h"
#include "data/CsvValues.h"
#include "data/Dataset.h"

namespace scaleml {

class CsvRowParser {
 public:
  using PieceDictionary = StringCodes;  // value -> local code, in the order first seen
  struct PieceResult {
    std::string error;  // empty when the piece parsed; else "file:line: what"
    Error::Kind error_kind = Error::Kind::kInput;
    std::int64_t error_line = 0;  // 1 + the record's index + 1 (= its line without quoted newlines)
    std::string error_detail;     // the message of a row error, without "file:line: "
    bool has_missing = false;     // some feature value was stored as NaN
    bool needs_quote_split = false;  // a quoted field holds a newline (split = kLines only)
    std::vector<PieceDictionary> dictionaries;     // per plan slot
    std::vector<std::int64_t> missing_label_rows;  // dataset rows whose label is missing
  };

  // `dataset` must be owned and sized for every row the pieces will parse.
  CsvRowParser(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
               const CsvOptions& options, RecordSplit split, Dataset& dataset);

  // Parses the records in [begin, end) of the text into rows [first_row, row_end) of the
  // dataset; `first_row_id` is the global index of the first, for line numbers in errors.
  void ParsePiece(std::size_t begin, std::size_t end, std::int64_t first_row, std::int64_t row_end,
                  std::int64_t first_row_id, PieceResult& result) const;

 private:
  struct FieldText {
    std::string_view value;  // unquoted, doubled quotes undone, blanks around trimmed
    const char* after;       // where the delimiter or line end is
  };

  bool IsDelimiter(const char* p, const char* end) const {
    return p == end || *p == delimiter_ || *p == '\n' || *p == '\r';
  }
  template <bool kPlain>
  void ParseRecords(const char*& p, const char* end, std::int64_t& row, std::int64_t row_end,
                    PieceResult& result) const;
  const char* ParseField(const char* p, const char* end, int column, std::int64_t row,
                         PieceResult& result) const;
  const char* ParseFeature(const char* p, const char* end, float* out, int column,
                           bool& missing) const;
  const char* ParseLabel(const char* p, const char* end, std::int32_t* out, int column,
                         std::int64_t row, PieceResult& result) const;
  const char* ParseFeatureSlow(const char* p, const char* end, float* out, int column,
                               bool& missing) const;
  const char* ParseLabelSlow(const char* p, const char* end, std::int32_t* out, int column,
                             std::int64_t row, PieceResult& result) const;
  FieldText ExtractField(const char* p, const char* end, int column) const;
  void StoreMissing(float* out, int count, int column, std::string_view text, bool& missing) const;
  void StoreDatetime(float* out, const ColumnPlan& plan, int column, std::string_view text) const;
  std::string DescribeColumn(int column) const;
  std::string TypeFix(int column) const;
  [[noreturn]] void TooManyFields(const char* p, const char* end) const;
  [[noreturn]] void LineEndedEarly(const char* p, const char* end, int column) const;

  const CsvText& text_;
  const CsvLayout& layout_;
  const CsvPlan& plan_;
  NaSpellings na_;
  bool allow_missing_;
  bool fixed_schema_;
  bool quote_aware_;
  char delimiter_;
  int fields_;
  int target_;                   // column index of the labels, -1 when the file has none
  std::vector<float*> columns_;  // by column index: its first feature; nullptr when none
  std::int32_t* labels_;
  std::size_t rows_;  // the dataset's rows: the distance between two feature columns
  // Scratch for a quoted field with doubled quotes (one per thread: ParsePiece's caller).
  static thread_local std::string scratch_;
};

}  // namespace scaleml
