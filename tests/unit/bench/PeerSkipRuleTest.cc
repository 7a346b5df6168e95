// The peers' time limit and skip rule, statuses and their words, and the one-problem variant's
// dataset key and run id.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

#include "bench/BenchDataset.h"
#include "bench/ChildProcess.h"
#include "bench/PeerSkipRule.h"
#include "bench/RunStatus.h"
#include "bench/SuitePlan.h"
#include "core/Error.h"

namespace scaleml::bench {
namespace {

using json = nlohmann::json;

RunSpec Peer(const std::string& engine, const std::string& size, double timeout_s) {
  RunSpec spec;
  spec.suite = "paper";
  spec.algo = "rf";
  spec.engine = engine;
  spec.size = size;
  spec.rows = RowsOfSize(size);
  spec.ranks = engine == "torch-ddp" ? 3 : 1;
  spec.timeout_s = timeout_s;
  return spec;
}

json Record(const RunSpec& spec, const std::string& status, double timeout_s) {
  return {{"run_id", spec.Id()},
          {"algo", spec.algo},
          {"engine", spec.engine},
          {"size", spec.size},
          {"rows", spec.rows},
          {"ranks", spec.ranks},
          {"problem", ProblemName(spec.problem)},
          {"status", status},
          {"timeout_s", timeout_s},
          {"error", ""}};
}

TEST(RunStatusTest, WordsRoundTripAndOldTimeoutsReadAsTimeouts) {
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kTimedOut,
                      RunStatus::kOutOfMemory, RunStatus::kSkipped}) {
    EXPECT_EQ(StatusOf(json{{"status", StatusName(s)}}), s) << StatusName(s);
  }
  EXPECT_STREQ(StatusName(RunStatus::kTimedOut), "timeout");
  EXPECT_STREQ(StatusName(RunStatus::kOutOfMemory), "oom");
  // Written before "timeout" existed: status failed, the limit only in the error.
  const json old = {{"status", "failed"}, {"error", "timed out after 1470 s"}};
  EXPECT_EQ(StatusOf(old), RunStatus::kTimedOut);
  EXPECT_DOUBLE_EQ(LimitOf(old), 1470.0);
  EXPECT_EQ(StatusOf(json{{"status", "failed"}, {"error", "exit code 1"}}), RunStatus::kFailed);
  EXPECT_EQ(StatusOf(json{{"status", "weird"}}), RunStatus::kFailed);
  EXPECT_DOUBLE_EQ(LimitOf(json{{"status", "failed"}, {"error", "exit code 1"}}), 0.0);
}

TEST(RunStatusTest, OutOfMemoryFromAMemoryErrorOrAnOomKill) {
  ChildResult r;
  r.exit_code = 1;
  r.stderr_text = "Traceback ...\nMemoryError: Unable to allocate 3.7 GiB\n";
  EXPECT_TRUE(RanOutOfMemory(r, false));
  r.stderr_text = "terminate called after throwing an instance of 'std::bad_alloc'";
  EXPECT_TRUE(RanOutOfMemory(r, false));
  // torchrun reporting a rank the OOM killer ended; only when the kernel counted an OOM kill.
  r.stderr_text = "Signal 9 (SIGKILL) received by PID 1234";
  EXPECT_TRUE(RanOutOfMemory(r, true));
  EXPECT_FALSE(RanOutOfMemory(r, false));
  r.stderr_text = "ValueError: bad input";
  EXPECT_FALSE(RanOutOfMemory(r, true));
  r.exit_code = -1;
  r.signal = SIGKILL;
  r.stderr_text = "";
  EXPECT_TRUE(RanOutOfMemory(r, true));
  r.timed_out = true;  // killed by us at the limit: a timeout, not memory
  EXPECT_FALSE(RanOutOfMemory(r, true));
}

TEST(PeerTimeoutTest, PeersGetTheirOwnLimitAndEnginesKeepTimeout) {
  BenchOptions options;
  options.suite = "paper";
  options.peer_timeout_s = 300;
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "python", 15000000), 300.0);
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "torch-ddp", 15000000), 300.0);
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "local", 15000000), 120 + 30 * 15.0);
  options.timeout_s = 900;
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "python", 15000000), 300.0);
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "ddp", 15000000), 900.0);
  options.peer_timeout_s = 0;  // the default: as --timeout
  EXPECT_DOUBLE_EQ(RunTimeoutSeconds(options, "python", 15000000), 900.0);
}

TEST(PeerSkipRuleTest, APeerOutOfTimeAtASmallerSizeIsSkippedAtLargerOnes) {
  const RunSpec at3 = Peer("python", "3GB", 300);
  const std::vector<json> earlier = {Record(at3, "timeout", 300)};
  const auto skip = PeerSkipFor(Peer("python", "5GB", 300), earlier);
  ASSERT_TRUE(skip.has_value());
  EXPECT_EQ(skip->reason, "exceeded the 300 s limit at 3GB");
  EXPECT_EQ(skip->cause["run_id"], at3.Id());
  EXPECT_EQ(skip->cause["status"], "timeout");
  // Not at the same or a smaller size, not for another peer, algorithm, rank count or variant,
  // never for scaleml's engines.
  EXPECT_FALSE(PeerSkipFor(Peer("python", "3GB", 300), earlier));
  EXPECT_FALSE(PeerSkipFor(Peer("python", "2GB", 300), earlier));
  EXPECT_FALSE(PeerSkipFor(Peer("torch-ddp", "5GB", 300), earlier));
  RunSpec knn = Peer("python", "5GB", 300);
  knn.algo = "knn";
  EXPECT_FALSE(PeerSkipFor(knn, earlier));
  RunSpec one = Peer("python", "5GB", 300);
  one.problem = DataProblem::kOne;
  EXPECT_FALSE(PeerSkipFor(one, earlier));
  RunSpec local = Peer("local", "5GB", 300);
  EXPECT_FALSE(PeerSkipFor(local, {Record(Peer("local", "3GB", 300), "timeout", 300)}));
  // Ok and failed runs at smaller sizes do not skip.
  EXPECT_FALSE(PeerSkipFor(Peer("python", "5GB", 300), {Record(at3, "ok", 300)}));
  EXPECT_FALSE(PeerSkipFor(Peer("python", "5GB", 300), {Record(at3, "failed", 300)}));
}

TEST(PeerSkipRuleTest, ALimitThatGrowsFasterThanTheRowsRunsAgain) {
  const std::vector<json> earlier = {Record(Peer("python", "2GB", 1020), "timeout", 1020)};
  // The default rule, 120 + 90 s per million rows, grows slower than the rows: skipped.
  EXPECT_TRUE(PeerSkipFor(Peer("python", "3GB", 1470), earlier));
  // 1020 s at 2GB is 1530 s at 3GB if time is linear: a 2000 s limit might be enough.
  EXPECT_FALSE(PeerSkipFor(Peer("python", "3GB", 2000), earlier));
}

TEST(PeerSkipRuleTest, OutOfMemoryAndOldTimeoutsAndSkipsCarryOn) {
  RunSpec torch3 = Peer("torch-ddp", "3GB", 300);
  const auto oom = PeerSkipFor(Peer("torch-ddp", "10GB", 3000), {Record(torch3, "oom", 300)});
  ASSERT_TRUE(oom.has_value());
  EXPECT_EQ(oom->reason, "ran out of memory at 3GB");

  // A 2GB timeout written by an older scaleml (status failed), then a 3GB skip it caused: the
  // 5GB run names the first cause, even when only the skip is in the records.
  json old = Record(Peer("python", "2GB", 0), "failed", 0);
  old.erase("timeout_s");
  old["error"] = "timed out after 1020 s";
  const auto at3 = PeerSkipFor(Peer("python", "3GB", 1470), {old});
  ASSERT_TRUE(at3.has_value());
  EXPECT_EQ(at3->reason, "exceeded the 1020 s limit at 2GB");
  json skipped = Record(Peer("python", "3GB", 1470), "skipped", 1470);
  skipped["skip_cause"] = at3->cause;
  const auto at5 = PeerSkipFor(Peer("python", "5GB", 2370), {skipped});
  ASSERT_TRUE(at5.has_value());
  EXPECT_EQ(at5->reason, "exceeded the 1020 s limit at 2GB");
  // The smallest cause wins.
  const auto both = PeerSkipFor(Peer("python", "10GB", 300),
                                {Record(Peer("python", "5GB", 300), "oom", 300), old});
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->reason, "exceeded the 1020 s limit at 2GB");
}

TEST(DataProblemTest, TheDatasetKeyAndGenerateArgumentsNameTheVariant) {
  const BenchDataset paper = DescribeDataset(5000000, DataProblem::kPerChunk);
  // The key of the caches made before --problem existed.
  EXPECT_EQ(paper.key, "paper-n5000000-f10-c2-chunk300000-seed42");
  EXPECT_EQ(
      paper.generate_args,
      (std::vector<std::string>{"--samples", "5000000", "--features", "10", "--problem-per-chunk",
                                "--chunk-size", "300000", "--seed", "42"}));
  const BenchDataset one = DescribeDataset(5000000, DataProblem::kOne);
  EXPECT_EQ(one.key, "one-n5000000-f10-c2-chunk300000-seed42");
  EXPECT_EQ(std::count(one.generate_args.begin(), one.generate_args.end(), "--problem-per-chunk"),
            0);
  EXPECT_EQ(DescribeDataset(100000, DataProblem::kOne).key, "one-n100000-f10-c2-chunk30000-seed42");

  EXPECT_EQ(ParseDataProblem("one"), DataProblem::kOne);
  EXPECT_EQ(ParseDataProblem("per-chunk"), DataProblem::kPerChunk);
  EXPECT_THROW(ParseDataProblem("single"), Error);
  EXPECT_EQ(ProblemOfRecord(""), DataProblem::kPerChunk);  // records before the field
}

TEST(DataProblemTest, OneProblemRunsHaveTheirOwnIdsBesideThePapersData) {
  BenchOptions options;
  options.suite = "paper";
  options.algos = {"gbdt"};
  options.sizes = {"1GB"};
  options.engines = {"local"};
  const auto paper = PlanSuite(options, {.python = true}, 2);
  options.problem = DataProblem::kOne;
  const auto one = PlanSuite(options, {.python = true}, 2);
  ASSERT_EQ(paper.size(), 2u);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(paper[0].Id(), "paper/gbdt/local/1GB/r1/t0");  // unchanged: --resume keeps working
  EXPECT_EQ(one[0].Id(), "paper/gbdt/local/1GB/r1/t0/one");
  EXPECT_EQ(one[1].Id(), "paper/gbdt/python/1GB/r1/t0/one");
  EXPECT_EQ(one[0].problem, DataProblem::kOne);
  EXPECT_EQ(one[0].FileStem(), "paper_gbdt_local_1GB_r1_t0_one");
}

}  // namespace
}  // namespace scaleml::bench
