#include "data/DatasetSummary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "data/BinaryCache.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

// A table of the kind the reader infers: a numeric column, a categorical one, a boolean, a
// datetime (4 features), an ignored id, and string labels. Schema set by hand.
Dataset MixedTable() {
  const std::vector<std::string> names = {"age",       "city",       "member",        "seen.days",
                                          "seen.year", "seen.month", "seen.dayofweek"};
  const std::size_t rows = 12;
  Dataset data(names, rows);
  const float nan = NAN;
  const float age[] = {30, 41, nan, 30, 25, 25, 25, -0.0f, 0, 60, 61, 62};
  // Dictionary: Lyon, Nice, Paris, caf\xc3\xa9 (byte order). Paris x5, Lyon x3, Nice x2, cafe x1.
  const float city[] = {2, 2, 0, 1, 2, 0, nan, 2, 3, 1, 0, 2};
  for (std::size_t r = 0; r < rows; ++r) {
    data.mutable_column(0)[r] = age[r];
    data.mutable_column(1)[r] = city[r];
    data.mutable_column(2)[r] = static_cast<float>(r % 2);
    for (std::size_t f = 3; f < 7; ++f) data.mutable_column(f)[r] = static_cast<float>(r / 4);
    data.mutable_labels()[r] = r < 7 ? 1 : 0;  // "yes" x7, "no" x5
  }
  Schema schema;
  schema.columns = {{"id", ColumnType::kIgnored, false, false},
                    {"age", ColumnType::kNumeric, false, false},
                    {"city", ColumnType::kCategorical, false, false},
                    {"member", ColumnType::kBoolean, false, false},
                    {"label", ColumnType::kCategorical, true, false},
                    {"seen", ColumnType::kDatetime, false, false}};
  schema.features.resize(7);
  schema.features[1].kind = FeatureKind::kCategorical;
  schema.features[1].categories = {"Lyon", "Nice", "Paris", "caf\xc3\xa9"};
  schema.classes = {"no", "yes"};
  data.set_schema(schema);
  return data;
}

TEST(DatasetSummaryTest, ColumnsShowTypeMissingDistinctAndTopCategories) {
  const DatasetSummary summary = Summarize(MixedTable());
  ASSERT_EQ(summary.features.size(), 7u);
  const FeatureSummary& age = summary.features[0];
  EXPECT_EQ(age.type, ColumnType::kNumeric);
  EXPECT_EQ(age.missing, 1);
  EXPECT_EQ(age.distinct, 7);  // 30 41 25 0 60 61 62 (-0 is 0)
  EXPECT_EQ(age.min, 0.0);
  EXPECT_EQ(age.max, 62.0);

  const FeatureSummary& city = summary.features[1];
  EXPECT_EQ(city.kind, FeatureKind::kCategorical);
  EXPECT_EQ(city.type, ColumnType::kCategorical);
  EXPECT_EQ(city.missing, 1);
  EXPECT_EQ(city.distinct, 4);
  EXPECT_TRUE(std::isnan(city.mean));
  ASSERT_EQ(city.top.size(), 4u);
  EXPECT_EQ(city.top[0].value, "Paris");
  EXPECT_EQ(city.top[0].count, 5);
  EXPECT_EQ(city.top[1].value, "Lyon");
  EXPECT_EQ(city.top[1].count, 3);
  EXPECT_EQ(city.top[2].value, "Nice");
  EXPECT_EQ(city.top[3].value, "caf\xc3\xa9");

  EXPECT_EQ(summary.features[2].type, ColumnType::kBoolean);
  EXPECT_EQ(summary.features[2].distinct, 2);
  for (std::size_t f = 3; f < 7; ++f) EXPECT_EQ(summary.features[f].type, ColumnType::kDatetime);
  EXPECT_EQ(summary.features[3].distinct, 3);
}

TEST(DatasetSummaryTest, ClassesCarryTheirNames) {
  const DatasetSummary summary = Summarize(MixedTable());
  EXPECT_TRUE(summary.named_classes);
  ASSERT_EQ(summary.classes.size(), 2u);
  EXPECT_EQ(summary.classes[0].name, "no");
  EXPECT_EQ(summary.classes[0].count, 5);
  EXPECT_EQ(summary.classes[1].name, "yes");
  EXPECT_EQ(summary.classes[1].count, 7);
}

TEST(DatasetSummaryTest, TopFiveOfManyCategoriesTiesInDictionaryOrder) {
  Dataset data({"x"}, 20);
  Schema schema = NumericSchema(1);
  schema.features[0].kind = FeatureKind::kCategorical;
  for (char c = 'a'; c <= 'h'; ++c) schema.features[0].categories.push_back(std::string(1, c));
  // h x6, then b, c, d, e, f, g x2 each, a x2.
  const int codes[] = {7, 7, 7, 7, 7, 7, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 0, 0};
  for (std::size_t r = 0; r < 20; ++r) data.mutable_column(0)[r] = static_cast<float>(codes[r]);
  data.set_schema(schema);
  const DatasetSummary summary = Summarize(data);
  const auto& top = summary.features[0].top;
  ASSERT_EQ(top.size(), 5u);
  EXPECT_EQ(top[0].value, "h");
  EXPECT_EQ(top[1].value, "a");
  EXPECT_EQ(top[4].value, "d");
  EXPECT_EQ(summary.features[0].distinct, 8);
}

TEST(DatasetSummaryTest, TextAndJsonShowTheSchema) {
  const DatasetSummary summary = Summarize(MixedTable());
  const std::string classes = ClassesTable(summary);
  EXPECT_NE(classes.find("  name\n"), std::string::npos) << classes;
  EXPECT_NE(classes.find("            1            7   58.33%  yes\n"), std::string::npos)
      << classes;
  const std::string columns = ColumnsTable(summary);
  EXPECT_NE(columns.find("city           categorical              -              -              -"
                         "          1          4\n"),
            std::string::npos)
      << columns;
  EXPECT_NE(columns.find("top: Paris (5) Lyon (3) Nice (2) caf\xc3\xa9 (1)\n"), std::string::npos)
      << columns;
  EXPECT_NE(columns.find("member         boolean"), std::string::npos) << columns;

  const auto json = ColumnsJson(summary);
  EXPECT_EQ(json[1]["name"], "city");
  EXPECT_EQ(json[1]["type"], "categorical");
  EXPECT_EQ(json[1]["distinct"], 4);
  EXPECT_EQ(json[1]["missing"], 1);
  EXPECT_EQ(json[1]["top"][0]["value"], "Paris");
  EXPECT_EQ(json[1]["top"][0]["count"], 5);
  EXPECT_TRUE(json[1]["mean"].is_null());
  EXPECT_EQ(json[0]["type"], "numeric");
  EXPECT_FALSE(json[0].contains("top"));
  EXPECT_EQ(json[3]["type"], "datetime");
  const auto classes_json = ClassesJson(summary);
  EXPECT_EQ(classes_json[1]["name"], "yes");
  EXPECT_EQ(classes_json[1]["count"], 7);
}

TEST(DatasetSummaryTest, APaperTableIsNumericWithRawLabels) {
  Dataset data({"feature_0"}, 3);
  data.mutable_column(0)[1] = 2.5f;
  data.mutable_labels()[2] = 1;
  const DatasetSummary summary = Summarize(data);
  EXPECT_FALSE(summary.named_classes);
  EXPECT_EQ(summary.classes[1].name, "1");
  EXPECT_EQ(summary.features[0].type, ColumnType::kNumeric);
  EXPECT_EQ(summary.features[0].distinct, 2);
  EXPECT_EQ(ClassesTable(summary).find("name"), std::string::npos);
}

TEST(DatasetSummaryTest, DistinctNumbersAreCountedUpToTheLimit) {
  Dataset data({"few", "many"}, 200000);
  for (std::size_t r = 0; r < 200000; ++r) {
    data.mutable_column(0)[r] = static_cast<float>(r % 65536);  // exactly the limit
    data.mutable_column(1)[r] = static_cast<float>(r) * 0.5f;
  }
  const DatasetSummary summary = Summarize(data);
  EXPECT_EQ(summary.features[0].distinct, 65536);
  EXPECT_EQ(summary.features[1].distinct, -1);
  EXPECT_NE(ColumnsTable(summary).find(">65536"), std::string::npos);
  const auto json = ColumnsJson(summary);
  EXPECT_TRUE(json[1]["distinct"].is_null());
  EXPECT_EQ(json[1]["distinct_more_than"], 65536);
  EXPECT_EQ(json[0]["distinct"], 65536);
}

std::string RunCommand(const std::string& command) {
  std::string output;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  ::pclose(pipe);
  return output;
}

// scaleml inspect end to end on a dataset whose schema has categories and class names: the
// binary cache (which stores the schema) stands in for a reader that infers them.
TEST(DatasetSummaryTest, InspectShowsTheSchemaOfACachedTable) {
  testing::TempDir dir;
  const std::string csv = dir.File("mixed.csv");
  testing::WriteFile(csv, "placeholder: the cache answers for this file\n");
  const Dataset table = MixedTable();
  ASSERT_TRUE(WriteCache(CachePathFor(csv), table, *CsvSourceOf(csv), CacheFlags{true, true}));
  const std::string text =
      RunCommand(std::string(SCALEML_BINARY) + " inspect --allow-missing " + csv);
  EXPECT_NE(text.find("from the binary cache"), std::string::npos) << text;
  EXPECT_NE(text.find("58.33%  yes"), std::string::npos) << text;
  EXPECT_NE(text.find("top: Paris (5) Lyon (3) Nice (2)"), std::string::npos) << text;
  EXPECT_NE(text.find("member         boolean"), std::string::npos) << text;
  const auto json = nlohmann::json::parse(
      RunCommand(std::string(SCALEML_BINARY) + " inspect --json --allow-missing " + csv));
  EXPECT_EQ(json["classes"][0]["name"], "no");
  EXPECT_EQ(json["columns"][1]["type"], "categorical");
  EXPECT_EQ(json["columns"][1]["top"][1]["value"], "Lyon");
  EXPECT_EQ(json["columns"][0]["missing"], 1);
}

}  // namespace
}  // namespace scaleml
