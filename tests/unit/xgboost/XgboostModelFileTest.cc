// The xgboost payload of a model file: round trip, truncation, foreign payloads, corrupt bytes.
#include <gtest/gtest.h>

#include "algo/xgboost/XgboostClassifier.h"
#include "unit/testing/SyntheticData.h"
#include "unit/xgboost/XgboostTestUtil.h"

namespace scaleml {
namespace {

using testing::FitXgboost;
using testing::MakeBlobs;

// What the registry does on load: a fresh classifier with the saved parameters and classes.
std::unique_ptr<Classifier> LoadPayload(const Classifier& saved, std::string_view bytes) {
  auto model = MakeXgboostClassifier(saved.params());
  model->set_classes(saved.classes());
  BinaryReader in(bytes, "model.bin");
  model->LoadModel(in);
  EXPECT_TRUE(in.AtEnd());
  return model;
}

Error LoadError(const Classifier& saved, std::string_view bytes) {
  try {
    LoadPayload(saved, bytes);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "loading did not fail";
  return Failure("none");
}

TEST(XgboostModelFile, RoundTripGivesIdenticalPredictions) {
  for (int classes : {2, 3}) {
    Dataset data = MakeBlobs(1200, 5, classes, 2.0, 30 + classes);
    auto model = FitXgboost(data, {{"n_estimators", "15"}, {"max_depth", "4"}});
    BinaryWriter out;
    model->SaveModel(out);
    auto loaded = LoadPayload(*model, out.bytes());
    LocalComm comm;
    EXPECT_EQ(loaded->PredictProba(data, comm), model->PredictProba(data, comm));
    EXPECT_EQ(loaded->Predict(data, comm), model->Predict(data, comm));
    EXPECT_EQ(loaded->params(), model->params());
    EXPECT_EQ(static_cast<XgboostClassifier&>(*loaded).rounds(), 15);
  }
}

TEST(XgboostModelFile, TruncatedPayloadIsAClearError) {
  auto model = FitXgboost(MakeBlobs(500, 4, 2, 2.0, 33), {{"n_estimators", "5"}});
  BinaryWriter out;
  model->SaveModel(out);
  const std::string& bytes = out.bytes();
  for (std::size_t keep : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    Error e = LoadError(*model, std::string_view(bytes).substr(0, keep));
    EXPECT_EQ(e.kind(), Error::Kind::kInput) << keep;
    EXPECT_NE(std::string(e.what()).find("model.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(XgboostModelFile, PayloadOfAnotherKindIsAClearError) {
  auto model = FitXgboost(MakeBlobs(300, 3, 2, 2.0, 34), {{"n_estimators", "2"}});
  // What another algorithm might write: its own tag and numbers.
  BinaryWriter other;
  other.PutString("scaleml-gbdt");
  other.Put<std::uint32_t>(1);
  other.PutVector(std::vector<float>(40, 0.5f));
  Error e = LoadError(*model, other.bytes());
  EXPECT_EQ(e.kind(), Error::Kind::kInput);
  EXPECT_NE(std::string(e.what()).find("not an xgboost model"), std::string::npos) << e.what();

  // A bare XGBoost model file (what XGBClassifier.save_model writes) is not our payload either.
  BinaryWriter ours;
  model->SaveModel(ours);
  BinaryReader reader(ours.bytes(), "memory");
  reader.GetString();
  reader.Get<std::uint32_t>();
  reader.Get<std::uint64_t>();
  reader.Get<std::uint64_t>();
  std::string ubj = reader.GetString();
  EXPECT_EQ(LoadError(*model, ubj).kind(), Error::Kind::kInput);
}

TEST(XgboostModelFile, DamagedBoosterBytesFailTheChecksum) {
  auto model = FitXgboost(MakeBlobs(300, 3, 2, 2.0, 35), {{"n_estimators", "2"}});
  BinaryWriter out;
  model->SaveModel(out);
  for (std::size_t at : {out.bytes().size() - 1, out.bytes().size() - 100}) {
    std::string bytes = out.bytes();
    bytes[at] ^= 0x5a;
    Error e = LoadError(*model, bytes);
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
}

TEST(XgboostModelFile, BoosterBytesLibxgboostRejectsAreAnInputError) {
  auto model = FitXgboost(MakeBlobs(300, 3, 2, 2.0, 36), {{"n_estimators", "2"}});
  // A sound envelope and checksum around bytes that are not an XGBoost model.
  for (std::string_view booster :
       {"{\"learner\": 42}", "{\"learner\": {\"gradient_booster\"", "{}"}) {
    BinaryWriter out;
    out.PutString("scaleml-xgboost");
    out.Put<std::uint32_t>(1);
    out.Put<std::uint64_t>(3);
    out.Put<std::uint64_t>(XgboostClassifier::BoosterChecksum(booster));
    out.PutString(booster);
    Error e = LoadError(*model, out.bytes());
    EXPECT_EQ(e.kind(), Error::Kind::kInput) << booster;
    EXPECT_NE(std::string(e.what()).find("model.bin"), std::string::npos) << e.what();
  }
}

TEST(XgboostModelFile, SavingAnUntrainedModelFails) {
  auto model = MakeXgboostClassifier({});
  BinaryWriter out;
  EXPECT_THROW(model->SaveModel(out), Error);
}

}  // namespace
}  // namespace scaleml
