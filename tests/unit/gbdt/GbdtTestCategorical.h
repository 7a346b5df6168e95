// Tables with categorical features and missing values for the gbdt tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "data/Schema.h"

namespace scaleml::testing {

// Sorted category names c00000, c00001, ... (codes are their indices).
inline std::vector<std::string> CategoryNames(std::size_t count) {
  std::vector<std::string> names;
  char name[32];  // room for any size_t
  for (std::size_t c = 0; c < count; ++c) {
    std::snprintf(name, sizeof(name), "c%06zu", c);
    names.emplace_back(name);
  }
  return names;
}

// A table of `rows` rows: feature 0 categorical with `categories` codes (drawn by `code_of`),
// feature 1 numeric noise in [0, 1); label_of(code, noise) gives the label.
template <class CodeOf, class LabelOf>
Dataset MakeCategoricalData(std::size_t rows, std::size_t categories, std::uint32_t seed,
                            CodeOf code_of, LabelOf label_of) {
  Dataset data({"category", "noise"}, rows);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (std::size_t r = 0; r < rows; ++r) {
    const float code = code_of(r, rng);
    const float noise = unit(rng);
    data.mutable_column(0)[r] = code;
    data.mutable_column(1)[r] = noise;
    data.mutable_labels()[r] = label_of(code, noise);
  }
  Schema schema = NumericSchema(2);
  schema.features[0].kind = FeatureKind::kCategorical;
  schema.features[0].categories = CategoryNames(categories);
  data.set_schema(schema);
  return data;
}

}  // namespace scaleml::testing
