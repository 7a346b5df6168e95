#include "algo/xgboost/XgboostParams.h"

#include <gtest/gtest.h>

#include <map>

#include "algo/AlgorithmFactories.h"
#include "core/Error.h"

namespace scaleml {
namespace {

std::string ParseError(const ParamMap& values) {
  try {
    XgboostSchema().Parse(values);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(XgboostParams, DefaultsAreXGBClassifiers) {
  XgboostParams p = XgboostSchema().Parse({});
  EXPECT_EQ(p.n_estimators, 100);
  EXPECT_EQ(p.max_depth, 6);
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.3);
  EXPECT_EQ(p.tree_method, XgboostTreeMethod::kHist);
  EXPECT_EQ(p.max_bin, 256);
  EXPECT_EQ(p.grow_policy, "depthwise");
  EXPECT_EQ(p.max_leaves, 0);
  EXPECT_DOUBLE_EQ(p.min_child_weight, 1.0);
  EXPECT_DOUBLE_EQ(p.subsample, 1.0);
  EXPECT_DOUBLE_EQ(p.colsample_bytree, 1.0);
  EXPECT_DOUBLE_EQ(p.reg_lambda, 1.0);
  EXPECT_DOUBLE_EQ(p.reg_alpha, 0.0);
  EXPECT_DOUBLE_EQ(p.gamma, 0.0);
  EXPECT_EQ(p.objective, XgboostObjectiveChoice::kAuto);
}

TEST(XgboostParams, AliasesSetTheSameFields) {
  XgboostParams p = XgboostSchema().Parse(
      {{"eta", "0.1"}, {"lambda", "2"}, {"alpha", "0.5"}, {"n_jobs", "3"}, {"random_state", "9"}});
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.1);
  EXPECT_DOUBLE_EQ(p.reg_lambda, 2.0);
  EXPECT_DOUBLE_EQ(p.reg_alpha, 0.5);
  EXPECT_EQ(p.nthread, 3);
  EXPECT_EQ(p.seed, 9);
  ParamMap text = XgboostSchema().ToMap(p);
  EXPECT_EQ(text.at("learning_rate"), "0.1");
  EXPECT_EQ(text.count("eta"), 0u);
}

TEST(XgboostParams, UnknownNameListsTheValidOnes) {
  std::string message = ParseError({{"num_leaves", "31"}});
  EXPECT_NE(message.find("num_leaves"), std::string::npos) << message;
  for (const char* name : {"n_estimators", "max_depth", "learning_rate", "tree_method",
                           "reg_lambda", "colsample_bytree"}) {
    EXPECT_NE(message.find(name), std::string::npos) << name << " missing from: " << message;
  }
}

TEST(XgboostParams, OutOfRangeAndBadChoicesAreErrors) {
  EXPECT_NE(ParseError({{"n_estimators", "0"}}).find("n_estimators"), std::string::npos);
  EXPECT_NE(ParseError({{"learning_rate", "1.5"}}).find("learning_rate"), std::string::npos);
  EXPECT_NE(ParseError({{"subsample", "0"}}).find("subsample"), std::string::npos);
  EXPECT_NE(ParseError({{"max_depth", "six"}}).find("not an integer"), std::string::npos);
  std::string message = ParseError({{"tree_method", "gpu_hist"}});
  EXPECT_NE(message.find("hist|approx|exact"), std::string::npos) << message;
}

TEST(XgboostParams, BoosterParamsSpellLibxgboostsNames) {
  XgboostParams p = XgboostSchema().Parse({{"reg_lambda", "3"}, {"learning_rate", "0.2"}});
  std::map<std::string, std::string> binary;
  for (const auto& [k, v] : XgboostBoosterParams(p, 2, 4)) binary[k] = v;
  EXPECT_EQ(binary.at("objective"), "binary:logistic");
  EXPECT_EQ(binary.count("num_class"), 0u);
  EXPECT_EQ(binary.at("lambda"), "3");
  EXPECT_EQ(binary.at("eta"), "0.2");
  EXPECT_EQ(binary.at("nthread"), "4");
  std::map<std::string, std::string> multi;
  for (const auto& [k, v] : XgboostBoosterParams(p, 5, 1)) multi[k] = v;
  EXPECT_EQ(multi.at("objective"), "multi:softprob");
  EXPECT_EQ(multi.at("num_class"), "5");
}

TEST(XgboostParams, BinaryObjectiveNeedsTwoClasses) {
  XgboostParams p = XgboostSchema().Parse({{"objective", "binary:logistic"}});
  EXPECT_THROW(XgboostObjective(p, 3), Error);
  EXPECT_EQ(XgboostObjective(p, 2), "binary:logistic");
}

TEST(XgboostParams, FactoryValidatesAtEntry) {
  EXPECT_THROW(MakeXgboostClassifier({{"max_bin", "1"}}), Error);
  auto model = MakeXgboostClassifier({{"max_bin", "64"}});
  EXPECT_EQ(model->params().at("max_bin"), "64");
  EXPECT_EQ(model->name(), "xgboost");
}

}  // namespace
}  // namespace scaleml
