#include "bench/RunSpec.h"

namespace scaleml::bench {

std::string RunSpec::Id() const {
  std::string id = suite + "/" + algo + "/" + engine;
  if (!mode.empty()) id += "-" + mode;
  id += "/" + size + "/r" + std::to_string(ranks) + "/t" + std::to_string(trials);
  if (problem == DataProblem::kOne) id += "/one";
  return id;
}

std::string RunSpec::FileStem() const {
  std::string stem = Id();
  for (char& c : stem) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.';
    if (!safe) c = '_';
  }
  return stem;
}

}  // namespace scaleml::bench
