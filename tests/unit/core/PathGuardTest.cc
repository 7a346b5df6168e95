#include "core/PathGuard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/Error.h"

namespace scaleml {
namespace {

namespace fs = std::filesystem;

class PathGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pathguard_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "s.csv") << "a,target\n1,0\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(PathGuardTest, SamePathSpellings) {
  EXPECT_TRUE(SamePath(P("s.csv"), P("s.csv")));
  EXPECT_TRUE(SamePath(P("s.csv"), P("./s.csv")));
  EXPECT_TRUE(SamePath(P("s.csv"), (dir_ / "sub" / ".." / "s.csv").string()));
  EXPECT_FALSE(SamePath(P("s.csv"), P("t.csv")));
  EXPECT_TRUE(SamePath(P("new.csv"), P("./new.csv")));  // neither exists: by path
}

TEST_F(PathGuardTest, SymlinkAndHardLinkAreTheSameFile) {
  fs::create_symlink(P("s.csv"), P("link.csv"));
  fs::create_hard_link(P("s.csv"), P("hard.csv"));
  EXPECT_TRUE(SamePath(P("link.csv"), P("s.csv")));
  EXPECT_TRUE(SamePath(P("hard.csv"), P("s.csv")));
}

TEST_F(PathGuardTest, RefusesAnOutputOntoAnInputNamingBothFlags) {
  try {
    RefuseOverwritingInputs({{"--out", P("s.csv")}},
                            {{"--model", P("m.model")}, {"--data", P("./s.csv")}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    const std::string message = e.what();
    EXPECT_NE(message.find("--out"), std::string::npos) << message;
    EXPECT_NE(message.find("--data"), std::string::npos) << message;
  }
}

TEST_F(PathGuardTest, AcceptsDistinctAndEmptyPaths) {
  EXPECT_NO_THROW(RefuseOverwritingInputs({{"--out", P("p.csv")}, {"--save-model", ""}},
                                          {{"--data", P("s.csv")}, {"--model", ""}}));
}

}  // namespace
}  // namespace scaleml
