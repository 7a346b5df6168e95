// The launcher runs in this test process (it forks the ranks); the ranks are small shell
// commands, each tagged with a marker unique to the test so that leftovers can be found.
#include "engine/ddp/Launcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/Error.h"
#include "core/Stopwatch.h"
#include "unit/ddp/ChildProcess.h"

namespace scaleml {
namespace {

using testing::ReadFile;
using testing::TempDir;

// Processes whose command line contains `marker`.
int CountProcessesWith(const std::string& marker) {
  // "[s]caleml..." matches the marker but not this shell's own command line.
  std::string command = "pgrep -c -f '[" + marker.substr(0, 1) + "]" + marker.substr(1) + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  int count = 0;
  if (fscanf(pipe, "%d", &count) != 1) count = 0;
  pclose(pipe);
  return count;
}

std::string UniqueMarker(const char* test) {
  return std::string("scaleml-launch-test-") + test + "-" + std::to_string(getpid());
}

LaunchOptions ShellRanks(int nproc, const std::string& script) {
  LaunchOptions options;
  options.nproc_per_node = nproc;
  options.master_port = 29400;
  options.stop_grace_s = 2.0;
  options.command = {"/bin/sh", "-c", script};
  return options;
}

TEST(LauncherTest, EveryRankGetsTorchrunsEnvironment) {
  TempDir dir;
  unsetenv("OMP_NUM_THREADS");
  LaunchOptions options =
      ShellRanks(3,
                 "echo \"$RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $GROUP_RANK $MASTER_ADDR "
                 "$MASTER_PORT $OMP_NUM_THREADS $SCALEML_COMM_TIMEOUT_S\" > " +
                     dir.path().string() + "/rank$RANK");
  options.nnodes = 2;
  options.node_rank = 1;
  options.master_addr = "10.77.0.1";
  options.master_port = 29511;
  options.comm_timeout_s = 7.5;
  LaunchOutcome outcome = RunLocalRanks(options);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.message;
  EXPECT_TRUE(outcome.message.empty());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::string threads = std::to_string(std::max(1u, cores / 3));
  for (int local = 0; local < 3; ++local) {
    int rank = 3 + local;
    EXPECT_EQ(ReadFile(dir.path() / ("rank" + std::to_string(rank))),
              std::to_string(rank) + " " + std::to_string(local) + " 6 3 1 10.77.0.1 29511 " +
                  threads + " 7.5\n");
  }
}

TEST(LauncherTest, OmpNumThreadsSetByTheUserIsKept) {
  TempDir dir;
  setenv("OMP_NUM_THREADS", "5", 1);
  LaunchOutcome outcome =
      RunLocalRanks(ShellRanks(2, "echo $OMP_NUM_THREADS > " + dir.path().string() + "/t$RANK"));
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.message;
  EXPECT_EQ(ReadFile(dir.path() / "t1"), "5\n");
}

TEST(LauncherTest, FailingRankIsNamedAndTheOthersAreStopped) {
  std::string marker = UniqueMarker("fail");
  Stopwatch watch;
  LaunchOutcome outcome = RunLocalRanks(
      ShellRanks(3, "if [ $RANK = 1 ]; then sleep 0.2; exit 7; fi; sleep 60; : " + marker));
  EXPECT_LT(watch.Seconds(), 20.0);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.message.find("rank 1 (local rank 1, pid "), std::string::npos)
      << outcome.message;
  EXPECT_NE(outcome.message.find("exited with code 7; stopped the other 2 local ranks"),
            std::string::npos)
      << outcome.message;
  EXPECT_EQ(CountProcessesWith(marker), 0);
}

TEST(LauncherTest, RankKilledBySignalIsReportedWithTheSignal) {
  LaunchOutcome outcome = RunLocalRanks(ShellRanks(2, "if [ $RANK = 0 ]; then kill -SEGV $$; fi"));
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.message.find("rank 0 (local rank 0"), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.message.find("killed by signal SIGSEGV (11)"), std::string::npos)
      << outcome.message;
}

TEST(LauncherTest, RankThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  std::string marker = UniqueMarker("stubborn");
  LaunchOptions options =
      ShellRanks(2, "trap '' TERM; if [ $RANK = 1 ]; then exit 3; fi; sleep 60; : " + marker);
  options.stop_grace_s = 0.5;
  Stopwatch watch;
  LaunchOutcome outcome = RunLocalRanks(options);
  EXPECT_LT(watch.Seconds(), 20.0);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.message.find("rank 1 "), std::string::npos) << outcome.message;
  EXPECT_EQ(CountProcessesWith(marker), 0);
}

TEST(LauncherTest, ProcessesStartedByARankDoNotOutliveIt) {
  std::string marker = UniqueMarker("orphan");
  // The rank leaves a background shell behind and exits successfully.
  LaunchOutcome outcome =
      RunLocalRanks(ShellRanks(2, "sh -c 'sleep 60; : " + marker + "' & exit 0"));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.message;
  EXPECT_EQ(CountProcessesWith(marker), 0);
}

TEST(LauncherTest, SigtermToTheLauncherIsForwardedToTheRanks) {
  TempDir dir;
  std::string marker = UniqueMarker("forward");
  // Rank 0 signals the launcher (its parent, this process); both ranks record the SIGTERM
  // that the launcher passes on.
  LaunchOutcome outcome = RunLocalRanks(ShellRanks(
      2, "trap 'echo term > " + dir.path().string() +
             "/got$RANK; exit 0' TERM; if [ $RANK = 0 ]; then sleep 0.3; kill -TERM $PPID; fi; "
             "i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; : " +
             marker));
  EXPECT_EQ(outcome.exit_code, 128 + SIGTERM);
  EXPECT_NE(outcome.message.find("interrupted by SIGTERM"), std::string::npos) << outcome.message;
  EXPECT_EQ(ReadFile(dir.path() / "got0"), "term\n");
  EXPECT_EQ(ReadFile(dir.path() / "got1"), "term\n");
  EXPECT_EQ(CountProcessesWith(marker), 0);
}

TEST(LauncherTest, CommandThatCannotRunIsNamed) {
  LaunchOptions options;
  options.nproc_per_node = 2;
  options.command = {"/nonexistent/scaleml-rank"};
  LaunchOutcome outcome = RunLocalRanks(options);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.message.find("cannot run '/nonexistent/scaleml-rank': No such file"),
            std::string::npos)
      << outcome.message;
}

TEST(LauncherTest, BadOptionsAreInputErrors) {
  LaunchOptions options = ShellRanks(1, "true");
  options.nnodes = 2;
  options.node_rank = 2;
  EXPECT_THROW(RunLocalRanks(options), Error);
  options = ShellRanks(1, "true");
  options.master_port = 70000;
  EXPECT_THROW(RunLocalRanks(options), Error);
  options = ShellRanks(1, "true");
  options.command.clear();
  EXPECT_THROW(RunLocalRanks(options), Error);
}

}  // namespace
}  // namespace scaleml
