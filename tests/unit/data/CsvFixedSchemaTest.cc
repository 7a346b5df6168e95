// Encoding a new file with a model's schema (predict): columns by name in any order, extra
// columns ignored, the model's dictionaries, unseen categories missing, the target optional.
#include <gtest/gtest.h>

#include <cmath>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "unit/data/CsvTestFiles.h"

namespace scaleml {
namespace {

using testing::TempDir;
using testing::WriteFile;

CsvOptions NoCache() {
  CsvOptions options;
  options.use_cache = false;
  return options;
}

TEST(CsvFixedSchemaTest, EncodesANewFileWithTheTrainingSchema) {
  TempDir dir;
  const std::string train = dir.File("train.csv");
  WriteFile(train,
            "x,colour,flag,day,label\n1,red,yes,2024-01-01,b\n2,blue,no,2024-01-02,a\n"
            "3,red,no,2024-01-03,b\n");
  CsvOptions options = NoCache();
  options.target = "label";
  const Dataset trained = ReadCsv(train, options);
  const Schema schema = trained.schema();
  ASSERT_EQ(schema.classes, (std::vector<std::string>{"a", "b"}));

  const std::string fresh = dir.File("new.csv");
  // Columns reordered, an extra column, an unseen colour, no label column.
  WriteFile(fresh, "day,extra,colour,x,flag\n2024-01-05,zz,green,7,yes\n2024-01-06,zz,blue,8,no\n");
  CsvOptions predict = NoCache();
  predict.target = "label";
  predict.require_target = false;
  predict.fixed_schema = &schema;
  const Dataset encoded = ReadCsv(fresh, predict);
  ASSERT_EQ(encoded.feature_names(), trained.feature_names());
  ASSERT_EQ(encoded.rows(), 2u);
  EXPECT_EQ(encoded.at(0, 0), 7.0f);
  EXPECT_TRUE(std::isnan(encoded.at(0, 1)));  // green: never seen in training
  EXPECT_EQ(encoded.at(1, 1), 0.0f);          // blue: code 0 of {blue, red}
  EXPECT_EQ(encoded.at(0, 2), 1.0f);
  EXPECT_EQ(encoded.at(1, 2), 0.0f);
  EXPECT_EQ(encoded.schema().features[1].categories, schema.features[1].categories);
  EXPECT_EQ(encoded.schema().classes, schema.classes);

  // With the label column, labels use the model's class order.
  WriteFile(fresh, "colour,x,flag,day,label\nred,1,yes,2024-01-01,a\n");
  const Dataset labelled = ReadCsv(fresh, predict);
  EXPECT_EQ(labelled.labels()[0], 0);

  // A column the model needs is missing: named.
  WriteFile(fresh, "x,flag,day\n1,yes,2024-01-01\n");
  try {
    ReadCsv(fresh, predict);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              fresh +
                  ":1: no column 'colour', which the model was trained with; the columns "
                  "are: x, flag, day");
  }
}

}  // namespace
}  // namespace scaleml
