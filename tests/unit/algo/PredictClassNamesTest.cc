// `scaleml predict` with a model whose schema names the classes: the prediction column holds the
// names and --proba writes one column proba_NAME per class (CSV-quoted where a name needs it).
// The model is made here, as the reader will make it from a table with a string target.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "data/CsvWriter.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(PredictClassNamesTest, PredictionsAndProbaColumnsCarryClassNames) {
  if (!std::filesystem::exists(SCALEML_BINARY)) GTEST_SKIP() << "no " << SCALEML_BINARY;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("scaleml_predict_names_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Dataset data = testing::MakeBlobs(200, 3, 3, 4.0, 31);
  Schema schema = NumericSchema(3);
  schema.classes = {"drizzle", "rain, heavy", "sun"};
  data.set_schema(schema);
  auto model = MakeClassifier("logreg", {});
  LocalComm comm;
  FitModel(*model, data, comm);
  const std::string model_path = (dir / "model.bin").string();
  SaveClassifier(*model, model_path);
  const std::string csv_path = (dir / "rows.csv").string();
  WriteCsv(data, csv_path);
  const std::string out_path = (dir / "pred.csv").string();
  const std::string command = std::string(SCALEML_BINARY) + " predict --model " + model_path +
                              " --data " + csv_path + " --out " + out_path + " --proba 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  const std::vector<std::string> lines = Lines(out_path);
  ASSERT_EQ(lines.size(), 201u);
  EXPECT_EQ(lines[0], "prediction,proba_drizzle,\"proba_rain, heavy\",proba_sun");
  const std::vector<std::int32_t> labels = model->Predict(data, comm);
  const std::string names[] = {"drizzle", "\"rain, heavy\"", "sun"};
  for (std::size_t r = 0; r < 200; ++r) {
    EXPECT_EQ(lines[r + 1].rfind(names[labels[r]] + ",", 0), 0u) << lines[r + 1];
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scaleml
