#include "data/CsvValues.h"

#include <fast_float/fast_float.h>

#include <cmath>
#include <limits>

namespace scaleml {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

// Reads exactly `digits` decimal digits at text[at].
bool Digits(std::string_view text, std::size_t at, int digits, int* value) {
  if (at + static_cast<std::size_t>(digits) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[at + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

NaSpellings::NaSpellings(const std::vector<std::string>& spellings) : spellings_(spellings) {}

std::vector<std::string> DefaultNaValues() {
  return {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"};
}

bool ParseTrueFalse(std::string_view text, bool* value) {
  if (EqualsLower(text, "true") || EqualsLower(text, "false")) {
    *value = text.size() == 4;
    return true;
  }
  return false;
}

bool ParseBoolean(std::string_view text, bool* value) {
  if (EqualsLower(text, "true") || EqualsLower(text, "yes") || EqualsLower(text, "t") ||
      text == "1") {
    *value = true;
    return true;
  }
  if (EqualsLower(text, "false") || EqualsLower(text, "no") || EqualsLower(text, "f") ||
      text == "0") {
    *value = false;
    return true;
  }
  return false;
}

bool ParseDatetime(std::string_view text, DatetimeValue* value) {
  int y, mo, d;
  if (text.size() < 10 || !Digits(text, 0, 4, &y) || text[4] != '-' || !Digits(text, 5, 2, &mo) ||
      text[7] != '-' || !Digits(text, 8, 2, &d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return false;
  int h = 0, mi = 0, s = 0;
  double fraction = 0.0;
  std::size_t at = 10;
  bool has_time = false;
  if (at < text.size()) {
    if ((text[at] != 'T' && text[at] != ' ') || !Digits(text, at + 1, 2, &h) ||
        at + 3 >= text.size() || text[at + 3] != ':' || !Digits(text, at + 4, 2, &mi)) {
      return false;
    }
    if (h > 23 || mi > 59) return false;
    has_time = true;
    at += 6;
    if (at < text.size() && text[at] == ':') {
      if (!Digits(text, at + 1, 2, &s) || s > 60) return false;
      at += 3;
      if (at < text.size() && text[at] == '.') {
        std::size_t e = at + 1;
        double scale = 0.1;
        while (e < text.size() && text[e] >= '0' && text[e] <= '9') {
          fraction += (text[e] - '0') * scale;
          scale /= 10;
          ++e;
        }
        if (e == at + 1) return false;
        at = e;
      }
    }
    if (at < text.size() && text[at] == 'Z') ++at;
    if (at != text.size()) return false;
  }
  const std::int64_t days = DaysFromCivil(y, mo, d);
  value->days = static_cast<double>(days) + (h * 3600.0 + mi * 60.0 + s + fraction) / 86400.0;
  value->year = y;
  value->month = mo;
  value->day_of_week = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  value->hour = h;
  value->has_time = has_time;
  return true;
}

bool ParseNumber(std::string_view text, double* value) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (e - b >= 2 && b[0] == '+' && b[1] != '-' && b[1] != '+') ++b;
  if (b == e) return false;
  auto parsed = fast_float::from_chars(b, e, *value);
  return parsed.ec == std::errc() && parsed.ptr == e && std::isfinite(*value);
}

bool ParseInt32(std::string_view text, std::int32_t* value) {
  double v;
  if (!ParseNumber(text, &v) || v != std::trunc(v) ||
      v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max()) {
    return false;
  }
  // "1.0" is a float label (names sorted numerically), not a raw integer.
  for (char c : text) {
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  *value = static_cast<std::int32_t>(v);
  return true;
}

}  // namespace scaleml
