// libFuzzer target: the CSV reader through its public API, ReadCsv(path, options) and
// ReadPartition, and the streaming reader of compressed files. The first byte picks the options
// (missing values, target required, a partition, compressed: the rest deflated and read window by
// window with windows of a few dozen bytes, so records and quotes fall across windows); the rest
// is the file. A scaleml::Error is the reader refusing bad input, as it should; any
// other exception, a crash or a sanitizer report is a bug.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/Error.h"
#include "data/CsvReader.h"
#include "data/CsvStreamReader.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const std::uint8_t choice = input.Byte();
  scaleml::CsvOptions options;
  options.allow_missing = (choice & 1) != 0;
  options.require_target = (choice & 2) == 0;
  options.use_cache = false;
  options.threads = 1 + ((choice >> 2) & 1);
  if ((choice & 64) != 0) {
    std::string packed(compressBound(input.rest_size()), '\0');
    uLongf packed_size = packed.size();
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, input.rest(),
                  input.rest_size(), 1) != Z_OK) {
      return 0;
    }
    // Its own scratch file: WriteScratch keeps the suffix of its first call.
    static const std::string path = scaleml::fuzz::ScratchPath(".csv.gz");
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr || std::fwrite(packed.data(), 1, packed_size, file) != packed_size ||
        std::fclose(file) != 0) {
      std::perror(path.c_str());
      std::abort();
    }
    const int nranks = 1 + ((choice >> 4) & 1);
    const std::size_t window = 16 + 24 * ((choice >> 5) & 1);
    try {
      for (int rank = 0; rank < nranks; ++rank) {
        scaleml::ReadCompressedCsv(path, options, rank, nranks, nullptr, window);
      }
    } catch (const scaleml::Error&) {
    }
    return 0;
  }
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
