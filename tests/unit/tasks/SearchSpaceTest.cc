// Search spaces as Ray Tune reads them: grid cross products times num_samples, sampled values in
// their ranges and reproducible by seed, bad specs refused with the parameter named.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "algo/Registry.h"
#include "core/Error.h"
#include "engine/tune/SearchSpace.h"

namespace scaleml::tune {
namespace {

TEST(SearchSpaceTest, ConstantsOnlyGiveNumSamplesIdenticalConfigs) {
  auto configs = SearchSpace::Parse(R"({"C": 0.5, "solver": "lbfgs"})").Expand(2, 1);
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(configs[0], configs[1]);
  EXPECT_EQ(configs[0]["C"].get<double>(), 0.5);
  EXPECT_EQ(configs[0]["solver"].get<std::string>(), "lbfgs");
  EXPECT_EQ(SearchSpace::Parse("").Expand(3, 0).size(), 3u);
}

TEST(SearchSpaceTest, EveryGridPointRunsNumSamplesTimes) {
  auto space = SearchSpace::Parse(
      R"({"a": {"grid_search": [1, 2, 3]}, "b": {"grid_search": ["x", "y"]}, "c": 7})");
  EXPECT_EQ(space.GridSize(), 6u);
  auto configs = space.Expand(2, 0);
  ASSERT_EQ(configs.size(), 12u);
  std::multiset<std::string> seen;
  for (const auto& c : configs) {
    EXPECT_EQ(c["c"].get<int>(), 7);
    seen.insert(c["a"].dump() + c["b"].dump());
  }
  for (int a = 1; a <= 3; ++a) {
    for (const char* b : {"\"x\"", "\"y\""}) EXPECT_EQ(seen.count(std::to_string(a) + b), 2u);
  }
  // Tune's order: the whole grid once, then again.
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(configs[i], configs[i + 6]);
}

TEST(SearchSpaceTest, SampledValuesStayInRangeAndFollowTheSeed) {
  const char* text = R"({"lr": {"loguniform": [1e-4, 1e-1]}, "frac": {"uniform": [0.2, 0.4]},
                         "depth": {"randint": [3, 6]}, "kind": {"choice": ["p", "q", "r"]}})";
  auto space = SearchSpace::Parse(text);
  auto configs = space.Expand(400, 9);
  std::set<std::int64_t> depths;
  std::set<std::string> kinds;
  int low_decade = 0;
  for (const auto& c : configs) {
    const double lr = c["lr"].get<double>();
    EXPECT_GE(lr, 1e-4);
    EXPECT_LT(lr, 1e-1);
    low_decade += lr < 1e-3 ? 1 : 0;
    EXPECT_GE(c["frac"].get<double>(), 0.2);
    EXPECT_LT(c["frac"].get<double>(), 0.4);
    ASSERT_TRUE(c["depth"].is_number_integer());
    depths.insert(c["depth"].get<std::int64_t>());
    kinds.insert(c["kind"].get<std::string>());
  }
  EXPECT_EQ(depths, (std::set<std::int64_t>{3, 4, 5}));  // hi is exclusive
  EXPECT_EQ(kinds.size(), 3u);
  // Log-uniform: a third of the draws in each decade (about 133 of 400).
  EXPECT_GT(low_decade, 90);
  EXPECT_LT(low_decade, 180);
  EXPECT_EQ(space.Expand(400, 9), configs);
  EXPECT_NE(space.Expand(400, 10), configs);
  EXPECT_NE(configs[0], configs[1]);  // each trial draws afresh
}

TEST(SearchSpaceTest, BadSpecsNameTheParameter) {
  auto message = [](const std::string& text) {
    try {
      SearchSpace::Parse(text);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(R"({"lr": {"loguniform": [0, 1]}})").find("'lr'"), std::string::npos);
  EXPECT_NE(message(R"({"x": {"uniform": [2, 1]}})").find("low < high"), std::string::npos);
  EXPECT_NE(message(R"({"d": {"randint": [1.5, 3]}})").find("integer"), std::string::npos);
  EXPECT_NE(message(R"({"g": {"grid_search": []}})").find("non-empty"), std::string::npos);
  EXPECT_NE(message(R"({"g": {"normal": [0, 1]}})").find("unknown spec"), std::string::npos);
  EXPECT_NE(message(R"([1, 2])").find("JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"a": )").find("not valid JSON"), std::string::npos);
  EXPECT_THROW(SearchSpace::Parse("{}").Expand(0, 0), Error);
}

TEST(SearchSpaceTest, ParamTextGivesWhatTheAlgorithmParserReads) {
  EXPECT_EQ(ParamText(nlohmann::json("lbfgs")), "lbfgs");
  EXPECT_EQ(ParamText(nlohmann::json(31)), "31");
  EXPECT_EQ(ParamText(nlohmann::json(0.1)), "0.1");
  EXPECT_EQ(ParamText(nlohmann::json(true)), "true");
}

}  // namespace
}  // namespace scaleml::tune

// Checked against the algorithm's schema before any data is loaded: every grid value, every
// constant and the bounds of every distribution (today a bad value failed every trial instead).
namespace scaleml::tune {
namespace {

void ExpectRefused(const char* text, const std::string& expected) {
  const ParamSchemaBase& schema = *FindAlgorithm("logreg").schema;
  try {
    SearchSpace::Parse(text).CheckParams("logreg", schema);
    FAIL() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(SearchSpaceSchemaTest, ValidSpacesPass) {
  const ParamSchemaBase& schema = *FindAlgorithm("logreg").schema;
  EXPECT_NO_THROW(SearchSpace::Parse(R"({"C": {"grid_search": [0.1, 1, 10]}, "max_iter": 50,
      "tol": {"uniform": [0.0, 0.1]}, "solver": {"choice": ["newton", "lbfgs"]},
      "fit_intercept": false})")
                      .CheckParams("logreg", schema));
  EXPECT_NO_THROW(SearchSpace::Parse(R"({"C": {"loguniform": [1e-3, 1e3]},
      "max_iter": {"randint": [1, 1000001]}})")
                      .CheckParams("logreg", schema));
  EXPECT_NO_THROW(SearchSpace::Parse(R"({"c": 2.0})").CheckParams("logreg", schema));  // alias
}

TEST(SearchSpaceSchemaTest, OutOfRangeAndUnknownAreRefusedNamingTheParameter) {
  ExpectRefused(R"({"C": -5})", "'C'");
  ExpectRefused(R"({"C": {"grid_search": [1, -5]}})", "out of range");
  ExpectRefused(R"({"C": {"choice": [1, "big"]}})", "'C'");
  ExpectRefused(R"({"bogus": 1})", "bogus");
  ExpectRefused(R"({"C": {"uniform": [-1, 1]}})", "uniform low");
  ExpectRefused(R"({"tol": {"uniform": [0.5, 2]}})", "uniform high");
  ExpectRefused(R"({"max_iter": {"randint": [1, 1000002]}})", "randint high - 1");
  ExpectRefused(R"({"max_iter": {"uniform": [1, 10]}})", "use randint");
  ExpectRefused(R"({"C": [1, 2]})", "is not a number");
  ExpectRefused(R"({"C": 1, "c": 2})", "same parameter");
}

TEST(SearchSpaceSchemaTest, AKeyGivenTwiceIsRefused) {
  try {
    SearchSpace::Parse(R"({"C": 1, "C": 2})");
    FAIL() << "accepted a duplicate key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'C' is given twice"), std::string::npos) << e.what();
  }
  // The same name in two different objects is fine.
  EXPECT_NO_THROW(SearchSpace::Parse(R"({"a": {"grid_search": [1]}, "b": {"grid_search": [2]}})"));
}

}  // namespace
}  // namespace scaleml::tune

namespace scaleml::tune {
namespace {

TEST(SearchSpaceSchemaTest, TooManyTrialsIsAnInputErrorNotAnOutOfMemory) {
  std::string text = "{";
  for (int i = 0; i < 12; ++i) {
    text += (i ? ", " : "") + std::string("\"p") + std::to_string(i) +
            "\": {\"grid_search\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}";
  }
  text += "}";
  EXPECT_THROW(SearchSpace::Parse(text).Expand(1, 0), Error);
  EXPECT_THROW(SearchSpace::Parse(R"({"a": {"grid_search": [1, 2]}})").Expand(600000, 0), Error);
}

}  // namespace
}  // namespace scaleml::tune
