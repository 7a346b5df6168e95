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

// The launchers' variables, set for one test and cleared afterwards.
class LauncherEnvironmentTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : kNames) unsetenv(name);
  }
  static void Set(const std::map<std::string, std::string>& vars) {
    for (const auto& [key, value] : vars) setenv(key.c_str(), value.c_str(), 1);
  }
  static constexpr const char* kNames[] = {"OMPI_COMM_WORLD_RANK",
                                           "OMPI_COMM_WORLD_SIZE",
                                           "OMPI_COMM_WORLD_LOCAL_RANK",
                                           "OMPI_COMM_WORLD_LOCAL_SIZE",
                                           "SLURM_PROCID",
                                           "SLURM_NTASKS",
                                           "SLURM_LOCALID",
                                           "SLURM_NODEID",
                                           "SLURM_STEP_NODELIST",
                                           "SLURM_JOB_NODELIST",
                                           "SLURM_JOB_ID",
                                           "SLURM_STEP_TASKS_PER_NODE",
                                           "MASTER_ADDR",
                                           "MASTER_PORT",
                                           "RANK",
                                           "WORLD_SIZE"};
};

TEST_F(LauncherEnvironmentTest, OpenMpiRanksWithTheMasterExported) {
  Set({{"OMPI_COMM_WORLD_RANK", "4"},
       {"OMPI_COMM_WORLD_SIZE", "6"},
       {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
       {"OMPI_COMM_WORLD_LOCAL_SIZE", "3"},
       {"MASTER_ADDR", "10.0.0.1"},
       {"MASTER_PORT", "29511"}});
  RankEnvironment env = RankEnvironment::FromEnvironment();
  EXPECT_EQ(env.launcher, RankLauncher::kOpenMpi);
  EXPECT_EQ(env.rank, 4);
  EXPECT_EQ(env.world_size, 6);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 3);
  EXPECT_EQ(env.group_rank, 1);
  EXPECT_EQ(env.master_addr, "10.0.0.1");
  EXPECT_EQ(env.master_port, 29511);
}

TEST_F(LauncherEnvironmentTest, OpenMpiTakesTheCommandLineMasterOrSaysHow) {
  Set({{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"}});
  try {
    RankEnvironment::FromEnvironment();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("-x MASTER_ADDR"), std::string::npos) << e.what();
  }
  RankEnvironment env = RankEnvironment::FromEnvironment({"127.0.0.1", 29600});
  EXPECT_EQ(env.master_addr, "127.0.0.1");
  EXPECT_EQ(env.master_port, 29600);
}

TEST_F(LauncherEnvironmentTest, SlurmStepWithTheFirstNodeAsMaster) {
  Set({{"SLURM_PROCID", "2"},
       {"SLURM_NTASKS", "3"},
       {"SLURM_LOCALID", "0"},
       {"SLURM_NODEID", "2"},
       {"SLURM_STEP_NODELIST", "node[07-09]"},
       {"SLURM_STEP_TASKS_PER_NODE", "1(x3)"},
       {"SLURM_JOB_ID", "123456"}});
  RankEnvironment env = RankEnvironment::FromEnvironment();
  EXPECT_EQ(env.launcher, RankLauncher::kSlurm);
  EXPECT_EQ(env.rank, 2);
  EXPECT_EQ(env.world_size, 3);
  EXPECT_EQ(env.group_rank, 2);
  EXPECT_EQ(env.local_world_size, 1);
  EXPECT_EQ(env.master_addr, "node07");
  EXPECT_EQ(env.master_port, 15000 + 123456 % 10000);
  // The command line's port wins over the derived one, MASTER_* over both.
  EXPECT_EQ(RankEnvironment::FromEnvironment({"", 40000}).master_port, 40000);
  Set({{"MASTER_ADDR", "head"}, {"MASTER_PORT", "29500"}});
  env = RankEnvironment::FromEnvironment({"", 40000});
  EXPECT_EQ(env.master_addr, "head");
  EXPECT_EQ(env.master_port, 29500);
}

TEST_F(LauncherEnvironmentTest, TorchrunVariablesWinOverTheLaunchersAround) {
  Set({{"SLURM_PROCID", "1"},
       {"SLURM_NTASKS", "2"},
       {"RANK", "0"},
       {"WORLD_SIZE", "1"},
       {"MASTER_ADDR", "127.0.0.1"},
       {"MASTER_PORT", "29500"}});
  EXPECT_EQ(RankEnvironment::FromEnvironment().launcher, RankLauncher::kTorchrun);
}

TEST_F(LauncherEnvironmentTest, NoLauncherNamesThemAll) {
  try {
    RankEnvironment::FromEnvironment();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mpirun or srun"), std::string::npos) << e.what();
  }
}

TEST(FirstSlurmHostTest, ReadsHostlists) {
  EXPECT_EQ(FirstSlurmHost("node07"), "node07");
  EXPECT_EQ(FirstSlurmHost("a,b,c"), "a");
  EXPECT_EQ(FirstSlurmHost("node[07-09,12],gpu1"), "node07");
  EXPECT_EQ(FirstSlurmHost("n[3,5]-ib"), "n3-ib");
  EXPECT_EQ(FirstSlurmHost("gpu1,node[1-2]"), "gpu1");
  EXPECT_THROW(FirstSlurmHost("node[07"), Error);
  EXPECT_THROW(FirstSlurmHost("node[x]"), Error);
  EXPECT_THROW(FirstSlurmHost(""), Error);
}

}  // namespace
}  // namespace scaleml
