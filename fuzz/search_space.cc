// libFuzzer target: the tune search space, as `tune --search-space` reads it: Parse, the check
// against an algorithm's schema (the first byte picks the algorithm) and the expansion into
// trials. A scaleml::Error from Parse or the check is fine; one after the check passed is a bug; a
// crash, another exception or a sanitizer report is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "algo/Registry.h"
#include "core/Error.h"
#include "engine/tune/SearchSpace.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const std::uint8_t choice = input.Byte();
  const auto& algorithms = scaleml::Algorithms();
  const scaleml::AlgorithmInfo& algorithm = algorithms[choice % algorithms.size()];
  scaleml::tune::SearchSpace space;
  try {
    space = scaleml::tune::SearchSpace::Parse(input.RestText());
    space.CheckParams(algorithm.name, *algorithm.schema);
  } catch (const scaleml::Error&) {
    return 0;  // refused up front, as it should be
  }
  // A space that passed the check must expand into trials whose every value the algorithm
  // accepts: an error here is a value the check let through, which would fail a trial.
  try {
    const int samples = 1 + (choice >> 4) % 3;
    auto configs = space.Expand(samples, choice);
    for (const auto& config : configs) {
      for (const auto& [key, value] : config.items()) {
        algorithm.schema->CheckValue(key, scaleml::tune::ParamText(value));
      }
    }
  } catch (const scaleml::Error& e) {
    std::fprintf(stderr, "checked search space failed later: %s\n", e.what());
    std::abort();
  }
  return 0;
}
