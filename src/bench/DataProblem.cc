#include "bench/DataProblem.h"

#include "core/Error.h"

namespace scaleml::bench {

const char* ProblemName(DataProblem problem) {
  return problem == DataProblem::kOne ? "one" : "per-chunk";
}

DataProblem ParseDataProblem(const std::string& word) {
  if (word == "per-chunk") return DataProblem::kPerChunk;
  if (word == "one") return DataProblem::kOne;
  throw InputError("--problem: '", word,
                   "' is not a data variant (per-chunk: the paper's data, one problem per "
                   "300,000-row chunk; one: one problem for the whole file)");
}

DataProblem ProblemOfRecord(const std::string& word) {
  return word == "one" ? DataProblem::kOne : DataProblem::kPerChunk;
}

}  // namespace scaleml::bench
