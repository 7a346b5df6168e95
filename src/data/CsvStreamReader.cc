#include "data/CsvStreamReader.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "core/Stopwatch.h"
#include "data/CsvParser.h"
#include "data/CsvText.h"
#include "data/CsvWindows.h"
#include "data/DatasetBuilder.h"

namespace scaleml {
namespace {

// The rows a whole file of this compression ratio and these rows per byte would hold.
std::size_t EstimatedRows(const CsvWindow& window, std::uint64_t file_size, int nranks) {
  if (window.consumed == 0 || window.end <= window.begin || window.records == 0) return 0;
  const double ratio = static_cast<double>(window.produced) / static_cast<double>(window.consumed);
  const double bytes_per_row =
      static_cast<double>(window.end - window.begin) / static_cast<double>(window.records);
  const double rows = static_cast<double>(file_size) * ratio / bytes_per_row / nranks;
  return static_cast<std::size_t>(std::min(rows * 1.05 + 1024.0, 1e12));
}

// Parses the rows of [begin, end) of a window (kLines when no quoted field holds a newline).
ParsedRows ParseRange(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
                      std::size_t begin, std::size_t end, std::int64_t first_row_id,
                      const CsvOptions& options, bool quoted_newline) {
  ParsedRows parsed;
  if (!quoted_newline) {
    parsed = ParseRows(text, layout, plan, begin, end, first_row_id, options, RecordSplit::kLines);
    if (!parsed.needs_quote_split) return parsed;
  }
  return ParseRows(text, layout, plan, begin, end, first_row_id, options, RecordSplit::kQuoteAware);
}

// This rank's records of the window, as ReadPartition splits a file.
ParsedRows ParseShare(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
                      const CsvWindow& window, int rank, int nranks, const CsvOptions& options) {
  if (nranks == 1) {
    return ParseRange(text, layout, plan, layout.data_begin, layout.data_end, layout.records_before,
                      options, window.quoted_newline);
  }
  const std::size_t length = layout.data_end - layout.data_begin;
  const std::size_t lo = layout.data_begin + length * static_cast<std::size_t>(rank) / nranks;
  const std::size_t hi = layout.data_begin + length * static_cast<std::size_t>(rank + 1) / nranks;
  std::size_t begin, end;
  std::int64_t first_row_id = layout.records_before;
  if (!window.quoted_newline) {
    begin = LineStartAtOrAfter(text, layout, lo);
    end = LineStartAtOrAfter(text, layout, hi);
    first_row_id += CountNewlines(text, layout.data_begin, begin, options.threads);
  } else {
    const auto bounds = QuoteAwareBounds(text, layout, {lo, hi});
    begin = bounds[0].offset;
    end = bounds[1].offset;
    first_row_id += bounds[0].records_before;
  }
  if (end <= begin) return ParsedRows{};
  return ParseRange(text, layout, plan, begin, end, first_row_id, options, window.quoted_newline);
}

}  // namespace

Dataset ReadCompressedCsv(const std::string& path, const CsvOptions& options, int rank, int nranks,
                          CsvLoadInfo* info, std::size_t window_bytes) {
  Stopwatch watch;
  CsvWindows windows(path, options.delimiter, window_bytes, options.sample_rows);
  CsvWindow window;
  windows.Next(window);  // the producer publishes at least one window or an error
  CsvLayout layout;
  CsvPlan plan;
  {
    const CsvText first(path, window.buffer.get(), window.size);
    // The delimiter the windows were cut with (detected from the file's first lines, as
    // ParseCsvLayout would).
    CsvOptions layout_options = options;
    layout_options.delimiter = window.delimiter;
    layout = ParseCsvLayout(first, layout_options);
    // The schema sample reads only the first window's whole records.
    layout.data_end = window.end;
    plan = PlanColumns(first, layout, options);
  }
  layout.lines_before = 1;  // the header line (CsvWindows cuts it at its first newline)
  CsvOptions parse_options = options;
  // One thread is the decompressor's, the bottleneck (inflate runs at a fraction of the parser's
  // speed): the parse gets the others, so that its threads never take the producer's core.
  const int threads_given = options.threads > 0 ? options.threads : omp_get_max_threads();
  parse_options.threads = std::max(1, threads_given - 1);
  DatasetBuilder builder(plan.feature_names, options.target);
  builder.Seed(plan.schema);
  builder.Reserve(EstimatedRows(window, windows.file_size(), nranks));
  ParsedRows parsed;
  std::int64_t skipped = 0;
  int threads = 1;
  bool first = true;
  do {
    const CsvText text(path, window.buffer.get(), window.size);
    CsvLayout block = layout;
    block.data_begin = first ? layout.data_begin : window.begin;
    block.data_end = window.end;
    if (block.data_end > block.data_begin) {
      parsed = ParseShare(text, block, plan, window, rank, nranks, parse_options);
      skipped += parsed.skipped_missing_label;
      threads = std::max(threads, parsed.threads);
      if (builder.rows() + parsed.data.rows() > builder.capacity()) {
        builder.Reserve(std::max(builder.rows() + parsed.data.rows(),
                                 EstimatedRows(window, windows.file_size(), nranks)));
      }
      if (parsed.data.features() > 0) builder.Append(parsed.data);
      parsed = ParsedRows{};
    }
    layout.records_before += window.records;
    layout.lines_before += window.newlines;
    first = false;
    windows.Recycle(std::move(window));
    window = CsvWindow{};
  } while (windows.Next(window));

  Dataset data = builder.Finish(plan.schema);
  if (info != nullptr) {
    *info = CsvLoadInfo{};
    info->skipped_missing_label = skipped;
    info->csv_bytes = windows.file_size();
    info->threads = threads;
    info->parse_seconds = info->seconds = watch.Seconds();
  }
  return data;
}

}  // namespace scaleml
