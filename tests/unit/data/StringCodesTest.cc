#include "data/StringCodes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace scaleml {
namespace {

// Checked against the node-based map it replaces, over strings of every length that matters
// (empty, short enough for the small-string buffer, long), with many repeats.
TEST(StringCodesTest, AgreesWithUnorderedMap) {
  std::mt19937_64 rng(3);
  StringCodes codes;
  std::unordered_map<std::string, std::int32_t> reference;
  for (int i = 0; i < 200000; ++i) {
    const std::size_t length = rng() % 40;
    std::string key(length, 'a');
    for (char& c : key) c = static_cast<char>('a' + rng() % 3);  // few letters: many repeats
    const auto [it, inserted] = reference.emplace(key, static_cast<std::int32_t>(reference.size()));
    ASSERT_EQ(codes.FindOrInsert(key), it->second) << key;
    ASSERT_EQ(codes.Find(key), it->second);
  }
  ASSERT_EQ(codes.size(), reference.size());
  for (const auto& [key, code] : reference) {
    ASSERT_EQ(codes.values()[static_cast<std::size_t>(code)], key);
    ASSERT_EQ(codes.Find(key), code);
  }
  EXPECT_EQ(codes.Find("not there, longer than any key inserted above"), -1);
}

TEST(StringCodesTest, EmptyTableAndFixedValues) {
  const StringCodes empty;
  EXPECT_EQ(empty.Find(""), -1);
  EXPECT_EQ(empty.Find("x"), -1);
  const StringCodes fixed({"b", "", "a"});
  EXPECT_EQ(fixed.Find("b"), 0);
  EXPECT_EQ(fixed.Find(""), 1);
  EXPECT_EQ(fixed.Find("a"), 2);
  EXPECT_EQ(fixed.Find("c"), -1);
  EXPECT_EQ(fixed.size(), 3u);
}

}  // namespace
}  // namespace scaleml
