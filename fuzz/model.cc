// libFuzzer target: the model loader, LoadClassifier, then a prediction with the loaded model on
// a small dataset (a model that loads must predict or refuse, never crash). The first byte picks
// the dataset's feature count; the rest is the model file. A scaleml::Error is fine; a crash,
// another exception or a sanitizer report is a bug.
#include <cstdint>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/Error.h"
#include "core/Threads.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int threads = scaleml::SetThreads(1);
  (void)threads;
  scaleml::fuzz::InputBytes input(data, size);
  const std::size_t features = 1 + input.Byte() % 12;
  const std::string& path = scaleml::fuzz::WriteScratch(input.rest(), input.rest_size(), ".model");
  try {
    auto model = scaleml::LoadClassifier(path);
    std::vector<std::string> names;
    for (std::size_t f = 0; f < features; ++f) names.push_back("f" + std::to_string(f));
    scaleml::Dataset rows(names, 3);
    for (std::size_t f = 0; f < features; ++f) {
      auto column = rows.mutable_column(f);
      for (std::size_t r = 0; r < column.size(); ++r) column[r] = static_cast<float>(r) - 1.0f;
    }
    scaleml::LocalComm comm;
    auto proba = model->PredictProba(rows, comm);
    (void)proba;
  } catch (const scaleml::Error&) {
  }
  return 0;
}
