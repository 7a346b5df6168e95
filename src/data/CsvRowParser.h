// The hot loop of the CSV reader: parses the rows of one byte range straight into preallocated
// Dataset columns. Numbers take a fast path (fast_float, no allocation, no copy); anything
// unusual (spaces, quotes, '+', empty, NaN, errors) falls to a slow path that decides whether it
// is a value, a missing value or an error, and says which.
// Thread-safety: ParsePiece is const and may run concurrently on disjoint row ranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/Error.h"
#include "core/MappedFile.h"
#include "data/CsvParser.h"
#include "data/CsvReader.h"
#include "data/Dataset.h"

namespace scaleml {

class CsvRowParser {
 public:
  struct PieceResult {
    std::string error;  // empty when the piece parsed; else "file:line: what"
    Error::Kind error_kind = Error::Kind::kInput;
    std::int64_t error_line = 0;
    bool has_missing = false;  // some feature value was stored as NaN
  };

  // `dataset` must be owned and sized for every row the pieces will parse.
  CsvRowParser(const MappedFile& file, const CsvLayout& layout, const CsvOptions& options,
               Dataset& dataset);

  // Parses the lines in [begin, end) of the mapping into rows [first_row, row_end) of the
  // dataset; `first_row_id` is the global index of the first, for line numbers in errors.
  PieceResult ParsePiece(std::size_t begin, std::size_t end, std::int64_t first_row,
                         std::int64_t row_end, std::int64_t first_row_id) const;

 private:
  struct FieldText {
    const char* begin;
    const char* end;
    const char* after;  // where the delimiter or line end is
  };

  static bool IsDelimiter(const char* p, const char* end) {
    return p == end || *p == ',' || *p == '\n' || *p == '\r';
  }
  const char* ParseFeature(const char* p, const char* end, float* out, int column,
                           bool& missing) const;
  const char* ParseLabel(const char* p, const char* end, std::int32_t* out, int column) const;
  const char* ParseFeatureSlow(const char* p, const char* end, float* out, int column,
                               bool& missing) const;
  const char* ParseLabelSlow(const char* p, const char* end, std::int32_t* out, int column) const;
  FieldText ExtractField(const char* p, const char* end, int column) const;
  std::string DescribeColumn(int column) const;
  [[noreturn]] void TooManyFields(const char* p, const char* end) const;
  [[noreturn]] void LineEndedEarly(const char* p, const char* end, int column) const;

  const MappedFile& file_;
  const CsvLayout& layout_;
  bool allow_missing_;
  int fields_;
  int target_;                   // column index of the labels, -1 when the file has none
  std::vector<float*> columns_;  // by column index; nullptr for the target
  std::int32_t* labels_;
};

}  // namespace scaleml
