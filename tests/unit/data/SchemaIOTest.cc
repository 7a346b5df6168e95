#include "data/SchemaIO.h"

#include <gtest/gtest.h>

#include "core/Error.h"

namespace scaleml {
namespace {

Schema MixedSchema() {
  Schema schema;
  schema.columns = {{"age", ColumnType::kNumeric, false, false},
                    {"city", ColumnType::kCategorical, false, false},
                    {"member", ColumnType::kBoolean, false, false},
                    {"seen", ColumnType::kDatetime, false, true},
                    {"id", ColumnType::kIgnored, false, false},
                    {"label", ColumnType::kCategorical, true, false}};
  schema.features.resize(8);
  schema.features[1].kind = FeatureKind::kCategorical;
  schema.features[1].categories = {"", "Lyon", "Paris", "caf\xc3\xa9"};
  schema.classes = {"no", "yes"};
  return schema;
}

void ExpectSameSchema(const Schema& a, const Schema& b) {
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (std::size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.columns[i].name, b.columns[i].name);
    EXPECT_EQ(a.columns[i].type, b.columns[i].type);
    EXPECT_EQ(a.columns[i].is_target, b.columns[i].is_target);
    EXPECT_EQ(a.columns[i].has_time, b.columns[i].has_time);
  }
  ASSERT_EQ(a.features.size(), b.features.size());
  for (std::size_t i = 0; i < a.features.size(); ++i) {
    EXPECT_EQ(a.features[i].kind, b.features[i].kind);
    EXPECT_EQ(a.features[i].categories, b.features[i].categories);
  }
  EXPECT_EQ(a.classes, b.classes);
}

Schema RoundTrip(const Schema& schema) {
  BinaryWriter out;
  WriteSchema(out, schema);
  out.Put<std::uint32_t>(0xfeedbeef);  // whatever follows in the file is left unread
  BinaryReader in(out.bytes(), "test");
  Schema back = ReadSchema(in);
  EXPECT_EQ(in.Get<std::uint32_t>(), 0xfeedbeef);
  EXPECT_TRUE(in.AtEnd());
  return back;
}

TEST(SchemaIOTest, RoundTripsAMixedSchema) {
  ExpectSameSchema(RoundTrip(MixedSchema()), MixedSchema());
}

TEST(SchemaIOTest, RoundTripsTheNumericSchemaOfThePaperFiles) {
  ExpectSameSchema(RoundTrip(NumericSchema(10)), NumericSchema(10));
  ExpectSameSchema(RoundTrip(Schema{}), Schema{});
}

TEST(SchemaIOTest, EveryTruncationIsAnInputError) {
  BinaryWriter out;
  WriteSchema(out, MixedSchema());
  const std::string bytes = out.bytes();
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    BinaryReader in(std::string_view(bytes).substr(0, size), "cut");
    try {
      ReadSchema(in);
      ADD_FAILURE() << "read a schema cut at " << size << " bytes";
    } catch (const Error& e) {
      EXPECT_EQ(e.ExitCode(), 2);
    }
  }
}

TEST(SchemaIOTest, RejectsCorruptValues) {
  auto expect_rejected = [](const Schema& schema, std::size_t byte, std::uint8_t value) {
    BinaryWriter out;
    WriteSchema(out, schema);
    std::string bytes = out.Take();
    ASSERT_LT(byte, bytes.size());
    bytes[byte] = static_cast<char>(value);
    BinaryReader in(bytes, "bad");
    EXPECT_THROW(ReadSchema(in), Error) << "byte " << byte;
  };
  Schema one_column;
  one_column.columns = {{"a", ColumnType::kNumeric, false, false}};
  one_column.features.resize(1);
  // format u32, count u64, name (8 + 1), then the type byte at 21 and is_target at 22.
  expect_rejected(one_column, 0, 7);     // unknown format
  expect_rejected(one_column, 21, 9);    // unknown column type
  expect_rejected(one_column, 22, 2);    // a flag that is not 0/1
  expect_rejected(one_column, 4, 0xff);  // a column count far beyond the bytes
  Schema unsorted;
  unsorted.features.resize(1);
  unsorted.features[0].kind = FeatureKind::kCategorical;
  unsorted.features[0].categories = {"a", "b"};
  // format 4, columns 8, features 8, kind 1, count 8, "a" at 8+1: its byte is at 37.
  expect_rejected(unsorted, 37, 'c');
}

// Model files and the cache share this serializer: a value that makes no sense is an input error
// naming the file (the reader's source) and what is wrong.
TEST(SchemaIOTest, ImpossibleValuesNameTheFileAndTheProblem) {
  auto expect_corrupt = [](const Schema& schema, const std::string& fragment) {
    BinaryWriter out;
    WriteSchema(out, schema);
    BinaryReader in(out.bytes(), "model.bin");
    try {
      ReadSchema(in);
      ADD_FAILURE() << "read " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      EXPECT_NE(std::string(e.what()).find("model.bin"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  Schema unsorted = MixedSchema();
  unsorted.features[1].categories = {"Paris", "Lyon"};
  expect_corrupt(unsorted, "not sorted and distinct");
  Schema numeric_with_categories = MixedSchema();
  numeric_with_categories.features[0].categories = {"a"};
  expect_corrupt(numeric_with_categories, "numeric feature with categories");
  Schema bad_type = MixedSchema();
  bad_type.columns[0].type = static_cast<ColumnType>(9);
  expect_corrupt(bad_type, "unknown column type 9");
}

// Model files of version 2 stored the fields without the format version: ReadSchemaFields reads
// them with the same checks.
TEST(SchemaIOTest, FieldsWithoutTheVersionReadAsVersionTwoModelsStoredThem) {
  BinaryWriter out;
  WriteSchema(out, MixedSchema());
  const std::string fields = out.bytes().substr(sizeof(std::uint32_t));
  BinaryReader in(fields, "old.bin");
  ExpectSameSchema(ReadSchemaFields(in), MixedSchema());
  EXPECT_TRUE(in.AtEnd());
  BinaryReader cut(std::string_view(fields).substr(0, fields.size() - 3), "old.bin");
  EXPECT_THROW(ReadSchemaFields(cut), Error);
}

}  // namespace
}  // namespace scaleml
