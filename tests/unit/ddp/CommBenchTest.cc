// The collective-latency measurement of `scaleml commbench`, on in-process ranks.
#include "engine/ddp/CommBench.h"

#include <gtest/gtest.h>

#include <mutex>

#include "comm/ThreadComm.h"
#include "core/Error.h"

namespace scaleml {
namespace {

TEST(CommBenchTest, ParsesByteSizes) {
  EXPECT_EQ(ParseByteSize("8"), 8u);
  EXPECT_EQ(ParseByteSize("40816"), 40816u);
  EXPECT_EQ(ParseByteSize("64KiB"), 64u << 10);
  EXPECT_EQ(ParseByteSize("64M"), 64u << 20);
  EXPECT_EQ(ParseByteSize("1GiB"), std::size_t{1} << 30);
  for (const char* bad : {"", "0", "-8", "8x", "MiB", "1.5MiB", "2048GiB"}) {
    EXPECT_THROW(ParseByteSize(bad), Error) << bad;
  }
}

TEST(CommBenchTest, DefaultSizesGoFrom8BytesTo64MiBByFours) {
  const auto sizes = DefaultCommBenchSizes();
  ASSERT_EQ(sizes.size(), 13u);
  EXPECT_EQ(sizes.front(), 8u);
  EXPECT_EQ(sizes[1], 32u);
  EXPECT_EQ(sizes[11], std::size_t{32} << 20);
  EXPECT_EQ(sizes.back(), std::size_t{64} << 20);
}

TEST(CommBenchTest, PercentileIsNearestRank) {
  EXPECT_EQ(Percentile({}, 0.5), 0.0);
  EXPECT_EQ(Percentile({3.0}, 0.95), 3.0);
  EXPECT_EQ(Percentile({4.0, 1.0, 3.0, 2.0}, 0.5), 2.0);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);
  EXPECT_EQ(Percentile(hundred, 0.95), 95.0);
  EXPECT_EQ(Percentile(hundred, 1.0), 100.0);
}

TEST(CommBenchTest, EveryRankGetsTheSameRecordForEveryOpAndSize) {
  CommBenchOptions options;
  options.ops = {CollectiveOp::kAllreduce, CollectiveOp::kAllgather};
  options.sizes = {8, 1001};
  options.repeats = 3;
  std::mutex mutex;
  std::vector<std::vector<CollectiveLatency>> per_rank(3);
  RunRanks(3, [&](Comm& comm) {
    auto results = MeasureCollectiveLatency(comm, options);
    std::lock_guard lock(mutex);
    per_rank[comm.rank()] = results;
  });
  const auto& results = per_rank[0];
  ASSERT_EQ(results.size(), 4u);
  // Allreduce buffers are whole floats: 1001 bytes are measured as 1000.
  const std::size_t expected_bytes[] = {8, 1000, 8, 1001};
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].op, i < 2 ? CollectiveOp::kAllreduce : CollectiveOp::kAllgather);
    EXPECT_EQ(results[i].bytes, expected_bytes[i]);
    EXPECT_EQ(results[i].ranks, 3);
    EXPECT_EQ(results[i].repeats, 3);
    EXPECT_GT(results[i].median_s, 0.0);
    EXPECT_LE(results[i].min_s, results[i].median_s);
    EXPECT_LE(results[i].median_s, results[i].p95_s);
    for (int rank = 1; rank < 3; ++rank) {
      EXPECT_EQ(per_rank[rank][i].median_s, results[i].median_s);
      EXPECT_EQ(per_rank[rank][i].p95_s, results[i].p95_s);
    }
  }
}

TEST(CommBenchTest, ATimeBudgetCutsRepeatsButNotBelowTheMinimum) {
  CommBenchOptions options;
  options.sizes = {64};
  options.repeats = 1000000;
  options.min_repeats = 2;
  options.seconds_per_size = 1e-9;
  RunRanks(2, [&](Comm& comm) {
    auto results = MeasureCollectiveLatency(comm, options);
    EXPECT_EQ(results.at(0).repeats, 2);
  });
}

TEST(CommBenchTest, RecordHasNetworkJsonlSchema) {
  CollectiveLatency latency;
  latency.ranks = 3;
  latency.bytes = 40816;
  latency.median_s = 2e-5;
  latency.p95_s = 3e-5;
  const auto record = CollectiveLatencyJson(latency, "namespaces");
  EXPECT_EQ(record["kind"], "collective_latency");
  EXPECT_EQ(record["transport"], "namespaces");
  EXPECT_EQ(record["ranks"], 3);
  EXPECT_EQ(record["op"], "allreduce");
  EXPECT_EQ(record["bytes"], 40816);
  EXPECT_EQ(record["median_s"], 2e-5);
  EXPECT_EQ(record["p95_s"], 3e-5);
}

TEST(CommBenchTest, UnknownOpIsAnInputError) {
  EXPECT_EQ(ParseCollectiveOp("allgather"), CollectiveOp::kAllgather);
  EXPECT_THROW(ParseCollectiveOp("broadcast"), Error);
}

}  // namespace
}  // namespace scaleml
