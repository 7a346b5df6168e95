// Category dictionaries across partitions: each rank of a partitioned read codes categories and
// class names with the values it saw; merging every rank's dictionaries (union, sorted as
// Schema.h says) and remapping each rank's codes gives exactly the single process's codes.
// The merge also makes the whole-file decisions the reader cannot make from one part: an
// inferred categorical column whose values are all distinct (an id or a name) or all missing is
// ignored. A single-process read goes through the same functions with one part.
// Thread-safety: pure functions; RemapToMergedDictionaries mutates only its dataset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "data/Schema.h"

namespace scaleml {

// What one part tells the others.
struct LocalDictionaries {
  std::vector<std::vector<std::string>> categories;  // per feature; empty for numeric ones
  std::vector<std::int64_t> present;                 // per feature: values that are not missing
  std::vector<std::string> classes;                  // the schema's class names
};

LocalDictionaries DictionariesOf(const Dataset& data);

std::vector<std::byte> SerializeDictionaries(const LocalDictionaries& dictionaries);
// Input error when the bytes are not a serialized LocalDictionaries.
LocalDictionaries DeserializeDictionaries(std::span<const std::byte> bytes);

// The merged schema: `local`'s columns and features with every part's categories and classes
// united and sorted; inferred categorical columns (not named in `declared_categorical`) that
// are all missing or all distinct over every part become ignored, one line each in `notices`.
// Every part must have the same columns and features (they inferred from the same sample).
Schema MergeDictionaries(const Schema& local, const std::vector<LocalDictionaries>& parts,
                         const std::vector<std::string>& declared_categorical,
                         std::vector<std::string>* notices = nullptr);

// Rewrites `data`'s category codes and labels from its own dictionaries to `merged`'s and drops
// the features of columns `merged` ignores. Failure when a local value is absent from `merged`.
void RemapToMergedDictionaries(Dataset& data, const Schema& merged);

// Number of features a source column makes (0 for the target and ignored columns).
std::size_t FeatureCountOf(const SourceColumn& column);

// The LabelEncoder order of class names: all numbers -> numerically, else byte order.
void SortClassNames(std::vector<std::string>& names);

}  // namespace scaleml
