// The engine and ddp-mode flags parse into their enums and back to the same spellings (the
// reports' "engine" and "ddp_mode"); anything else is an input error that lists the choices.
#include "engine/EngineKind.h"

#include <gtest/gtest.h>

#include "core/Error.h"

namespace scaleml {
namespace {

TEST(EngineKind, ParsesEachNameAndSpellsItBack) {
  for (EngineKind kind : {EngineKind::kLocal, EngineKind::kTasks, EngineKind::kDdp}) {
    EXPECT_EQ(ParseEngineKind(EngineKindName(kind)), kind);
  }
  EXPECT_STREQ(EngineKindName(EngineKind::kLocal), "local");
  EXPECT_STREQ(EngineKindName(EngineKind::kTasks), "tasks");
  EXPECT_STREQ(EngineKindName(EngineKind::kDdp), "ddp");
}

TEST(EngineKind, AnUnknownNameIsAnInputErrorListingTheEngines) {
  for (const char* name : {"", "Local", "spark", "ray", "local "}) {
    try {
      ParseEngineKind(name);
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.ExitCode(), 2);
      EXPECT_NE(std::string(e.what()).find("use local, tasks or ddp"), std::string::npos)
          << e.what();
    }
  }
}

TEST(DdpMode, ParsesEachNameAndRejectsOthers) {
  EXPECT_EQ(ParseDdpMode("one-model"), DdpMode::kOneModel);
  EXPECT_EQ(ParseDdpMode("paper"), DdpMode::kPaper);
  EXPECT_STREQ(DdpModeName(DdpMode::kOneModel), "one-model");
  EXPECT_STREQ(DdpModeName(DdpMode::kPaper), "paper");
  try {
    ParseDdpMode("one_model");
    ADD_FAILURE() << "accepted one_model";
  } catch (const Error& e) {
    EXPECT_EQ(e.ExitCode(), 2);
    EXPECT_NE(std::string(e.what()).find("use one-model or paper"), std::string::npos);
  }
}

}  // namespace
}  // namespace scaleml
