#include "core/TemporaryFiles.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml {
namespace {

class TemporaryFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "scaleml-tmp-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string File(const std::string& name) const { return (dir_ / name).string(); }

  // Runs `body` in a child process and returns its wait status.
  template <class Body>
  int InChild(Body body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      body();
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  }

  std::filesystem::path dir_;
};

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

TEST_F(TemporaryFilesTest, ASignalRemovesRegisteredFilesAndStillEndsTheProcess) {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(signal_number);
    const std::string target = File("out.csv");
    const std::string kept = File("kept.txt");
    const int status = InChild([&] {
      // A signal the test process ignores (SIGINT under a non-interactive shell's `&`) is left
      // ignored by design: nothing to check then.
      struct sigaction current {};
      ::sigaction(signal_number, nullptr, &current);
      if (current.sa_handler == SIG_IGN) ::_exit(77);
      std::ofstream(kept) << "not registered";
      AtomicFile file(target);
      file.Write("half a file");
      std::raise(signal_number);
      ::_exit(3);  // not reached
    });
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) continue;
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(WTERMSIG(status), signal_number);
    int entries = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().string(), kept);
      ++entries;
    }
    EXPECT_EQ(entries, 1);
    std::filesystem::remove(kept);
  }
}

TEST_F(TemporaryFilesTest, AnIgnoredSignalStaysIgnored) {
  const std::string target = File("out.csv");
  const int status = InChild([&] {
    std::signal(SIGHUP, SIG_IGN);  // as under nohup
    AtomicFile file(target);
    file.Write("data");
    std::raise(SIGHUP);
    file.Commit();
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(Exists(target));
}

TEST_F(TemporaryFilesTest, ACommittedOrAbandonedFileIsNoLongerRegistered) {
  const std::string committed = File("done.csv");
  const std::string abandoned = File("failed.csv");
  const std::string later = File("later.csv");
  const int status = InChild([&] {
    {
      AtomicFile file(committed);
      file.Write("whole");
      file.Commit();
    }
    { AtomicFile file(abandoned); }  // a failure: the destructor removes it
    // The signal finds only the file in progress; the committed one stays.
    AtomicFile file(later);
    std::raise(SIGTERM);
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(Exists(committed));
  EXPECT_FALSE(Exists(abandoned));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(TemporaryFilesTest, RegistrationsMoveAndRelease) {
  TemporaryFileRegistration a(File("a"));
  EXPECT_TRUE(a.registered());
  TemporaryFileRegistration b(std::move(a));
  EXPECT_FALSE(a.registered());  // NOLINT(bugprone-use-after-move): the moved-from state
  EXPECT_TRUE(b.registered());
  b.Release();
  EXPECT_FALSE(b.registered());
  // Far more registrations than slots: the extra ones are simply not registered.
  std::vector<TemporaryFileRegistration> many;
  for (int i = 0; i < 100; ++i) many.emplace_back(File(std::string("f").append(std::to_string(i))));
  EXPECT_TRUE(many.front().registered());
  EXPECT_FALSE(many.back().registered());
  many.clear();
  EXPECT_TRUE(TemporaryFileRegistration(File("again")).registered());
}

}  // namespace
}  // namespace scaleml
