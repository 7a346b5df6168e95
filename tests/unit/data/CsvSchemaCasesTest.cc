// Data-driven schema cases: every tests/data/schema/NAME.json describes the read of NAME.csv
// (or NAME.csv.gz, NAME.csv.zst) with the given "options": either the "error" it fails with
// ({FILE} stands for the path) or what the Dataset holds: the column types, feature names,
// categories, classes, rows, skipped rows, values (null = missing) and labels. Every case runs
// with 1 and 3 parser threads.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/Schema.h"

namespace scaleml {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* TypeName(const SourceColumn& column) {
  if (column.is_target) return "target";
  switch (column.type) {
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kCategorical:
      return "categorical";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kDatetime:
      return "datetime";
    case ColumnType::kIgnored:
      return "ignored";
  }
  return "?";
}

CsvOptions OptionsOf(const json& spec, int threads) {
  CsvOptions options;
  options.use_cache = false;
  options.threads = threads;
  const json o = spec.value("options", json::object());
  if (o.contains("target")) options.target = o["target"];
  if (o.contains("categorical")) options.categorical = o["categorical"];
  if (o.contains("numeric")) options.numeric = o["numeric"];
  if (o.contains("ignore")) options.ignore = o["ignore"];
  if (o.contains("na_values")) options.na_values = o["na_values"];
  if (o.contains("sample_rows")) options.sample_rows = o["sample_rows"];
  if (o.value("no_missing", false)) options.no_missing = true;
  if (o.contains("delimiter")) {
    const std::string d = o["delimiter"];
    options.delimiter = d == "tab" ? '\t' : d[0];
  }
  return options;
}

std::string InputFor(const fs::path& spec) {
  for (const char* ext : {".csv", ".csv.gz", ".csv.zst"}) {
    fs::path input = spec;
    input.replace_extension(ext);
    if (fs::exists(input)) return input.string();
  }
  return "";
}

void CheckDataset(const Dataset& data, const CsvLoadInfo& info, const json& spec) {
  const Schema& schema = data.schema();
  if (spec.contains("columns")) {
    json columns = json::array();
    for (const auto& c : schema.columns) columns.push_back({c.name, TypeName(c)});
    EXPECT_EQ(columns, spec["columns"]);
  }
  if (spec.contains("features")) {
    EXPECT_EQ(json(data.feature_names()), spec["features"]);
  }
  const auto feature = [&](const std::string& name) -> std::size_t {
    const auto& names = data.feature_names();
    const auto it = std::find(names.begin(), names.end(), name);
    EXPECT_NE(it, names.end()) << "no feature " << name;
    return static_cast<std::size_t>(it - names.begin());
  };
  if (spec.contains("categories")) {
    for (const auto& [name, categories] : spec["categories"].items()) {
      const std::size_t f = feature(name);
      if (f >= data.features()) continue;
      EXPECT_TRUE(schema.IsCategorical(f)) << name;
      EXPECT_EQ(json(schema.features[f].categories), categories) << name;
    }
  }
  if (spec.contains("classes")) {
    EXPECT_EQ(json(schema.classes), spec["classes"]);
  }
  if (spec.contains("rows")) {
    EXPECT_EQ(data.rows(), spec["rows"].get<std::size_t>());
  }
  EXPECT_EQ(info.skipped_missing_label, spec.value("skipped_missing_label", 0));
  if (spec.contains("labels")) {
    EXPECT_EQ(json(std::vector<std::int32_t>(data.labels().begin(), data.labels().end())),
              spec["labels"]);
  }
  if (spec.contains("row_ids")) {
    EXPECT_EQ(json(std::vector<std::int64_t>(data.row_ids().begin(), data.row_ids().end())),
              spec["row_ids"]);
  }
  if (spec.contains("values")) {
    for (const auto& [name, values] : spec["values"].items()) {
      const std::size_t f = feature(name);
      if (f >= data.features()) continue;
      ASSERT_EQ(values.size(), data.rows()) << name;
      for (std::size_t r = 0; r < data.rows(); ++r) {
        const float got = data.at(r, f);
        if (values[r].is_null()) {
          EXPECT_TRUE(std::isnan(got)) << name << " row " << r << ": " << got;
        } else {
          const double want = values[r].get<double>();
          EXPECT_NEAR(got, want, 1e-6 * std::abs(want) + 1e-6) << name << " row " << r;
        }
      }
    }
  }
}

TEST(CsvSchemaCasesTest, EveryCaseReadsAsItsJsonSays) {
  const fs::path folder = fs::path(SCALEML_TEST_DATA) / "schema";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".json") continue;
    const json spec = json::parse(std::ifstream(entry.path()));
    const std::string input = InputFor(entry.path());
    ASSERT_FALSE(input.empty()) << "no input file for " << entry.path();
    for (int threads : {1, 3}) {
      SCOPED_TRACE(input + " with " + std::to_string(threads) + " threads");
      const CsvOptions options = OptionsOf(spec, threads);
      if (spec.contains("error")) {
        std::string expected = spec["error"];
        expected.replace(expected.find("{FILE}"), 6, input);
        try {
          ReadCsv(input, options);
          ADD_FAILURE() << "expected the error " << expected;
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), Error::Kind::kInput);
          EXPECT_EQ(std::string(e.what()), expected);
        }
        continue;
      }
      CsvLoadInfo info;
      const Dataset data = ReadCsv(input, options, &info);
      CheckDataset(data, info, spec);
    }
    ++cases;
  }
  EXPECT_GE(cases, 20);
}

}  // namespace
}  // namespace scaleml
