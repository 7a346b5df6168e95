// libFuzzer target: what the dashboard reads from folders it did not write and from requests:
// a trial's result.jsonl and result.json (the input, split at its first NUL byte), the Cookie
// header and names from URLs. Every answer must be built without a crash, an exception other
// than scaleml::Error or a sanitizer report, and a name IsSafeName accepts must never hold '/'.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "dashboard/ExperimentIndex.h"
#include "dashboard/SafeName.h"
#include "dashboard/SessionAuth.h"
#include "fuzz/FuzzFile.h"

namespace {

const std::string& ExperimentDir() {
  static const std::string dir = [] {
    const std::string path = scaleml::fuzz::ScratchPath("_experiment");
    std::filesystem::create_directories(path + "/t_00000");
    std::ofstream(path + "/experiment_state.json")
        << R"({"algo":"gbdt","metric":"accuracy","mode":"max",)"
        << R"("trials":[{"trial_id":"t_00000","config":{"lr":0.1}}]})";
    return path;
  }();
  return dir;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto split = text.find('\0');
  const std::string curve = text.substr(0, split);
  const std::string result = split == std::string::npos ? "" : text.substr(split + 1);
  const std::string& dir = ExperimentDir();
  Write(dir + "/t_00000/result.jsonl", curve);
  Write(dir + "/t_00000/result.json", result);
  scaleml::dashboard::ExperimentIndex index({dir});
  scaleml::dashboard::TrialQuery query;
  query.curve_points = 1 + size % 7;
  query.sort = size % 2 ? "metric" : "iteration";
  if (!index.Trials(std::filesystem::path(dir).filename().string(), query)) std::abort();
  (void)index.Trial(std::filesystem::path(dir).filename().string(), "t_00000");
  (void)index.List();
  (void)scaleml::dashboard::SessionAuth::CookieValue(text, "scaleml_session");
  if (scaleml::dashboard::IsSafeName(text) && text.find('/') != std::string::npos) std::abort();
  return 0;
}
