#include <gtest/gtest.h>

#include <numeric>

#include "comm/CommOps.h"
#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"

namespace scaleml {
namespace {

TEST(ThreadComm, AllreduceSumMinMaxAgreeOnEveryRank) {
  for (int size : {1, 2, 3, 5}) {
    std::vector<std::vector<double>> results(size);
    RunRanks(size, [&](Comm& comm) {
      std::vector<double> values = {1.0 * comm.rank(), 2.0, -1.0 * comm.rank()};
      AllreduceSum(comm, std::span<double>(values));
      std::int64_t biggest = AllreduceValue<std::int64_t>(comm, comm.rank() * 10, ReduceOp::kMax);
      float smallest = AllreduceValue<float>(comm, 5.0f - comm.rank(), ReduceOp::kMin);
      EXPECT_EQ(biggest, (size - 1) * 10);
      EXPECT_EQ(smallest, 5.0f - (size - 1));
      results[comm.rank()] = values;
    });
    double rank_sum = size * (size - 1) / 2.0;
    for (const auto& r : results) {
      EXPECT_EQ(r, (std::vector<double>{rank_sum, 2.0 * size, -rank_sum})) << "size " << size;
    }
  }
}

TEST(ThreadComm, AllgatherVKeepsRankOrderAndSizes) {
  RunRanks(4, [](Comm& comm) {
    std::vector<std::int32_t> mine(comm.rank(), comm.rank());  // rank r sends r copies of r
    auto all = AllgatherConcat<std::int32_t>(comm, std::span<const std::int32_t>(mine));
    EXPECT_EQ(all, (std::vector<std::int32_t>{1, 2, 2, 3, 3, 3}));
  });
}

TEST(ThreadComm, BroadcastResizesToRootsBuffer) {
  RunRanks(3, [](Comm& comm) {
    std::vector<std::byte> bytes(comm.rank() + 1,
                                 std::byte{static_cast<unsigned char>(comm.rank())});
    Broadcast(comm, bytes, 2);
    EXPECT_EQ(bytes.size(), 3u);
    for (auto b : bytes) EXPECT_EQ(b, std::byte{2});
  });
}

TEST(ThreadComm, CountsBytesSent) {
  RunRanks(2, [](Comm& comm) {
    std::vector<float> values(100, 1.0f);
    AllreduceSum(comm, std::span<float>(values));
    EXPECT_EQ(comm.stats().bytes_sent, 400);
    EXPECT_EQ(values[7], 2.0f);
  });
}

TEST(ThreadComm, ReduceScatterSumsEachRanksBlockInRankOrder) {
  // Uneven blocks and an empty one; rank r's element i is (r + 1) * 1000 + i.
  for (int size : {2, 3}) {
    const std::vector<std::size_t> counts =
        size == 2 ? std::vector<std::size_t>{3, 0} : std::vector<std::size_t>{1, 0, 4};
    const std::size_t total = std::accumulate(counts.begin(), counts.end(), std::size_t{0});
    RunRanks(size, [&](Comm& comm) {
      std::vector<std::int64_t> send(total);
      for (std::size_t i = 0; i < total; ++i) send[i] = (comm.rank() + 1) * 1000 + i;
      std::size_t offset = 0;
      for (int r = 0; r < comm.rank(); ++r) offset += counts[r];
      std::vector<std::int64_t> recv(counts[comm.rank()], -1);
      ReduceScatterSum(comm, std::span<const std::int64_t>(send), std::span<std::int64_t>(recv),
                       std::span<const std::size_t>(counts));
      const std::int64_t rank_weights = size * (size + 1) / 2;  // sum of r + 1
      for (std::size_t i = 0; i < recv.size(); ++i) {
        EXPECT_EQ(recv[i], rank_weights * 1000 + size * static_cast<std::int64_t>(offset + i))
            << "size " << size << " rank " << comm.rank() << " element " << i;
      }
      // Only the other ranks' blocks leave this rank.
      EXPECT_EQ(comm.stats().bytes_sent,
                static_cast<std::int64_t>((total - counts[comm.rank()]) * sizeof(std::int64_t)));
    });
  }
}

TEST(ThreadComm, ReduceScatterRejectsBlocksThatDoNotCoverTheBuffer) {
  EXPECT_THROW(RunRanks(2,
                        [](Comm& comm) {
                          std::vector<double> send(4), recv(2);
                          const std::vector<std::size_t> counts = {2, 1};
                          ReduceScatterSum(comm, std::span<const double>(send),
                                           std::span<double>(recv),
                                           std::span<const std::size_t>(counts));
                        }),
               Error);
}

TEST(LocalComm, IsTheIdentity) {
  LocalComm comm;
  std::vector<double> values = {1.5, 2.5};
  AllreduceSum(comm, std::span<double>(values));
  EXPECT_EQ(values, (std::vector<double>{1.5, 2.5}));
  std::vector<std::int64_t> mine = {4, 5};
  EXPECT_EQ(AllgatherConcat<std::int64_t>(comm, std::span<const std::int64_t>(mine)), mine);
  std::vector<std::int64_t> block(2);
  const std::vector<std::size_t> counts = {2};
  ReduceScatterSum(comm, std::span<const std::int64_t>(mine), std::span<std::int64_t>(block),
                   std::span<const std::size_t>(counts));
  EXPECT_EQ(block, mine);
}

}  // namespace
}  // namespace scaleml
