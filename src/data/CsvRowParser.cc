#include "data/CsvRowParser.h"

#include <fast_float/fast_float.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <new>

namespace scaleml {
namespace {

// Same release granularity as the newline counter (see CsvParser.cc).
constexpr std::size_t kReleaseBytes = std::size_t{2} << 20;

// An error inside a row; ParsePiece prefixes the file and line.
struct RowError {
  std::string message;
};

template <class... Args>
[[noreturn]] void ThrowRowError(Args&&... args) {
  throw RowError{StrCat(std::forward<Args>(args)...)};
}

// The field's text for a message: at most 40 characters, control bytes shown as '?'.
std::string Quote(const char* begin, const char* end) {
  const std::size_t length = std::min<std::size_t>(static_cast<std::size_t>(end - begin), 40);
  std::string text;
  text.reserve(length + 5);
  text.push_back('\'');
  for (std::size_t i = 0; i < length; ++i) {
    text.push_back(static_cast<unsigned char>(begin[i]) < 0x20 ? '?' : begin[i]);
  }
  if (end - begin > 40) text.append("...");
  text.push_back('\'');
  return text;
}

// Skips a lone '+' (fast_float, like std::from_chars, rejects it; CSV writers sometimes emit it).
const char* SkipPlus(const char* begin, const char* end) {
  if (end - begin >= 2 && begin[0] == '+' && begin[1] != '-' && begin[1] != '+') return begin + 1;
  return begin;
}

}  // namespace

CsvRowParser::CsvRowParser(const MappedFile& file, const CsvLayout& layout,
                           const CsvOptions& options, Dataset& dataset)
    : file_(file),
      layout_(layout),
      allow_missing_(options.allow_missing),
      fields_(static_cast<int>(layout.FieldCount())),
      target_(layout.target_column),
      columns_(layout.FieldCount(), nullptr),
      labels_(dataset.mutable_labels().data()) {
  std::size_t feature = 0;
  for (int c = 0; c < fields_; ++c) {
    if (c != target_) columns_[c] = dataset.mutable_column(feature++).data();
  }
}

CsvRowParser::PieceResult CsvRowParser::ParsePiece(std::size_t begin, std::size_t end_offset,
                                                   std::int64_t first_row, std::int64_t row_end,
                                                   std::int64_t first_row_id) const {
  PieceResult result;
  const char* const data = file_.data();
  const char* p = data + begin;
  const char* const end = data + end_offset;
  const char* released = p;
  std::int64_t row = first_row;
  try {
    while (p < end) {
      // The rows were counted by newlines just before; a mismatch would be a bug, not bad input.
      if (row >= row_end) throw Failure(file_.path(), ": more rows than counted");
      if (*p == '\n' || *p == '\r')
        ThrowRowError("blank line (every row needs ", fields_, " fields)");
      for (int c = 0; c < fields_; ++c) {
        if (c == target_) {
          p = ParseLabel(p, end, labels_ + row, c);
        } else {
          p = ParseFeature(p, end, columns_[c] + row, c, result.has_missing);
        }
        if (c + 1 < fields_) {
          if (p < end && *p == ',') {
            ++p;
          } else {
            LineEndedEarly(p, end, c + 1);
          }
        }
      }
      if (p < end) {
        if (*p == '\n') {
          ++p;
        } else if (*p == '\r' && (p + 1 == end || p[1] == '\n')) {
          p += (p + 1 == end) ? 1 : 2;
        } else if (*p == ',') {
          TooManyFields(p, end);
        } else {
          ThrowRowError("stray carriage return inside the row");
        }
      }
      ++row;
      if (static_cast<std::size_t>(p - released) >= kReleaseBytes) {
        ReleaseMappedPages(file_, static_cast<std::size_t>(released - data),
                           static_cast<std::size_t>(p - data));
        released = p;
      }
    }
    ReleaseMappedPages(file_, static_cast<std::size_t>(released - data), end_offset);
  } catch (const RowError& e) {
    result.error_line = first_row_id + (row - first_row) + 2;  // the header is line 1
    result.error = StrCat(file_.path(), ":", result.error_line, ": ", e.message);
  } catch (const Error& e) {
    result.error_kind = e.kind();
    result.error_line = first_row_id + (row - first_row) + 2;
    result.error = e.what();
  } catch (const std::bad_alloc&) {
    result.error_kind = Error::Kind::kFailure;
    result.error = "out of memory while reading " + file_.path();
  }
  return result;
}

inline const char* CsvRowParser::ParseFeature(const char* p, const char* end, float* out,
                                              int column, bool& missing) const {
  float value;
  auto parsed = fast_float::from_chars(p, end, value);
  if (parsed.ec == std::errc() && IsDelimiter(parsed.ptr, end) && std::isfinite(value)) [[likely]] {
    *out = value;
    return parsed.ptr;
  }
  return ParseFeatureSlow(p, end, out, column, missing);
}

inline const char* CsvRowParser::ParseLabel(const char* p, const char* end, std::int32_t* out,
                                            int column) const {
  const char* q = p;
  const bool negative = q < end && *q == '-';
  if (negative) ++q;
  const char* digits = q;
  std::int64_t value = 0;
  while (q < end && static_cast<unsigned>(*q - '0') < 10u && q - digits < 10) {
    value = value * 10 + (*q - '0');
    ++q;
  }
  if (q > digits && IsDelimiter(q, end)) [[likely]] {
    if (negative) value = -value;
    if (value >= std::numeric_limits<std::int32_t>::min() &&
        value <= std::numeric_limits<std::int32_t>::max()) {
      *out = static_cast<std::int32_t>(value);
      return q;
    }
  }
  return ParseLabelSlow(p, end, out, column);
}

CsvRowParser::FieldText CsvRowParser::ExtractField(const char* p, const char* end,
                                                   int column) const {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (p < end && blank(*p)) ++p;
  FieldText field;
  if (p < end && *p == '"') {
    const char* close = p + 1;
    while (close < end && *close != '"' && *close != '\n') ++close;
    if (close == end || *close != '"') {
      ThrowRowError(DescribeColumn(column), ": unterminated quote");
    }
    field.begin = p + 1;
    field.end = close;
    field.after = close + 1;
    while (field.after < end && blank(*field.after)) ++field.after;
    if (!IsDelimiter(field.after, end)) {
      ThrowRowError(DescribeColumn(column), ": unexpected text after the closing quote");
    }
    while (field.begin < field.end && blank(*field.begin)) ++field.begin;
  } else {
    const char* e = p;
    while (e < end && *e != ',' && *e != '\n' && *e != '\r') ++e;
    field.begin = p;
    field.end = e;
    field.after = e;
  }
  while (field.end > field.begin && blank(field.end[-1])) --field.end;
  return field;
}

const char* CsvRowParser::ParseFeatureSlow(const char* p, const char* end, float* out, int column,
                                           bool& missing) const {
  const FieldText field = ExtractField(p, end, column);
  const char* what = nullptr;
  float value = 0.0f;
  if (field.begin == field.end) {
    what = "empty field";
  } else {
    const char* number = SkipPlus(field.begin, field.end);
    auto parsed = fast_float::from_chars(number, field.end, value);
    if (parsed.ec == std::errc::result_out_of_range ||
        (parsed.ec == std::errc() && parsed.ptr == field.end && std::isinf(value) &&
         (std::isdigit(static_cast<unsigned char>(number[number[0] == '-'])) ||
          number[number[0] == '-'] == '.'))) {
      ThrowRowError(DescribeColumn(column), ": ", Quote(field.begin, field.end),
                    " is out of the float32 range");
    }
    if (parsed.ec != std::errc() || parsed.ptr != field.end) {
      ThrowRowError(DescribeColumn(column), ": ", Quote(field.begin, field.end),
                    " is not a number");
    }
    if (std::isnan(value)) {
      what = "missing value";
    } else if (std::isinf(value)) {
      what = "infinite value";
    } else {
      *out = value;
      return field.after;
    }
  }
  if (!allow_missing_) {
    ThrowRowError(
        DescribeColumn(column), ": ", what,
        field.begin == field.end ? std::string() : StrCat(" ", Quote(field.begin, field.end)),
        " (use --allow-missing to read missing values as NaN)");
  }
  *out = std::numeric_limits<float>::quiet_NaN();
  missing = true;
  return field.after;
}

const char* CsvRowParser::ParseLabelSlow(const char* p, const char* end, std::int32_t* out,
                                         int column) const {
  const FieldText field = ExtractField(p, end, column);
  if (field.begin == field.end) ThrowRowError(DescribeColumn(column), ": empty label");
  const char* number = SkipPlus(field.begin, field.end);
  double value = 0.0;
  auto parsed = fast_float::from_chars(number, field.end, value);
  if (parsed.ec != std::errc() || parsed.ptr != field.end || !std::isfinite(value) ||
      value != std::trunc(value)) {
    ThrowRowError(DescribeColumn(column), ": label ", Quote(field.begin, field.end),
                  " is not an integer");
  }
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    ThrowRowError(DescribeColumn(column), ": label ", Quote(field.begin, field.end),
                  " is out of the int32 range");
  }
  *out = static_cast<std::int32_t>(value);
  return field.after;
}

std::string CsvRowParser::DescribeColumn(int column) const {
  return StrCat("column ", column + 1, " (", layout_.columns[column], ")");
}

void CsvRowParser::TooManyFields(const char* p, const char* end) const {
  int found = fields_;
  while (p < end && *p != '\n') {
    if (*p == ',') ++found;
    ++p;
  }
  ThrowRowError("too many fields: found ", found, ", expected ", fields_);
}

void CsvRowParser::LineEndedEarly(const char* p, const char* end, int column) const {
  if (p < end && *p == '\r' && p + 1 < end && p[1] != '\n') {
    ThrowRowError("stray carriage return inside the row");
  }
  if (p == end || *p == '\n' || *p == '\r') {
    ThrowRowError("too few fields: found ", column, ", expected ", fields_, " (no value for ",
                  DescribeColumn(column), ")");
  }
  // The field parsers accept a field only when a delimiter follows it, so this is a safety net.
  ThrowRowError(DescribeColumn(column - 1), ": unexpected character ", Quote(p, p + 1));
}

}  // namespace scaleml
