// The table of tests/data/categorical (bench/peers/make_categorical_fixture.py): numeric and
// categorical columns with missing values, the categories as codes into the dictionaries that
// mixed.expected.json lists, and scikit-learn's results on it.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "data/CsvReader.h"

namespace scaleml::testing {

inline nlohmann::json CategoricalExpected() {
  const std::string path = std::string(SCALEML_TEST_DATA) + "/categorical/mixed.expected.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

// "train" or "test", with the schema the reader gives such a table: numeric columns, categorical
// ones with their sorted dictionaries, raw integer labels.
inline Dataset ReadCategoricalTable(const std::string& part) {
  const nlohmann::json expected = CategoricalExpected();
  CsvOptions csv;
  csv.use_cache = false;
  csv.allow_missing = true;
  Dataset data =
      ReadCsv(std::string(SCALEML_TEST_DATA) + "/categorical/mixed." + part + ".csv", csv);
  Schema schema = NumericSchema(data.features());
  const auto categorical = expected["categorical"].get<std::vector<std::string>>();
  const auto dictionaries = expected["dictionaries"].get<std::vector<std::vector<std::string>>>();
  for (std::size_t f = 0; f < data.features(); ++f) {
    schema.columns.push_back({data.feature_names()[f]});
    for (std::size_t c = 0; c < categorical.size(); ++c) {
      if (categorical[c] != data.feature_names()[f]) continue;
      schema.columns.back().type = ColumnType::kCategorical;
      schema.features[f] = {FeatureKind::kCategorical, dictionaries[c]};
    }
  }
  schema.columns.push_back({"target", ColumnType::kNumeric, true});
  data.set_schema(std::move(schema));
  return data;
}

}  // namespace scaleml::testing
