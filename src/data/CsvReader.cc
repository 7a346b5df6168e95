#include "data/CsvReader.h"

#include <omp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/Error.h"
#include "core/Log.h"
#include "core/MappedFile.h"
#include "core/Stopwatch.h"
#include "data/BinaryCache.h"
#include "data/CsvParser.h"

namespace scaleml {
namespace {

int ParserThreads(const CsvOptions& options) {
  return options.threads > 0 ? options.threads : omp_get_max_threads();
}

}  // namespace

Dataset ReadCsv(const std::string& path, const CsvOptions& options) {
  return ReadCsv(path, options, nullptr);
}

Dataset ReadCsv(const std::string& path, const CsvOptions& options, CsvLoadInfo* info) {
  Stopwatch watch;
  CsvLoadInfo local;
  CsvLoadInfo& load = info != nullptr ? *info : local;
  load = CsvLoadInfo{};
  const std::string cache_path = CachePathFor(path);

  // The CSV's identity before the parse keys the cache written after it: a file changed while
  // being parsed gets a cache that the next load finds stale.
  const std::optional<CsvSource> source = options.use_cache ? CsvSourceOf(path) : std::nullopt;
  if (source) {
    if (auto cached = LoadCache(cache_path, *source, options)) {
      load.from_cache = true;
      load.csv_bytes = source->size;
      load.threads = 1;
      load.seconds = watch.Seconds();
      return std::move(*cached);
    }
  }

  MappedFile file(path);
  file.AdviseSequential();
  const CsvLayout layout = ParseCsvLayout(file, options);
  CsvOptions parse_options = options;
  parse_options.threads = ParserThreads(options);
  ParseStats stats;
  Dataset data =
      ParseRows(file, layout, layout.data_begin, layout.data_end, 0, parse_options, &stats);
  load.csv_bytes = file.size();
  load.threads = stats.threads;
  load.parse_seconds = watch.Seconds();
  if (source) {
    load.cache_written = WriteCache(cache_path, data, *source,
                                    CacheFlags{stats.has_missing, layout.target_column >= 0});
  }
  load.seconds = watch.Seconds();
  LogDebug(path, ": parsed ", data.rows(), " rows in ", load.parse_seconds, " s with ",
           load.threads, " threads");
  return data;
}

Dataset ReadPartition(const std::string& path, int rank, int nranks, const CsvOptions& options) {
  if (nranks < 1 || rank < 0 || rank >= nranks) {
    throw InputError(path, ": partition ", rank, " of ", nranks,
                     " does not exist (need 0 <= rank < nranks)");
  }
  MappedFile file(path);
  const CsvLayout layout = ParseCsvLayout(file, options);
  const std::size_t length = layout.data_end - layout.data_begin;
  const auto r = static_cast<std::size_t>(rank);
  const auto n = static_cast<std::size_t>(nranks);
  // Every rank computes the same boundaries, so the ranges tile the data exactly.
  const std::size_t begin = LineStartAtOrAfter(file, layout, layout.data_begin + length * r / n);
  const std::size_t end =
      LineStartAtOrAfter(file, layout, layout.data_begin + length * (r + 1) / n);
  const std::int64_t first_row_id =
      CountNewlines(file, layout.data_begin, begin, ParserThreads(options));
  file.AdviseSequential();
  CsvOptions parse_options = options;
  parse_options.threads = ParserThreads(options);
  return ParseRows(file, layout, begin, end, first_row_id, parse_options);
}

}  // namespace scaleml
