// Dense codes for strings in the order they are first seen: the dictionary of a categorical
// column while a CSV piece is parsed, and the fixed dictionary of a model's schema.
// Contract: FindOrInsert(s) returns the code s got when first inserted (0, 1, 2, ...); Find(s)
// returns it or -1; values()[code] is the string. Equal to a std::unordered_map<std::string,
// int32_t> filled in the same order (tests/unit/data/StringCodesTest.cc checks it), but open
// addressing over a flat array of (hash tag, code) slots: a lookup of a short category touches
// one or two cache lines instead of walking a bucket chain, which made the node-based map half
// of the parse time of a table with 10,000 categories.
// Thread-safety: a plain value; concurrent Find on a const object is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scaleml {

class StringCodes {
 public:
  StringCodes() = default;
  // Codes 0..values.size()-1 in that order (values must be distinct).
  explicit StringCodes(const std::vector<std::string>& values);

  std::int32_t Find(std::string_view key) const;
  std::int32_t FindOrInsert(std::string_view key);
  const std::vector<std::string>& values() const { return values_; }
  std::size_t size() const { return values_.size(); }

 private:
  struct Slot {
    std::uint32_t tag = 0;   // high bits of the hash
    std::int32_t code = -1;  // -1: empty
  };
  static std::uint64_t Hash(std::string_view key);
  // The slot holding `key`, or the empty slot where it belongs.
  std::size_t Probe(std::string_view key, std::uint64_t hash) const;
  void Grow();

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  std::vector<std::string> values_;
};

}  // namespace scaleml
