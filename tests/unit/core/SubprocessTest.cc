#include "core/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/Error.h"

namespace scaleml {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path TempPath(const std::string& name) {
  return fs::temp_directory_path() / ("scaleml-subprocess-" + std::to_string(getpid()) + name);
}

TEST(SubprocessTest, RunsAProgramWithItsEnvironmentFolderAndOutput) {
  const fs::path out = TempPath(".out");
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "echo $SCALEML_TEST_VALUE; pwd; echo err >&2; exit 3"};
  options.environment = std::vector<std::string>{"SCALEML_TEST_VALUE=42", "PATH=/usr/bin:/bin"};
  options.working_directory = fs::path("/").string();  // GCC 12 -Wrestrict misfires on "/"
  options.stdout_path = out.string();
  options.stderr_path = out.string();
  Subprocess child = Subprocess::Spawn(options);
  const ExitStatus status = child.Wait();
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.signal, 0);
  EXPECT_EQ(status.Describe(), "exited with code 3");
  EXPECT_FALSE(child.running());
  EXPECT_EQ(ReadText(out), "42\n/\nerr\n");
  fs::remove(out);
}

TEST(SubprocessTest, AProgramThatCannotRunIsAFailureNamingIt) {
  SpawnOptions options;
  options.argv = {"/nonexistent/program"};
  try {
    Subprocess::Spawn(options);
    FAIL() << "expected a failure";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot run '/nonexistent/program': No such file or directory");
  }
}

TEST(SubprocessTest, AnOutputThatCannotBeWrittenIsAFailureNamingIt) {
  SpawnOptions options;
  options.argv = {"/bin/true"};
  options.stdout_path = "/nonexistent/folder/out";
  EXPECT_THROW(Subprocess::Spawn(options), Error);
}

TEST(SubprocessTest, WaitUntilReturnsAtTheDeadlineAndTerminateStopsTheGroup) {
  const fs::path marker = TempPath(".marker");
  fs::remove(marker);
  SpawnOptions options;
  // A grandchild that would write the marker must go with its group.
  options.argv = {"/bin/sh", "-c", "(sleep 1; touch " + marker.string() + ") & sleep 30"};
  Subprocess child = Subprocess::Spawn(options);
  EXPECT_FALSE(child.WaitUntil(Subprocess::Clock::now() + std::chrono::milliseconds(50)));
  EXPECT_TRUE(child.running());
  const ExitStatus status = child.Terminate(2.0);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.Describe(), "was killed by signal SIGTERM (15)");
  child.Signal(SIGKILL);  // what the shell left in its group
  SpawnOptions sleep;
  sleep.argv = {"/bin/sleep", "1.2"};
  Subprocess wait = Subprocess::Spawn(sleep);
  EXPECT_TRUE(wait.Wait().success());
  EXPECT_FALSE(fs::exists(marker));
}

TEST(SubprocessTest, ForkRunsAFunctionAndReturnsItsCode) {
  Subprocess child = Subprocess::Fork(SpawnOptions(), [] { return 7; });
  EXPECT_EQ(child.Wait().exit_code, 7);
  SpawnOptions quiet;
  quiet.stderr_path = "/dev/null";
  Subprocess thrower = Subprocess::Fork(quiet, []() -> int { throw Failure("in the child"); });
  EXPECT_EQ(thrower.Wait().exit_code, 1);
}

TEST(SubprocessTest, ADetachedChildOutlivesItsStarterAndReportsItsPid) {
  const fs::path out = TempPath(".daemon");
  SpawnOptions options;
  options.detach = true;
  options.stdout_path = out.string();
  options.argv = {"/bin/sh", "-c", "echo $$"};
  Subprocess daemon = Subprocess::Spawn(options);
  ASSERT_GT(daemon.pid(), 0);
  // Not our child: waits until the pid is gone.
  EXPECT_TRUE(daemon.WaitUntil(Subprocess::Clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(ReadText(out), std::to_string(daemon.pid()) + "\n");
  fs::remove(out);
}

}  // namespace
}  // namespace scaleml
