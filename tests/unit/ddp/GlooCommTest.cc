// GlooComm across real processes on loopback: each rank is a comm_probe process that forms the
// group through the ddp engine's loader (dlopen of libscaleml_gloo.so), as `scaleml train
// --engine ddp` does.
#include <gtest/gtest.h>

#include <memory>

#include "unit/ddp/ChildProcess.h"

// Without libtorch-dev the library is not built, and these tests have nothing to test.
#ifndef SCALEML_GLOO_LIBRARY
#define SCALEML_GLOO_LIBRARY ""
#endif

namespace scaleml {
namespace {

using testing::ChildProcess;
using testing::FreeLoopbackPort;
using testing::TempDir;

// Generous bound for a process that should end by itself: start-up of libtorch on a loaded
// 2-core machine takes seconds.
constexpr double kEndsWithin = 60.0;

class GlooCommTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(SCALEML_GLOO_LIBRARY).empty()) GTEST_SKIP() << "libscaleml_gloo.so not built";
  }

  std::map<std::string, std::string> RankEnv(int rank, int size, int port, double timeout_s) {
    return {{"RANK", std::to_string(rank)},
            {"WORLD_SIZE", std::to_string(size)},
            {"LOCAL_RANK", std::to_string(rank)},
            {"LOCAL_WORLD_SIZE", std::to_string(size)},
            {"MASTER_ADDR", "127.0.0.1"},
            {"MASTER_PORT", std::to_string(port)},
            {"SCALEML_COMM_TIMEOUT_S", std::to_string(timeout_s)},
            {"SCALEML_GLOO_LIBRARY", SCALEML_GLOO_LIBRARY},
            {"OMP_NUM_THREADS", "1"}};
  }

  std::vector<std::unique_ptr<ChildProcess>> StartGroup(int size, std::vector<std::string> args,
                                                        double timeout_s) {
    int port = FreeLoopbackPort();
    EXPECT_GT(port, 0);
    std::vector<std::unique_ptr<ChildProcess>> ranks;
    args.insert(args.begin(), SCALEML_COMM_PROBE);
    for (int r = 0; r < size; ++r) {
      ranks.push_back(std::make_unique<ChildProcess>(args, RankEnv(r, size, port, timeout_s),
                                                     dir_.path(), "rank" + std::to_string(r)));
    }
    return ranks;
  }

  void ExpectEveryOpCorrect(int size) {
    auto ranks = StartGroup(size, {"ops"}, 30);
    for (int r = 0; r < size; ++r) {
      ASSERT_TRUE(ranks[r]->Wait(kEndsWithin)) << "rank " << r << " hung";
      EXPECT_EQ(ranks[r]->exit_code(), 0) << "rank " << r << ": " << ranks[r]->err();
      EXPECT_NE(ranks[r]->out().find("ok rank " + std::to_string(r)), std::string::npos);
    }
  }

  TempDir dir_;
};

TEST_F(GlooCommTest, EveryOperationGivesTheExpectedResultWithTwoRanks) { ExpectEveryOpCorrect(2); }

TEST_F(GlooCommTest, EveryOperationGivesTheExpectedResultWithThreeRanks) {
  ExpectEveryOpCorrect(3);
}

TEST_F(GlooCommTest, KilledPeerIsNamedBySurvivorsWellBeforeTheTimeout) {
  // A 60 s timeout: the survivors must learn of the loss from the closed connections, not wait.
  const double timeout_s = 60;
  auto ranks = StartGroup(3, {"die", "1"}, timeout_s);
  ASSERT_TRUE(ranks[1]->Wait(kEndsWithin));
  EXPECT_EQ(ranks[1]->exit_code(), 128 + SIGKILL);
  for (int r : {0, 2}) {
    ASSERT_TRUE(ranks[r]->Wait(kEndsWithin)) << "rank " << r << " hung";
    EXPECT_EQ(ranks[r]->exit_code(), 3) << ranks[r]->err();
    EXPECT_LT(ranks[r]->elapsed_s() - ranks[1]->elapsed_s(), 15.0);
    std::string err = ranks[r]->err();
    EXPECT_NE(err.find("rank " + std::to_string(r) + " of 3: allreduce failed"), std::string::npos)
        << err;
    EXPECT_NE(err.find("lost rank 1 "), std::string::npos) << err;
  }
}

TEST_F(GlooCommTest, LossOfRankZeroAndItsStoreIsNamed) {
  auto ranks = StartGroup(2, {"die", "0"}, 60);
  ASSERT_TRUE(ranks[0]->Wait(kEndsWithin));
  ASSERT_TRUE(ranks[1]->Wait(kEndsWithin)) << "rank 1 hung";
  EXPECT_EQ(ranks[1]->exit_code(), 3);
  EXPECT_NE(ranks[1]->err().find("lost rank 0"), std::string::npos) << ranks[1]->err();
}

TEST_F(GlooCommTest, StalledPeerMakesTheOthersTimeOut) {
  const double timeout_s = 2;
  auto ranks = StartGroup(3, {"stall", "2"}, timeout_s);
  for (int r : {0, 1}) {
    ASSERT_TRUE(ranks[r]->Wait(kEndsWithin)) << "rank " << r << " hung past its timeout";
    EXPECT_EQ(ranks[r]->exit_code(), 3) << ranks[r]->err();
    std::string err = ranks[r]->err();
    EXPECT_NE(err.find("timed out after 2 s waiting for rank 2"), std::string::npos) << err;
    EXPECT_NE(err.find("lost rank 2 "), std::string::npos) << err;
  }
  EXPECT_TRUE(ranks[2]->running());  // still asleep in its stall; the destructor kills it
}

TEST_F(GlooCommTest, WrongMasterAddressIsAClearErrorAfterTheTimeout) {
  int port = FreeLoopbackPort();
  auto env = RankEnv(1, 2, port, 2);
  env["MASTER_ADDR"] = "127.0.0.2";  // loopback, but nobody listens there
  ChildProcess rank({SCALEML_COMM_PROBE, "connect"}, env, dir_.path(), "rank1");
  ASSERT_TRUE(rank.Wait(kEndsWithin));
  EXPECT_EQ(rank.exit_code(), 3);
  std::string err = rank.err();
  EXPECT_NE(err.find("did not form at 127.0.0.2:" + std::to_string(port)), std::string::npos)
      << err;
  EXPECT_NE(err.find("within 2 s"), std::string::npos) << err;
  EXPECT_EQ(err.find("InitGoogleLogging"), std::string::npos) << "library noise on stderr: " << err;
}

TEST_F(GlooCommTest, UnresolvableMasterAddressIsAClearError) {
  auto env = RankEnv(1, 2, FreeLoopbackPort(), 2);
  env["MASTER_ADDR"] = "no-such-host.invalid";
  ChildProcess rank({SCALEML_COMM_PROBE, "connect"}, env, dir_.path(), "rank1");
  ASSERT_TRUE(rank.Wait(kEndsWithin));
  EXPECT_EQ(rank.exit_code(), 3);
  EXPECT_NE(rank.err().find("cannot resolve master address 'no-such-host.invalid'"),
            std::string::npos)
      << rank.err();
}

TEST_F(GlooCommTest, PortInUseIsAClearError) {
  int holder = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  int port = ntohs(address.sin_port);
  ChildProcess rank({SCALEML_COMM_PROBE, "connect"}, RankEnv(0, 2, port, 5), dir_.path(), "rank0");
  ASSERT_TRUE(rank.Wait(kEndsWithin));
  close(holder);
  EXPECT_EQ(rank.exit_code(), 3);
  EXPECT_NE(rank.err().find("port " + std::to_string(port) + ": address already in use"),
            std::string::npos)
      << rank.err();
}

TEST_F(GlooCommTest, MissingLibraryIsAClearError) {
  auto env = RankEnv(0, 1, FreeLoopbackPort(), 5);
  env["SCALEML_GLOO_LIBRARY"] = (dir_.path() / "missing.so").string();
  ChildProcess rank({SCALEML_COMM_PROBE, "connect"}, env, dir_.path(), "rank0");
  ASSERT_TRUE(rank.Wait(kEndsWithin));
  EXPECT_EQ(rank.exit_code(), 3);
  EXPECT_NE(rank.err().find("missing.so does not exist"), std::string::npos) << rank.err();
}

TEST_F(GlooCommTest, OutsideALauncherTheErrorSaysHowToRun) {
  auto env = RankEnv(0, 1, FreeLoopbackPort(), 5);
  env["RANK"] = "";
  ChildProcess rank({SCALEML_COMM_PROBE, "connect"}, env, dir_.path(), "rank0");
  ASSERT_TRUE(rank.Wait(kEndsWithin));
  EXPECT_EQ(rank.exit_code(), 3);
  EXPECT_NE(rank.err().find("RANK is not set (run under scaleml launch or torchrun)"),
            std::string::npos)
      << rank.err();
}

}  // namespace
}  // namespace scaleml
