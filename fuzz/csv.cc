// libFuzzer target: the CSV reader through its public API, ReadCsv(path, options) and
// ReadPartition. The first byte picks the options (missing values, target required, a partition);
// the rest is the file. A scaleml::Error is the reader refusing bad input, as it should; any
// other exception, a crash or a sanitizer report is a bug.
#include <cstdint>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const std::uint8_t choice = input.Byte();
  scaleml::CsvOptions options;
  options.allow_missing = (choice & 1) != 0;
  options.require_target = (choice & 2) == 0;
  options.use_cache = false;
  options.threads = 1 + ((choice >> 2) & 1);
  const std::string& path = scaleml::fuzz::WriteScratch(input.rest(), input.rest_size(), ".csv");
  try {
    if ((choice & 8) != 0) {
      const int nranks = 1 + ((choice >> 4) & 3);
      for (int rank = 0; rank < nranks; ++rank) {
        scaleml::ReadPartition(path, rank, nranks, options);
      }
    } else {
      scaleml::Dataset dataset = scaleml::ReadCsv(path, options);
      (void)dataset;
    }
  } catch (const scaleml::Error&) {
  }
  return 0;
}
