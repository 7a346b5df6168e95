#include "engine/ddp/RankEnvironment.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "core/Error.h"

namespace scaleml {
namespace {

// Sets the torchrun variables for one test and clears them afterwards.
class RankEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override { Set(Complete()); }
  void TearDown() override {
    for (const auto& [key, value] : Complete()) unsetenv(key.c_str());
    unsetenv("SCALEML_COMM_TIMEOUT_S");
    unsetenv("TORCHELASTIC_USE_AGENT_STORE");
    unsetenv("TORCHELASTIC_RESTART_COUNT");
  }
  static std::map<std::string, std::string> Complete() {
    return {{"RANK", "4"},           {"WORLD_SIZE", "6"},
            {"LOCAL_RANK", "1"},     {"LOCAL_WORLD_SIZE", "3"},
            {"GROUP_RANK", "1"},     {"MASTER_ADDR", "10.77.0.1"},
            {"MASTER_PORT", "29500"}};
  }
  static void Set(const std::map<std::string, std::string>& vars) {
    for (const auto& [key, value] : vars) setenv(key.c_str(), value.c_str(), 1);
  }
  static std::string ErrorOf() {
    try {
      RankEnvironment::FromEnvironment();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::kInput);
      return e.what();
    }
    return "";
  }
};

TEST_F(RankEnvironmentTest, ReadsEveryVariable) {
  RankEnvironment env = RankEnvironment::FromEnvironment();
  EXPECT_EQ(env.rank, 4);
  EXPECT_EQ(env.world_size, 6);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 3);
  EXPECT_EQ(env.group_rank, 1);
  EXPECT_EQ(env.master_addr, "10.77.0.1");
  EXPECT_EQ(env.master_port, 29500);
  EXPECT_EQ(env.comm_timeout_s, kDefaultCommTimeoutSeconds);
  EXPECT_FALSE(env.agent_store);
  EXPECT_EQ(env.attempt, 0);
}

TEST_F(RankEnvironmentTest, TimeoutAndTorchrunsAgentStore) {
  Set({{"SCALEML_COMM_TIMEOUT_S", "2.5"},
       {"TORCHELASTIC_USE_AGENT_STORE", "True"},
       {"TORCHELASTIC_RESTART_COUNT", "3"}});
  RankEnvironment env = RankEnvironment::FromEnvironment();
  EXPECT_EQ(env.comm_timeout_s, 2.5);
  EXPECT_TRUE(env.agent_store);
  EXPECT_EQ(env.attempt, 3);
}

TEST_F(RankEnvironmentTest, MissingVariableSaysHowToRun) {
  unsetenv("MASTER_PORT");
  EXPECT_EQ(ErrorOf(),
            "ddp engine: environment variable MASTER_PORT is not set (run under scaleml launch or "
            "torchrun)");
}

TEST_F(RankEnvironmentTest, BadValuesAreNamed) {
  Set({{"RANK", "6"}});
  EXPECT_NE(ErrorOf().find("RANK='6' is not an integer in [0, 5]"), std::string::npos);
  Set({{"RANK", "1"}, {"WORLD_SIZE", "two"}});
  EXPECT_NE(ErrorOf().find("WORLD_SIZE='two'"), std::string::npos);
  Set({{"WORLD_SIZE", "6"}, {"SCALEML_COMM_TIMEOUT_S", "-1"}});
  EXPECT_NE(ErrorOf().find("SCALEML_COMM_TIMEOUT_S='-1'"), std::string::npos);
  Set({{"SCALEML_COMM_TIMEOUT_S", "1"}, {"TORCHELASTIC_RESTART_COUNT", "-1"}});
  EXPECT_NE(ErrorOf().find("TORCHELASTIC_RESTART_COUNT='-1'"), std::string::npos);
}

}  // namespace
}  // namespace scaleml
