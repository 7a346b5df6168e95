// --param parsing: a name given twice (directly, or as a field and its alias) is an error instead
// of a silent pick of one value; CheckValue and Find answer as Parse would.
#include "algo/ParamSchema.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/Error.h"

namespace scaleml {
namespace {

enum class ToyShape { kRound, kSquare };

struct ToyParams {
  int leaves = 31;
  double rate = 0.1;
  ToyShape shape = ToyShape::kSquare;
};

ParamSchema<ToyParams> ToySchema() {
  ParamSchema<ToyParams> schema("toy");
  schema.Int("num_leaves", &ToyParams::leaves, 2, 100, "leaves")
      .Double("learning_rate", &ToyParams::rate, 0.0, 1.0, "rate")
      .Choice("shape", &ToyParams::shape,
              {{"round", ToyShape::kRound}, {"square", ToyShape::kSquare}}, "shape")
      .Alias("max_leaves", "num_leaves");
  return schema;
}

std::string ErrorOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    return e.what();
  }
  return "";
}

TEST(ParamSchemaTest, ARepeatedParamIsAnError) {
  EXPECT_EQ(ParseParamPairs({"C=1", "tol=2"}).size(), 2u);
  const std::string message = ErrorOf([] { ParseParamPairs({"C=1", "C=2"}); });
  EXPECT_NE(message.find("C is given twice"), std::string::npos) << message;
}

TEST(ParamSchemaTest, AFieldAndItsAliasTogetherAreAnError) {
  const auto schema = ToySchema();
  EXPECT_EQ(schema.Parse({{"max_leaves", "7"}}).leaves, 7);
  const std::string message = ErrorOf([&] {
    schema.Parse({{"num_leaves", "7"}, {"max_leaves", "9"}});
  });
  EXPECT_NE(message.find("same parameter"), std::string::npos) << message;
}

TEST(ParamSchemaTest, FindAndCheckValueResolveAliases) {
  const auto schema = ToySchema();
  ASSERT_NE(schema.Find("max_leaves"), nullptr);
  EXPECT_EQ(schema.Find("max_leaves")->name, "num_leaves");
  EXPECT_EQ(schema.Find("nope"), nullptr);
  EXPECT_NO_THROW(schema.CheckValue("max_leaves", "50"));
  EXPECT_NE(ErrorOf([&] { schema.CheckValue("num_leaves", "500"); }).find("out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { schema.CheckValue("nope", "1"); }).find("unknown"), std::string::npos);
}

TEST(ParamSchemaTest, AChoiceBindsItsEnumAndPrintsItsSpelling) {
  const auto schema = ToySchema();
  EXPECT_EQ(schema.Parse({}).shape, ToyShape::kSquare);
  EXPECT_EQ(schema.Parse({{"shape", "round"}}).shape, ToyShape::kRound);
  EXPECT_EQ(schema.ToMap(schema.Parse({{"shape", "round"}})).at("shape"), "round");
  EXPECT_EQ(schema.Find("shape")->default_text, "square");
  EXPECT_EQ(schema.Find("shape")->range_text, ChoiceText({"round", "square"}));
  const std::string message = ErrorOf([&] { schema.Parse({{"shape", "oval"}}); });
  EXPECT_NE(message.find("shape='oval' is not valid"), std::string::npos) << message;
}

}  // namespace
}  // namespace scaleml
