// Model files of every algorithm (docs/model-format.md): a round trip keeps predictions, schema
// and feature names; a flipped byte anywhere, a cut, a foreign file or an old version is an input
// error (exit 2) naming the file, never a crash or different predictions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Hash.h"
#include "data/DatasetMeta.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

using testing::MakeBlobs;

// Small, quick models of each algorithm.
ParamMap SmallParams(const std::string& algo) {
  if (algo == "gbdt") return {{"n_estimators", "5"}, {"num_leaves", "7"}};
  if (algo == "xgboost") return {{"n_estimators", "5"}, {"max_depth", "3"}};
  if (algo == "rf") return {{"n_estimators", "4"}, {"max_depth", "5"}};
  return {};
}

// Three classes with names, a schema naming the classes: what a table with a string target gives.
Dataset NamedClassData() {
  Dataset data = MakeBlobs(300, 4, 3, 3.0, 77);
  Schema schema = NumericSchema(4);
  schema.classes = {"drizzle", "rain", "sun"};
  for (int f = 0; f < 4; ++f) schema.columns.push_back({"feature_" + std::to_string(f)});
  schema.columns.push_back({"weather", ColumnType::kCategorical, true});
  data.set_schema(schema);
  return data;
}

class ModelFileTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("scaleml_model_file_" + std::to_string(::getpid()) + "_" + GetParam());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "model.bin").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    WriteFileAtomically(path, bytes);
    return path;
  }

  std::filesystem::path dir_;
  std::string path_;
};

// The error a load gives; a test failure when it loads.
Error LoadError(const std::string& path) {
  try {
    LoadClassifier(path);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << path << " loaded";
  return Failure("none");
}

void ExpectInputError(const std::string& path, const std::string& fragment,
                      const std::string& context) {
  Error e = LoadError(path);
  EXPECT_EQ(e.kind(), Error::Kind::kInput) << context << ": " << e.what();
  EXPECT_EQ(e.ExitCode(), 2) << context;
  const std::string message = e.what();
  EXPECT_NE(message.find(path), std::string::npos) << context << ": " << message;
  EXPECT_NE(message.find(fragment), std::string::npos) << context << ": " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << context << ": " << message;
}

TEST_P(ModelFileTest, RoundTripKeepsPredictionsSchemaAndFeatureNames) {
  Dataset data = NamedClassData();
  auto model = MakeClassifier(GetParam(), SmallParams(GetParam()));
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path_);
  auto loaded = LoadClassifier(path_);
  EXPECT_EQ(loaded->name(), model->name());
  EXPECT_EQ(loaded->params(), model->params());
  EXPECT_EQ(loaded->classes(), model->classes());
  EXPECT_EQ(loaded->feature_names(), data.feature_names());
  EXPECT_EQ(loaded->schema().classes, data.schema().classes);
  ASSERT_EQ(loaded->schema().columns.size(), 5u);
  EXPECT_EQ(loaded->schema().columns[4].name, "weather");
  EXPECT_TRUE(loaded->schema().columns[4].is_target);
  EXPECT_EQ(loaded->schema().features.size(), 4u);
  EXPECT_EQ(loaded->schema().ClassName(2), "sun");
  EXPECT_EQ(loaded->PredictProba(data, comm), model->PredictProba(data, comm));
}

TEST_P(ModelFileTest, EveryFlippedByteIsAnInputError) {
  Dataset data = NamedClassData();
  auto model = MakeClassifier(GetParam(), SmallParams(GetParam()));
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path_);
  const std::string good = ReadWholeFile(path_);
  Rng rng(0xf11b + good.size());
  for (int trial = 0; trial < 30; ++trial) {
    std::string bytes = good;
    // The first trials hit the header, the checksum and the algorithm's payload for sure.
    const std::size_t at = trial == 0   ? 0
                           : trial == 1 ? 25
                           : trial == 2 ? bytes.size() - 1
                           : trial == 3 ? bytes.size() - 20
                                        : rng.Below(bytes.size());
    bytes[at] = static_cast<char>(bytes[at] ^ (1 + rng.Below(255)));
    const std::string path = Write("flipped.bin", bytes);
    Error e = LoadError(path);
    EXPECT_EQ(e.kind(), Error::Kind::kInput) << "byte " << at << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST_P(ModelFileTest, TruncatedFilesAreInputErrors) {
  Dataset data = NamedClassData();
  auto model = MakeClassifier(GetParam(), SmallParams(GetParam()));
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path_);
  const std::string good = ReadWholeFile(path_);
  for (std::size_t keep :
       {std::size_t{30}, std::size_t{40}, good.size() / 2, good.size() - 8, good.size() - 1}) {
    const std::string path = Write("cut.bin", good.substr(0, keep));
    ExpectInputError(path, "truncated", "keep " + std::to_string(keep));
  }
  for (std::size_t keep : {std::size_t{0}, std::size_t{10}}) {
    ExpectInputError(Write("cut.bin", good.substr(0, keep)), "not a scaleml model file",
                     "keep " + std::to_string(keep));
  }
  ExpectInputError(Write("long.bin", good + "x"), "after its end", "an extra byte");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ModelFileTest,
                         ::testing::Values("gbdt", "xgboost", "logreg", "rf", "knn"));

TEST(ModelFile, WrongMagicAndOldVersionAreClearErrors) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("scaleml_model_magic_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "model.bin").string();
  Dataset data = MakeBlobs(200, 3, 2, 3.0, 5);
  auto model = MakeClassifier("logreg", {});
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path);
  std::string bytes = ReadWholeFile(path);

  std::string magic = bytes;
  magic[8] = 'X';  // "XCALEML-MODEL"
  WriteFileAtomically(path, magic);
  ExpectInputError(path, "not a scaleml model file", "wrong magic");

  // What scaleml wrote before: the magic, version 1, the name, ... and no checksum.
  BinaryWriter old;
  old.PutString("SCALEML-MODEL");
  old.Put<std::uint32_t>(1);
  old.PutString("logreg");
  old.Put<std::uint64_t>(0);
  WriteFileAtomically(path, old.bytes());
  ExpectInputError(path, "version 1 was written by an older scaleml", "version 1");

  std::string newer = bytes;
  newer[8 + 13] = 9;  // version 9
  WriteFileAtomically(path, newer);
  ExpectInputError(path, "newer than this scaleml reads", "version 9");
  std::filesystem::remove_all(dir);
}

// A version 2 file (the schema without its own format version) still loads and predicts the same:
// made here from a version 3 file by dropping the schema's u32 and redoing size and checksum.
TEST(ModelFile, VersionTwoFilesStillLoad) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("scaleml_model_v2_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "model.bin").string();
  Dataset data = NamedClassData();
  auto model = MakeClassifier("gbdt", SmallParams("gbdt"));
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path);
  const std::string v3 = ReadWholeFile(path);
  BinaryReader in(v3, path);
  in.GetString();
  ASSERT_EQ(in.Get<std::uint32_t>(), 3u);
  in.Get<std::uint64_t>();
  in.GetString();
  const auto params = in.Get<std::uint64_t>();
  for (std::uint64_t i = 0; i < 2 * params; ++i) in.GetString();
  in.GetVector<std::int32_t>();
  const std::size_t schema_at = in.offset();
  std::string v2 = v3.substr(0, schema_at) + v3.substr(schema_at + 4, v3.size() - schema_at - 12);
  v2[8 + 13] = 2;
  const std::uint64_t size = v2.size() + 8;
  std::memcpy(v2.data() + 8 + 13 + 4, &size, 8);
  const std::uint64_t checksum = ChecksumOf(v2.data(), v2.size());
  v2.append(reinterpret_cast<const char*>(&checksum), 8);
  WriteFileAtomically(path, v2);
  auto loaded = LoadClassifier(path);
  EXPECT_EQ(loaded->schema().classes, data.schema().classes);
  EXPECT_EQ(loaded->feature_names(), data.feature_names());
  EXPECT_EQ(loaded->PredictProba(data, comm), model->PredictProba(data, comm));
  std::filesystem::remove_all(dir);
}

TEST(ModelFile, DamagedBodyNamesTheChecksum) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("scaleml_model_sum_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "model.bin").string();
  Dataset data = MakeBlobs(200, 3, 2, 3.0, 6);
  auto model = MakeClassifier("knn", {});
  LocalComm comm;
  FitModel(*model, data, comm);
  SaveClassifier(*model, path);
  std::string bytes = ReadWholeFile(path);
  bytes[bytes.size() / 2] ^= 0x10;  // a training row's coordinate: a plausible value
  WriteFileAtomically(path, bytes);
  ExpectInputError(path,
                   "checksum mismatch: the file is damaged or was changed; retrain or restore it",
                   "flipped body byte");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scaleml

namespace scaleml {
namespace {

// A checkpoint continued to more rounds: the file's parameters with the round count replaced
// (by its name or an alias), the rounds kept.
TEST(ModelFile, LoadWithOverriddenParametersKeepsTheModel) {
  const Dataset data = MakeBlobs(400, 4, 2, 1.0, 5);
  const std::string path = ::testing::TempDir() + "checkpoint.model";
  for (const std::string algo : {"gbdt", "xgboost"}) {
    auto model = MakeClassifier(algo, {{"n_estimators", "4"}});
    LocalComm comm;
    FitModel(*model, data, comm);
    SaveClassifier(*model, path);
    for (const std::string key :
         {"n_estimators", algo == "gbdt" ? "num_iterations" : "n_estimators"}) {
      auto loaded = LoadClassifier(path, {{key, "9"}});
      EXPECT_EQ(loaded->params().at(algo == "gbdt" ? "num_iterations" : "n_estimators"), "9");
      EXPECT_EQ(loaded->PredictProba(data, comm), model->PredictProba(data, comm)) << algo;
      loaded->set_warm_start(true);
      FitModel(*loaded, data, comm);
      EXPECT_NE(loaded->PredictProba(data, comm), model->PredictProba(data, comm)) << algo;
    }
    EXPECT_THROW(LoadClassifier(path, {{"no_such_parameter", "1"}}), Error) << algo;
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace scaleml
