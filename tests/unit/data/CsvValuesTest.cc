#include "data/CsvValues.h"

#include <gtest/gtest.h>

namespace scaleml {
namespace {

TEST(CsvValuesTest, DatesAndTimestamps) {
  DatetimeValue v;
  ASSERT_TRUE(ParseDatetime("1970-01-01", &v));
  EXPECT_EQ(v.days, 0.0);
  EXPECT_EQ(v.day_of_week, 3);  // a Thursday
  EXPECT_FALSE(v.has_time);
  ASSERT_TRUE(ParseDatetime("2000-02-29T12:00:00.5Z", &v));
  EXPECT_DOUBLE_EQ(v.days, 11016.0 + (12 * 3600 + 0.5) / 86400.0);
  EXPECT_EQ(v.year, 2000);
  EXPECT_EQ(v.month, 2);
  EXPECT_EQ(v.hour, 12);
  EXPECT_TRUE(v.has_time);
  ASSERT_TRUE(ParseDatetime("1969-12-31 23:59", &v));
  EXPECT_LT(v.days, 0.0);
  EXPECT_EQ(v.day_of_week, 2);  // a Wednesday
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T25:00",
                          "2024-01-01T10", "2024-01-01x", "20240101", ""}) {
    EXPECT_FALSE(ParseDatetime(bad, &v)) << bad;
  }
}

TEST(CsvValuesTest, BooleansNumbersAndNa) {
  bool b;
  for (const char* yes : {"true", "TRUE", "True", "yes", "YES", "t", "T", "1"}) {
    ASSERT_TRUE(ParseBoolean(yes, &b)) << yes;
    EXPECT_TRUE(b);
  }
  for (const char* no : {"false", "No", "f", "F", "0"}) {
    ASSERT_TRUE(ParseBoolean(no, &b)) << no;
    EXPECT_FALSE(b);
  }
  EXPECT_FALSE(ParseBoolean("y", &b));
  std::int32_t i;
  EXPECT_TRUE(ParseInt32("-12", &i));
  EXPECT_EQ(i, -12);
  EXPECT_FALSE(ParseInt32("1.0", &i));  // a float label: class names
  EXPECT_FALSE(ParseInt32("2147483648", &i));
  const NaSpellings na(DefaultNaValues());
  EXPECT_TRUE(na.Contains(""));
  EXPECT_TRUE(na.Contains("N/A"));
  EXPECT_FALSE(na.Contains("n/a"));
}

}  // namespace
}  // namespace scaleml
