// The Schema inside model files: a round trip keeps every field; impossible values are input
// errors naming the file.
#include "algo/ModelSchemaIO.h"

#include <gtest/gtest.h>

namespace scaleml {
namespace {

Schema WeatherSchema() {
  Schema schema;
  schema.columns = {{"when", ColumnType::kDatetime, false, true},
                    {"colour", ColumnType::kCategorical},
                    {"windy", ColumnType::kBoolean},
                    {"id", ColumnType::kIgnored},
                    {"speed", ColumnType::kNumeric},
                    {"weather", ColumnType::kCategorical, true}};
  schema.features.resize(9);  // when: 5 features, colour, windy, speed
  schema.features[5] = {FeatureKind::kCategorical, {"blue", "green", "r\xc3\xa9sum\xc3\xa9"}};
  schema.classes = {"drizzle", "rain", "sun"};
  return schema;
}

Schema RoundTrip(const std::string& bytes) {
  BinaryReader in(bytes, "model.bin");
  Schema schema = ReadModelSchema(in);
  EXPECT_TRUE(in.AtEnd());
  return schema;
}

TEST(ModelSchemaIOTest, RoundTripKeepsEveryField) {
  const Schema schema = WeatherSchema();
  BinaryWriter out;
  WriteModelSchema(out, schema);
  const Schema back = RoundTrip(out.bytes());
  ASSERT_EQ(back.columns.size(), schema.columns.size());
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    EXPECT_EQ(back.columns[c].name, schema.columns[c].name);
    EXPECT_EQ(back.columns[c].type, schema.columns[c].type);
    EXPECT_EQ(back.columns[c].is_target, schema.columns[c].is_target);
    EXPECT_EQ(back.columns[c].has_time, schema.columns[c].has_time);
  }
  ASSERT_EQ(back.features.size(), schema.features.size());
  for (std::size_t f = 0; f < schema.features.size(); ++f) {
    EXPECT_EQ(back.features[f].kind, schema.features[f].kind);
    EXPECT_EQ(back.features[f].categories, schema.features[f].categories);
  }
  EXPECT_EQ(back.classes, schema.classes);
  EXPECT_EQ(back.ClassName(1), "rain");
  // The empty schema of a model fitted without FitModel.
  BinaryWriter empty;
  WriteModelSchema(empty, Schema{});
  EXPECT_TRUE(RoundTrip(empty.bytes()).features.empty());
}

TEST(ModelSchemaIOTest, ImpossibleValuesAreInputErrors) {
  auto expect_corrupt = [](const Schema& schema, const std::string& fragment) {
    BinaryWriter out;
    WriteModelSchema(out, schema);
    BinaryReader in(out.bytes(), "model.bin");
    try {
      ReadModelSchema(in);
      ADD_FAILURE() << "read " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find("model.bin"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  Schema unsorted = WeatherSchema();
  unsorted.features[5].categories = {"green", "blue"};
  expect_corrupt(unsorted, "not sorted");
  Schema numeric_with_categories = WeatherSchema();
  numeric_with_categories.features[0].categories = {"a"};
  expect_corrupt(numeric_with_categories, "numeric feature with categories");
  Schema bad_type = WeatherSchema();
  bad_type.columns[0].type = static_cast<ColumnType>(9);
  expect_corrupt(bad_type, "unknown column type");

  BinaryWriter out;
  WriteModelSchema(out, WeatherSchema());
  const std::string& bytes = out.bytes();
  BinaryReader cut(std::string_view(bytes).substr(0, bytes.size() - 3), "model.bin");
  EXPECT_THROW(ReadModelSchema(cut), Error);
}

}  // namespace
}  // namespace scaleml
