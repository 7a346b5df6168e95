#include "bench/ChildProcess.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace scaleml::bench {
namespace {

TEST(ChildProcessTest, CapturesOutputAndExitCode) {
  ChildResult r = RunChild({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 10, "");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_text, "out\n");
  EXPECT_EQ(r.stderr_text, "err\n");
  EXPECT_GT(r.peak_rss_bytes, 0);
}

TEST(ChildProcessTest, KillsTheWholeGroupAtTheTimeout) {
  const auto marker = std::filesystem::temp_directory_path() / "scaleml-bench-child-marker";
  std::filesystem::remove(marker);
  // A grandchild that would write the marker after the limit must die with its parent.
  ChildResult r =
      RunChild({"/bin/sh", "-c", "(sleep 1; touch " + marker.string() + ") & sleep 30"}, 0.3, "");
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.wall_s, 5.0);
  ChildResult wait = RunChild({"/bin/sleep", "1.2"}, 10, "");
  EXPECT_EQ(wait.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ChildProcessTest, AProgramThatCannotRunIsExit127) {
  ChildResult r = RunChild({"/nonexistent/program"}, 10, "");
  EXPECT_EQ(r.exit_code, 127);
}

TEST(ChildProcessTest, KeepsLogsWhenAsked) {
  const auto stem = (std::filesystem::temp_directory_path() / "scaleml-bench-child-log").string();
  RunChild({"/bin/sh", "-c", "echo kept"}, 10, stem);
  EXPECT_TRUE(std::filesystem::exists(stem + ".out"));
  std::filesystem::remove(stem + ".out");
  std::filesystem::remove(stem + ".err");
}

TEST(ChildProcessTest, TailKeepsTheEnd) {
  EXPECT_EQ(TailOf("abcdef\n\n", 3), "...def");
  EXPECT_EQ(TailOf("ab\n", 10), "ab");
  EXPECT_EQ(TailOf(" \n", 10), "");
}

}  // namespace
}  // namespace scaleml::bench
