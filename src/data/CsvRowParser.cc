#include "data/CsvRowParser.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <new>

namespace scaleml {
namespace {

// Same release granularity as the newline counter (see CsvParser.cc).
constexpr std::size_t kReleaseBytes = std::size_t{2} << 20;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// An error inside a row; ParsePiece prefixes the file and line.
struct RowError {
  std::string message;
};
// A quoted field holds a newline: the split by lines was wrong, the parse starts again.
struct NeedQuoteSplit {};

template <class... Args>
[[noreturn]] void ThrowRowError(Args&&... args) {
  throw RowError{StrCat(std::forward<Args>(args)...)};
}

// The field's text for a message: at most 40 characters, control bytes shown as '?'.
std::string Quote(std::string_view value) {
  const std::size_t length = std::min<std::size_t>(value.size(), 40);
  std::string text;
  text.reserve(length + 5);
  text.push_back('\'');
  for (std::size_t i = 0; i < length; ++i) {
    text.push_back(static_cast<unsigned char>(value[i]) < 0x20 ? '?' : value[i]);
  }
  if (value.size() > 40) text.append("...");
  text.push_back('\'');
  return text;
}

// Skips a lone '+' (fast_float, like std::from_chars, rejects it; CSV writers sometimes emit it).
const char* SkipPlus(const char* begin, const char* end) {
  if (end - begin >= 2 && begin[0] == '+' && begin[1] != '-' && begin[1] != '+') return begin + 1;
  return begin;
}

std::int32_t CodeOf(CsvRowParser::PieceDictionary& dictionary, std::string_view value) {
  return dictionary.FindOrInsert(value);
}

}  // namespace

thread_local std::string CsvRowParser::scratch_;

CsvRowParser::CsvRowParser(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
                           const CsvOptions& options, RecordSplit split, Dataset& dataset)
    : text_(text),
      layout_(layout),
      plan_(plan),
      na_(options.na_values),
      allow_missing_(!options.no_missing),
      fixed_schema_(options.fixed_schema != nullptr),
      quote_aware_(split == RecordSplit::kQuoteAware),
      delimiter_(layout.delimiter),
      fields_(static_cast<int>(layout.FieldCount())),
      target_(layout.target_column),
      columns_(layout.FieldCount(), nullptr),
      labels_(dataset.mutable_labels().data()),
      rows_(dataset.rows()) {
  for (int c = 0; c < fields_; ++c) {
    const int feature = plan.columns[c].feature;
    if (feature >= 0)
      columns_[c] = dataset.mutable_column(static_cast<std::size_t>(feature)).data();
  }
}

void CsvRowParser::ParsePiece(std::size_t begin, std::size_t end_offset, std::int64_t first_row,
                              std::int64_t row_end, std::int64_t first_row_id,
                              PieceResult& result) const {
  result.dictionaries.resize(static_cast<std::size_t>(plan_.dictionaries));
  const char* const data = text_.data();
  const char* p = data + begin;
  const char* const end = data + end_offset;
  std::int64_t row = first_row;
  try {
    if (plan_.plain) {
      ParseRecords<true>(p, end, row, row_end, result);
    } else {
      ParseRecords<false>(p, end, row, row_end, result);
    }
  } catch (const NeedQuoteSplit&) {
    result.needs_quote_split = true;
  } catch (const RowError& e) {
    result.error_line = first_row_id + (row - first_row) + 2;  // the header is line 1
    result.error = StrCat(text_.path(), ":", result.error_line, ": ", e.message);
    result.error_detail = e.message;
  } catch (const Error& e) {
    result.error_kind = e.kind();
    result.error_line = first_row_id + (row - first_row) + 2;
    result.error = e.what();
  } catch (const std::bad_alloc&) {
    result.error_kind = Error::Kind::kFailure;
    result.error = "out of memory while reading " + text_.path();
  }
}

template <bool kPlain>
void CsvRowParser::ParseRecords(const char*& p, const char* end, std::int64_t& row,
                                std::int64_t row_end, PieceResult& result) const {
  const char* const data = text_.data();
  const char* released = p;
  while (p < end) {
    // The rows were counted just before; a mismatch is a quoted newline or a bug.
    if (row >= row_end) {
      if (!quote_aware_) throw NeedQuoteSplit{};
      throw Failure(text_.path(), ": more rows than counted");
    }
    if (*p == '\n' || *p == '\r') {
      ThrowRowError("blank line (every row needs ", fields_, " fields)");
    }
    for (int c = 0; c < fields_; ++c) {
      if constexpr (kPlain) {
        if (c == target_) {
          p = ParseLabel(p, end, labels_ + row, c, row, result);
        } else {
          p = ParseFeature(p, end, columns_[c] + row, c, result.has_missing);
        }
      } else {
        p = ParseField(p, end, c, row, result);
      }
      if (c + 1 < fields_) {
        if (p < end && *p == delimiter_) {
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
      } else if (*p == delimiter_) {
        TooManyFields(p, end);
      } else {
        ThrowRowError("stray carriage return inside the row");
      }
    }
    ++row;
    if (static_cast<std::size_t>(p - released) >= kReleaseBytes) {
      text_.ReleasePages(static_cast<std::size_t>(released - data),
                         static_cast<std::size_t>(p - data));
      released = p;
    }
  }
  text_.ReleasePages(static_cast<std::size_t>(released - data),
                     static_cast<std::size_t>(end - data));
}

const char* CsvRowParser::ParseField(const char* p, const char* end, int column, std::int64_t row,
                                     PieceResult& result) const {
  const ColumnPlan& plan = plan_.columns[static_cast<std::size_t>(column)];
  float* out = columns_[static_cast<std::size_t>(column)];
  switch (plan.action) {
    case FieldAction::kNumeric:
      return ParseFeature(p, end, out + row, column, result.has_missing);
    case FieldAction::kIntLabel:
      return ParseLabel(p, end, labels_ + row, column, row, result);
    case FieldAction::kClassLabel:
    case FieldAction::kFixedClassLabel:
      return ParseLabelSlow(p, end, labels_ + row, column, row, result);
    case FieldAction::kSkip:
      return ExtractField(p, end, column).after;
    default:
      break;
  }
  const FieldText field = ExtractField(p, end, column);
  if (na_.Contains(field.value)) {
    const int count = plan.action == FieldAction::kDatetime ? (plan.has_time ? 5 : 4) : 1;
    StoreMissing(out + row, count, column, field.value, result.has_missing);
    return field.after;
  }
  switch (plan.action) {
    case FieldAction::kBoolean: {
      bool value;
      if (!ParseBoolean(field.value, &value)) {
        ThrowRowError(DescribeColumn(column), ": ", Quote(field.value), " is not a boolean",
                      TypeFix(column));
      }
      out[row] = value ? 1.0f : 0.0f;
      break;
    }
    case FieldAction::kDatetime:
      StoreDatetime(out + row, plan, column, field.value);
      break;
    case FieldAction::kCategorical: {
      auto& dictionary = result.dictionaries[static_cast<std::size_t>(plan.dictionary)];
      out[row] = static_cast<float>(CodeOf(dictionary, field.value));
      break;
    }
    case FieldAction::kFixedCategorical: {
      const StringCodes& codes = plan_.fixed[static_cast<std::size_t>(plan.dictionary)];
      const std::int32_t code = codes.Find(field.value);
      if (code < 0) {
        out[row] = kNaN;  // a category the model never saw: missing, not an error
        result.has_missing = true;
      } else {
        out[row] = static_cast<float>(code);
      }
      break;
    }
    default:
      break;
  }
  return field.after;
}

void CsvRowParser::StoreDatetime(float* out, const ColumnPlan& plan, int column,
                                 std::string_view text) const {
  DatetimeValue value;
  if (!ParseDatetime(text, &value)) {
    ThrowRowError(DescribeColumn(column), ": ", Quote(text),
                  " is not a date (YYYY-MM-DD[THH:MM[:SS]])", TypeFix(column));
  }
  // The features are columnar: feature + k of this row lies k columns further on.
  out[0] = static_cast<float>(value.days);
  out[rows_] = static_cast<float>(value.year);
  out[2 * rows_] = static_cast<float>(value.month);
  out[3 * rows_] = static_cast<float>(value.day_of_week);
  if (plan.has_time) out[4 * rows_] = static_cast<float>(value.hour);
}

void CsvRowParser::StoreMissing(float* out, int count, int column, std::string_view text,
                                bool& missing) const {
  if (!allow_missing_) {
    ThrowRowError(DescribeColumn(column), ": missing value",
                  text.empty() ? std::string(" (empty field)") : StrCat(" ", Quote(text)),
                  "; --no-missing rejects missing values");
  }
  for (int k = 0; k < count; ++k) out[static_cast<std::size_t>(k) * rows_] = kNaN;
  missing = true;
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
                                            int column, std::int64_t row,
                                            PieceResult& result) const {
  {  // raw integer labels (kIntLabel), the paper's files
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
  }
  return ParseLabelSlow(p, end, out, column, row, result);
}

CsvRowParser::FieldText CsvRowParser::ExtractField(const char* p, const char* end,
                                                   int column) const {
  const bool tab_is_blank = delimiter_ != '\t';
  auto blank = [tab_is_blank](char c) { return c == ' ' || (c == '\t' && tab_is_blank); };
  while (p < end && blank(*p)) ++p;
  FieldText field;
  if (p < end && *p == '"') {
    // RFC 4180: a quoted field may hold delimiters, newlines and doubled quotes.
    const char* q = p + 1;
    const char* close = nullptr;
    bool doubled = false;
    while (q < end) {
      const void* hit = std::memchr(q, '"', static_cast<std::size_t>(end - q));
      if (hit == nullptr) break;
      const char* quote = static_cast<const char*>(hit);
      if (quote + 1 < end && quote[1] == '"') {
        doubled = true;
        q = quote + 2;
        continue;
      }
      close = quote;
      break;
    }
    const char* limit = close != nullptr ? close : end;
    if (!quote_aware_ && std::memchr(p + 1, '\n', static_cast<std::size_t>(limit - p - 1))) {
      throw NeedQuoteSplit{};
    }
    if (close == nullptr) {
      if (!quote_aware_ && end != text_.data() + layout_.data_end) throw NeedQuoteSplit{};
      ThrowRowError(DescribeColumn(column), ": unterminated quote");
    }
    if (doubled) {
      scratch_.clear();
      for (const char* c = p + 1; c < close; ++c) {
        scratch_.push_back(*c);
        if (*c == '"') ++c;  // the second of a doubled quote
      }
      field.value = scratch_;
    } else {
      field.value = std::string_view(p + 1, static_cast<std::size_t>(close - p - 1));
    }
    field.after = close + 1;
    while (field.after < end && blank(*field.after)) ++field.after;
    if (!IsDelimiter(field.after, end)) {
      ThrowRowError(DescribeColumn(column), ": unexpected text after the closing quote");
    }
    return field;
  }
  const char* e = p;
  while (e < end && *e != delimiter_ && *e != '\n' && *e != '\r') ++e;
  field.after = e;
  while (e > p && blank(e[-1])) --e;
  field.value = std::string_view(p, static_cast<std::size_t>(e - p));
  return field;
}

const char* CsvRowParser::ParseFeatureSlow(const char* p, const char* end, float* out, int column,
                                           bool& missing) const {
  const FieldText field = ExtractField(p, end, column);
  std::string_view text = field.value;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (na_.Contains(text)) {
    StoreMissing(out, 1, column, text, missing);
    return field.after;
  }
  const char* begin = text.data();
  const char* stop = begin + text.size();
  const char* number = SkipPlus(begin, stop);
  float value = 0.0f;
  auto parsed = fast_float::from_chars(number, stop, value);
  if (parsed.ec == std::errc::result_out_of_range ||
      (parsed.ec == std::errc() && parsed.ptr == stop && std::isinf(value) &&
       (std::isdigit(static_cast<unsigned char>(number[number[0] == '-'])) ||
        number[number[0] == '-'] == '.'))) {
    ThrowRowError(DescribeColumn(column), ": ", Quote(text), " is out of the float32 range");
  }
  if (parsed.ec != std::errc() || parsed.ptr != stop) {
    ThrowRowError(DescribeColumn(column), ": ", Quote(text), " is not a number", TypeFix(column));
  }
  if (std::isnan(value) || std::isinf(value)) {
    StoreMissing(out, 1, column, text, missing);
    return field.after;
  }
  *out = value;
  return field.after;
}

const char* CsvRowParser::ParseLabelSlow(const char* p, const char* end, std::int32_t* out,
                                         int column, std::int64_t row, PieceResult& result) const {
  const FieldText field = ExtractField(p, end, column);
  std::string_view text = field.value;
  if (na_.Contains(text)) {
    // A row without a label teaches nothing: skipped (and counted) after the parse.
    result.missing_label_rows.push_back(row);
    *out = 0;
    return field.after;
  }
  const ColumnPlan& plan = plan_.columns[static_cast<std::size_t>(column)];
  if (plan.boolean_label) {
    bool value = false;
    if (!ParseTrueFalse(text, &value)) {
      ThrowRowError(DescribeColumn(column), ": label ", Quote(text),
                    " is not true or false, as the column's first rows are (give --categorical ",
                    layout_.columns[static_cast<std::size_t>(column)],
                    " to read its labels as they are written)");
    }
    text = value ? "true" : "false";
  }
  if (plan.action == FieldAction::kClassLabel) {
    auto& dictionary = result.dictionaries[static_cast<std::size_t>(plan.dictionary)];
    *out = CodeOf(dictionary, text);
    return field.after;
  }
  if (plan.action == FieldAction::kFixedClassLabel) {
    const StringCodes& codes = plan_.fixed[static_cast<std::size_t>(plan.dictionary)];
    const std::int32_t code = codes.Find(text);
    if (code < 0) {
      ThrowRowError(DescribeColumn(column), ": label ", Quote(text),
                    " is not one of the model's classes");
    }
    *out = code;
    return field.after;
  }
  const char* begin = text.data();
  const char* stop = begin + text.size();
  const char* number = SkipPlus(begin, stop);
  double value = 0.0;
  auto parsed = fast_float::from_chars(number, stop, value);
  if (parsed.ec != std::errc() || parsed.ptr != stop || !std::isfinite(value) ||
      value != std::trunc(value)) {
    ThrowRowError(DescribeColumn(column), ": label ", Quote(text), " is not an integer",
                  TypeFix(column));
  }
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    ThrowRowError(DescribeColumn(column), ": label ", Quote(text), " is out of the int32 range",
                  TypeFix(column));
  }
  *out = static_cast<std::int32_t>(value);
  return field.after;
}

std::string CsvRowParser::DescribeColumn(int column) const {
  return StrCat("column ", column + 1, " (", layout_.columns[static_cast<std::size_t>(column)],
                ")");
}

std::string CsvRowParser::TypeFix(int column) const {
  if (fixed_schema_) return " (the model reads this column so)";
  return StrCat("; declare the column with --categorical ",
                layout_.columns[static_cast<std::size_t>(column)]);
}

void CsvRowParser::TooManyFields(const char* p, const char* end) const {
  int found = fields_;
  while (p < end && *p != '\n') {
    if (*p == delimiter_) ++found;
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
  ThrowRowError(DescribeColumn(column - 1), ": unexpected character ",
                Quote(std::string_view(p, 1)));
}

}  // namespace scaleml
