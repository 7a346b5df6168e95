// What a CSV field's text is: a number, a boolean, an ISO 8601 date or timestamp, a missing value
// (one of the NA spellings) or a string. Used by schema inference on the sample and by the row
// parser on every field of a boolean or datetime column.
// Thread-safety: pure functions; NaSpellings is immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scaleml {

// The spellings of a missing value; the empty field is always missing.
class NaSpellings {
 public:
  explicit NaSpellings(const std::vector<std::string>& spellings);
  bool Contains(std::string_view text) const {
    if (text.empty()) return true;
    for (const auto& s : spellings_) {
      if (s == text) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> spellings_;
};

// The default NA spellings (pandas' usual ones): NA, N/A, NaN, nan, null, NULL, None, ?.
std::vector<std::string> DefaultNaValues();

// true/false, yes/no, t/f (any case) and 1/0.
bool ParseBoolean(std::string_view text, bool* value);
// true or false in any case (True, TRUE, false, ...) only: what pandas reads as a boolean.
bool ParseTrueFalse(std::string_view text, bool* value);

// A parsed ISO 8601 date (YYYY-MM-DD) or timestamp (YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z]).
struct DatetimeValue {
  double days = 0.0;  // since 1970-01-01, fractional with the time of day
  int year = 1970;
  int month = 1;
  int day_of_week = 3;  // 0 = Monday
  int hour = 0;
  bool has_time = false;
};
bool ParseDatetime(std::string_view text, DatetimeValue* value);

// The whole text is a finite number (leading '+' allowed).
bool ParseNumber(std::string_view text, double* value);
// The whole text is an integer that fits int32.
bool ParseInt32(std::string_view text, std::int32_t* value);

}  // namespace scaleml
