#include "data/CsvReader.h"

#include <omp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Stopwatch.h"
#include "data/BinaryCache.h"
#include "data/CsvParser.h"
#include "data/CsvStreamReader.h"
#include "data/CsvText.h"
#include "data/CsvValues.h"
#include "data/DictionaryMerge.h"

namespace scaleml {
namespace {

int ParserThreads(const CsvOptions& options) {
  return options.threads > 0 ? options.threads : omp_get_max_threads();
}

// The schema of the paper's files: every column numeric, raw integer labels, nothing ignored.
void LogSkippedLabels(const std::string& path, std::int64_t skipped, const CsvOptions& options) {
  if (skipped > 0) {
    LogWarning(path, ": skipped ", skipped, " rows whose label (", options.target, ") is missing");
  }
}

// Whole-file decisions (ids, all-missing columns): the same merge the ranks of a partitioned
// read make, with one part. The notices name the columns the merge changed (ignored, or read as
// numbers).
void WholeFileDecisions(const std::string& path, const CsvOptions& options, Dataset& data) {
  std::vector<std::string> notices;
  const Schema merged =
      MergeDictionaries(data.schema(), {DictionariesOf(data)}, options.categorical, &notices);
  for (const auto& notice : notices) LogWarning(path, ": ", notice);
  if (!notices.empty()) RemapToMergedDictionaries(data, merged);
}

}  // namespace

bool CsvOptions::PlainParsing() const {
  return categorical.empty() && numeric.empty() && ignore.empty() && fixed_schema == nullptr &&
         delimiter == 0 && na_values == DefaultNaValues();
}

Dataset ReadCsv(const std::string& path, const CsvOptions& options) {
  return ReadCsv(path, options, nullptr);
}

Dataset ReadCsv(const std::string& path, const CsvOptions& options, CsvLoadInfo* info) {
  Stopwatch watch;
  CsvLoadInfo local;
  CsvLoadInfo& load = info != nullptr ? *info : local;
  load = CsvLoadInfo{};
  const std::string cache_path = CachePathFor(path);
  // The cache holds files parsed with the default options.
  const bool cacheable = options.use_cache && options.PlainParsing() && !options.no_missing &&
                         CompressionOf(path) == Compression::kNone;

  // The CSV's identity before the parse keys the cache written after it: a file changed while
  // being parsed gets a cache that the next load finds stale.
  const std::optional<CsvSource> source = cacheable ? CsvSourceOf(path) : std::nullopt;
  if (source) {
    if (auto cached = LoadCache(cache_path, *source, options)) {
      load.from_cache = true;
      load.csv_bytes = source->size;
      load.threads = 1;
      load.seconds = watch.Seconds();
      return std::move(*cached);
    }
  }

  if (CompressionOf(path) != Compression::kNone) {
    // Streamed window by window; no binary cache (the compressed file is the compact form).
    Dataset data = ReadCompressedCsv(path, options, 0, 1, &load);
    if (options.fixed_schema == nullptr) WholeFileDecisions(path, options, data);
    LogSkippedLabels(path, load.skipped_missing_label, options);
    load.seconds = watch.Seconds();
    return data;
  }
  CsvText text(path);
  text.AdviseSequential();
  const CsvLayout layout = ParseCsvLayout(text, options);
  const CsvPlan plan = PlanColumns(text, layout, options);
  CsvOptions parse_options = options;
  parse_options.threads = ParserThreads(options);
  ParsedRows parsed = ParseRows(text, layout, plan, layout.data_begin, layout.data_end, 0,
                                parse_options, RecordSplit::kLines);
  if (parsed.needs_quote_split) {
    // A quoted field holds a newline: the pieces start at records, found following quotes.
    parsed = ParseRows(text, layout, plan, layout.data_begin, layout.data_end, 0, parse_options,
                       RecordSplit::kQuoteAware);
  }
  Dataset data = std::move(parsed.data);
  if (!plan.plain && options.fixed_schema == nullptr) WholeFileDecisions(path, options, data);
  LogSkippedLabels(path, parsed.skipped_missing_label, options);
  load.skipped_missing_label = parsed.skipped_missing_label;
  load.csv_bytes = text.file_size();
  load.threads = parsed.threads;
  load.parse_seconds = watch.Seconds();
  // The cache stores the schema (types, dictionaries, classes); a load that skipped rows would
  // not warn again from it, so such a table is parsed each time.
  if (source && parsed.skipped_missing_label == 0) {
    load.cache_written = WriteCache(cache_path, data, *source,
                                    CacheFlags{parsed.has_missing, layout.target_column >= 0});
  }
  load.seconds = watch.Seconds();
  LogDebug(path, ": parsed ", data.rows(), " rows in ", load.parse_seconds, " s with ",
           load.threads, " threads");
  return data;
}

Dataset ReadPartition(const std::string& path, int rank, int nranks, const CsvOptions& options,
                      CsvLoadInfo* info) {
  if (nranks < 1 || rank < 0 || rank >= nranks) {
    throw InputError(path, ": partition ", rank, " of ", nranks,
                     " does not exist (need 0 <= rank < nranks)");
  }
  if (CompressionOf(path) != Compression::kNone) {
    CsvLoadInfo local;
    Dataset data = ReadCompressedCsv(path, options, rank, nranks, &local);
    LogSkippedLabels(path, local.skipped_missing_label, options);
    if (info != nullptr) *info = local;
    return data;
  }
  Stopwatch watch;
  CsvText text(path);
  const CsvLayout layout = ParseCsvLayout(text, options);
  // Every rank plans from the same first rows of the file, so every rank has the same types.
  const CsvPlan plan = PlanColumns(text, layout, options);
  const int threads = ParserThreads(options);
  const std::size_t length = layout.data_end - layout.data_begin;
  const auto r = static_cast<std::size_t>(rank);
  const auto n = static_cast<std::size_t>(nranks);
  const std::size_t lo = layout.data_begin + length * r / n;
  const std::size_t hi = layout.data_begin + length * (r + 1) / n;
  // Every rank computes the same boundaries, so the ranges tile the data exactly. Line starts
  // first: the fast path when no quoted field holds a newline. A quote before this
  // part may open a field that spans its start; a quoted newline inside it shows in the parse.
  // Either way every rank then follows quotes from the start: a quoted field spanning a
  // boundary between two parts starts in the first, whose own parse or prefix scan sees it, so
  // neighbours agree on their common boundary.
  std::size_t begin = LineStartAtOrAfter(text, layout, lo);
  std::size_t end = LineStartAtOrAfter(text, layout, hi);
  bool quote_before = false;
  std::int64_t first_row_id = CountNewlines(text, layout.data_begin, begin, threads, &quote_before);
  text.AdviseSequential();
  CsvOptions parse_options = options;
  parse_options.threads = threads;
  ParsedRows parsed;
  if (!quote_before) {
    parsed =
        ParseRows(text, layout, plan, begin, end, first_row_id, parse_options, RecordSplit::kLines);
  }
  if (quote_before || parsed.needs_quote_split) {
    const auto bounds = QuoteAwareBounds(text, layout, {lo, hi});
    begin = bounds[0].offset;
    end = bounds[1].offset;
    first_row_id = bounds[0].records_before;
    parsed = ParseRows(text, layout, plan, begin, end, first_row_id, parse_options,
                       RecordSplit::kQuoteAware);
  }
  LogSkippedLabels(path, parsed.skipped_missing_label, options);
  if (info != nullptr) {
    *info = CsvLoadInfo{};
    info->skipped_missing_label = parsed.skipped_missing_label;
    info->csv_bytes = text.file_size();
    info->threads = parsed.threads;
    info->parse_seconds = info->seconds = watch.Seconds();
  }
  return std::move(parsed.data);
}

}  // namespace scaleml
