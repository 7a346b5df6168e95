// The rabit tracker with libxgboost's real workers (XGBoost 1.7 keeps the communicator per
// thread, so each thread here is one worker) and with hand-made ones for the failure paths.
#include "algo/xgboost/RabitTracker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "algo/xgboost/XgboostCollective.h"
#include "comm/ThreadComm.h"
#include "core/Error.h"

namespace scaleml {
namespace {

std::string WorkerConfig(const RabitTracker& tracker, const std::string& task_id) {
  return "{\"xgboost_communicator\": \"rabit\", \"rabit_tracker_uri\": \"" + tracker.host() +
         "\", \"rabit_tracker_port\": \"" + std::to_string(tracker.port()) +
         "\", \"rabit_task_id\": \"" + task_id + "\", \"rabit_timeout\": \"1\", " +
         "\"rabit_timeout_sec\": \"20\"}";
}

// A socket connected to the tracker that has introduced itself as a worker about to start.
int FakeWorker(const RabitTracker& tracker, std::int32_t magic = 0xff99) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(tracker.port()));
  inet_pton(AF_INET, tracker.host().c_str(), &address.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  auto send_int = [fd](std::int32_t v) { EXPECT_EQ(send(fd, &v, 4, MSG_NOSIGNAL), 4); };
  auto send_string = [&](const std::string& s) {
    send_int(static_cast<std::int32_t>(s.size()));
    EXPECT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  };
  send_int(magic);
  if (magic != 0xff99) return fd;
  std::int32_t echoed = 0;
  EXPECT_EQ(recv(fd, &echoed, 4, MSG_WAITALL), 4);
  EXPECT_EQ(echoed, 0xff99);
  send_int(-1);  // no rank yet
  send_int(-1);  // world size unknown
  send_string("fake");
  send_string("start");
  return fd;
}

// Seconds until the tracker closes `fd` (recv sees the end), at most `limit`.
double SecondsUntilClosed(int fd, double limit) {
  timeval wait{static_cast<long>(limit), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  auto start = std::chrono::steady_clock::now();
  char byte;
  ssize_t got = recv(fd, &byte, 1, 0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return got == 0 ? seconds : limit + 1;
}

TEST(RabitTracker, ThreeRealWorkersAllreduceAndShutDownWithRanksFromTaskIds) {
  RabitTracker tracker("127.0.0.1", 3, 30.0);
  ASSERT_GT(tracker.port(), 0);
  tracker.Start();
  // A stray connection that does not speak rabit is dropped without harm.
  int stray = FakeWorker(tracker, 0x1234);
  std::vector<int> ranks(3, -1), sizes(3, -1);
  std::vector<double> sums(3, 0.0);
  std::vector<int> init_rc(3, -1), finalize_rc(3, -1);
  std::vector<std::thread> workers;
  for (int task = 2; task >= 0; --task) {  // arrival order is not rank order
    workers.emplace_back([&, task] {
      init_rc[task] = XGCommunicatorInit(WorkerConfig(tracker, std::to_string(task)).c_str());
      if (init_rc[task] != 0) return;
      ranks[task] = XGCommunicatorGetRank();
      sizes[task] = XGCommunicatorGetWorldSize();
      double value = task + 1.0;
      // data type 7: double; op 2: sum (libxgboost's enums).
      if (XGCommunicatorAllreduce(&value, 1, 7, 2) == 0) sums[task] = value;
      finalize_rc[task] = XGCommunicatorFinalize();
    });
  }
  for (auto& w : workers) w.join();
  close(stray);
  Status status = tracker.Wait(30.0);
  EXPECT_TRUE(status.ok()) << status.message();
  for (int task = 0; task < 3; ++task) {
    EXPECT_EQ(init_rc[task], 0) << XGBGetLastError();
    EXPECT_EQ(ranks[task], task);
    EXPECT_EQ(sizes[task], 3);
    EXPECT_EQ(sums[task], 6.0);
    EXPECT_EQ(finalize_rc[task], 0);
  }
}

TEST(RabitTracker, AWorkerThatNeverComesIsAnErrorNamingHowManyArrived) {
  RabitTracker tracker("127.0.0.1", 3, 0.5);
  tracker.Start();
  int waiting = FakeWorker(tracker);
  Status status = tracker.Wait(20.0);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("only 1 of 3 workers connected within 0.5 s"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("(arrived: task fake at 127.0.0.1;"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("tracker_timeout_s"), std::string::npos) << status.message();
  // The worker that came is not left waiting for an answer.
  EXPECT_LT(SecondsUntilClosed(waiting, 10.0), 10.0);
  close(waiting);
}

TEST(RabitTracker, DestroyingItStopsTheThreadAndClosesWorkerSockets) {
  int waiting = -1;
  {
    RabitTracker tracker("127.0.0.1", 2, 600.0);
    tracker.Start();
    waiting = FakeWorker(tracker);
    Status status = tracker.Wait(0.2);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("0 of 2 workers shut down"), std::string::npos)
        << status.message();
  }
  EXPECT_LT(SecondsUntilClosed(waiting, 10.0), 10.0);
  close(waiting);
}

TEST(RabitTracker, CannotListenOnAnAddressOfAnotherHost) {
  EXPECT_THROW(RabitTracker("192.0.2.1", 2, 1.0), Error);  // TEST-NET-1, never local
}

TEST(XgboostCollective, OnlyOneDistributedFitPerProcessAndEveryRankSaysSo) {
  // Two ranks as threads of one process: the second to ask finds the communicator taken, and
  // both ranks fail together instead of one waiting at the tracker.
  for (int attempt = 0; attempt < 2; ++attempt) {  // the slot is given back after a failure
    std::vector<std::string> errors(2);
    RunRanks(2, [&](Comm& comm) {
      try {
        XgboostCollective collective(comm, 5.0);
      } catch (const Error& e) {
        errors[comm.rank()] = e.what();
      }
    });
    for (const auto& error : errors) {
      EXPECT_NE(error.find("another distributed xgboost fit is running in this process"),
                std::string::npos)
          << error;
    }
  }
}

}  // namespace
}  // namespace scaleml
