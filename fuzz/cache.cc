// libFuzzer target: the binary cache loader, LoadCache. The first 16 bytes are the CSV source
// the cache must match (size, mtime_ns), so that mutated caches still reach the checks past the
// source; a byte of options follows, then the cache file. A rejected cache (nullopt) or a
// scaleml::Error is fine; a crash, another exception or a sanitizer report is a bug. A loaded
// dataset is read end to end, so a view reaching past the mapping faults here.
#include <cmath>
#include <cstdint>

#include "core/Error.h"
#include "data/BinaryCache.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  scaleml::CsvSource source;
  source.size = input.U64();
  source.mtime_ns = static_cast<std::int64_t>(input.U64());
  const std::uint8_t choice = input.Byte();
  scaleml::CsvOptions options;
  options.allow_missing = (choice & 1) != 0;
  options.require_target = (choice & 2) == 0;
  const std::string& path =
      scaleml::fuzz::WriteScratch(input.rest(), input.rest_size(), ".scaleml");
  try {
    auto loaded = scaleml::LoadCache(path, source, options);
    if (loaded) {
      double sum = 0;
      for (std::size_t f = 0; f < loaded->features(); ++f) {
        for (float v : loaded->column(f)) sum += std::isnan(v) ? 0 : v;
      }
      for (std::int32_t label : loaded->labels()) sum += label;
      for (std::int64_t id : loaded->row_ids()) sum += static_cast<double>(id);
      for (const auto& name : loaded->feature_names()) sum += name.size();
      volatile double sink = sum;
      (void)sink;
    }
  } catch (const scaleml::Error&) {
  }
  return 0;
}
