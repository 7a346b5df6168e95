#include "data/CsvParser.h"

#include <fast_float/fast_float.h>
#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <unordered_map>

#include "core/Error.h"
#include "data/CsvRowParser.h"
#include "data/CsvValues.h"
#include "data/DictionaryMerge.h"

namespace scaleml {
namespace {

// Bytes a thread scans between handing pages back to the kernel: large enough that madvise costs
// nothing, small enough that the mapping's share of the resident set stays a few blocks.
constexpr std::size_t kReleaseBytes = std::size_t{2} << 20;
// Below this many bytes per thread, extra threads cost more than they save.
constexpr std::size_t kMinBytesPerThread = std::size_t{1} << 16;

// Counts `delimiter` outside quotes in one line.
std::size_t CountOutsideQuotes(std::string_view line, char delimiter) {
  std::size_t count = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == delimiter) ++count;
  }
  return count;
}

// The delimiter among , ; tab | that splits the header and the first lines into the same
// number of fields (more than one); ties and doubt go to the comma.
char DetectAmong(const char* data, std::size_t begin, std::size_t size) {
  std::vector<std::string_view> lines;
  std::size_t at = begin;
  while (at < size && lines.size() < 20) {
    const void* hit = std::memchr(data + at, '\n', size - at);
    const std::size_t e =
        hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - data) : size;
    std::string_view line(data + at, e - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    at = e + 1;
  }
  if (lines.empty()) return ',';
  char best = ',';
  std::size_t best_count = 0;
  for (char candidate : {',', ';', '\t', '|'}) {
    const std::size_t header = CountOutsideQuotes(lines[0], candidate);
    if (header == 0) continue;
    bool consistent = true;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      // A line with a quote may hold part of a quoted newline: not evidence either way.
      if (lines[i].find('"') != std::string_view::npos) continue;
      if (CountOutsideQuotes(lines[i], candidate) != header) consistent = false;
    }
    if (consistent && header > best_count) {
      best = candidate;
      best_count = header;
    }
  }
  return best;
}

std::string Trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  return std::string(text.substr(b, e - b));
}

// Splits the header line into names; a name may be quoted ("a,b" or "say ""hi""").
std::vector<std::string> SplitHeader(std::string_view line, char delimiter,
                                     const std::string& path) {
  std::vector<std::string> names;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string name;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            name += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        name += line[i++];
      }
      if (!closed) {
        throw InputError(path, ":1: column ", names.size() + 1, ": unterminated quote in header");
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != delimiter) {
        throw InputError(path, ":1: column ", names.size() + 1,
                         ": unexpected text after the closing quote of a header name");
      }
    } else {
      std::size_t comma = line.find(delimiter, i);
      if (comma == std::string_view::npos) comma = line.size();
      name = Trim(line.substr(i, comma - i));
      i = comma;
    }
    names.push_back(std::move(name));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return names;
}

std::string ListColumns(const std::vector<std::string>& columns) {
  std::string list;
  const std::size_t shown = std::min<std::size_t>(columns.size(), 20);
  for (std::size_t c = 0; c < shown; ++c) {
    if (c > 0) list += ", ";
    list += columns[c];
  }
  if (shown < columns.size()) list += StrCat(", ... (", columns.size(), " in all)");
  return list;
}

int ResolveThreads(int requested, std::size_t bytes) {
  int threads = requested > 0 ? requested : omp_get_max_threads();
  const std::size_t useful = std::max<std::size_t>(1, bytes / kMinBytesPerThread);
  return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(threads, useful)));
}

// Counts '\n' in [begin, end); with `quote` non-null, also sets it when a '"' is there.
std::int64_t CountNewlinesSerial(const CsvText& file, std::size_t begin, std::size_t end,
                                 bool* quote = nullptr) {
  const char* data = file.data();
  std::int64_t count = 0;
  std::size_t released = begin;
  for (std::size_t block = begin; block < end; block += kReleaseBytes) {
    const char* p = data + block;
    const char* block_end = data + std::min(end, block + kReleaseBytes);
    if (quote != nullptr && !*quote) {
      *quote = std::memchr(p, '"', static_cast<std::size_t>(block_end - p)) != nullptr;
    }
    while (p < block_end) {
      const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(block_end - p));
      if (hit == nullptr) break;
      ++count;
      p = static_cast<const char*>(hit) + 1;
    }
    const std::size_t done = static_cast<std::size_t>(block_end - data);
    if (done - released >= kReleaseBytes) {
      file.ReleasePages(released, done);
      released = done;
    }
  }
  file.ReleasePages(released, end);
  return count;
}

// Follows CSV quoting one byte at a time, with the row parser's rules (CsvRowParser::ExtractField,
// and ScanQuotes in CsvWindows.cc): a quote opens a quoted field only at the start of a field,
// after blanks (spaces, and tabs unless the tab is the delimiter); inside one, a doubled quote is
// text and a single quote closes it. Newlines outside quoted fields end records. Scans start at a
// record start.
class RecordScanner {
 public:
  RecordScanner(const char* data, std::size_t end, char delimiter)
      : data_(data), end_(end), delimiter_(delimiter), tab_is_blank_(delimiter != '\t') {}

  // Reads the byte at `i` (and steps `i` over the second quote of a doubled one); true when that
  // byte is a newline that ends a record.
  bool EndsRecord(std::size_t& i) {
    const char c = data_[i];
    if (quoted_) {
      if (c == '"') {
        if (i + 1 < end_ && data_[i + 1] == '"') {
          ++i;
        } else {
          quoted_ = false;
        }
      }
      return false;
    }
    if (c == '"' && field_start_) {
      quoted_ = true;
      field_start_ = false;
    } else if (c == '\n') {
      field_start_ = true;
      return true;
    } else if (c == delimiter_) {
      field_start_ = true;
    } else if (c != ' ' && c != '\r' && !(c == '\t' && tab_is_blank_)) {
      field_start_ = false;
    }
    return false;
  }

 private:
  const char* data_;
  std::size_t end_;
  char delimiter_;
  bool tab_is_blank_;
  bool field_start_ = true;
  bool quoted_ = false;
};

}  // namespace

char DetectDelimiter(const char* data, std::size_t size) {
  const std::size_t start = size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  return DetectAmong(data, start, size);
}

CsvLayout ParseCsvLayout(const CsvText& file, const CsvOptions& options) {
  const std::string& path = file.path();
  const char* data = file.data();
  const std::size_t size = file.size();
  if (size == 0) throw InputError(path, ": the file is empty (expected a header line and rows)");
  std::size_t start = 0;
  if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) start = 3;  // UTF-8 BOM
  const void* newline = std::memchr(data + start, '\n', size - start);
  const std::size_t header_end =
      newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : size;
  std::string_view header(data + start, header_end - start);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);

  CsvLayout layout;
  layout.data_begin = newline ? header_end + 1 : size;
  layout.data_end = size;
  while (layout.data_end > layout.data_begin &&
         (data[layout.data_end - 1] == '\n' || data[layout.data_end - 1] == '\r')) {
    --layout.data_end;
  }
  if (Trim(header).empty()) {
    throw InputError(path, ":1: the header line is empty (expected column names)");
  }
  layout.delimiter = options.delimiter != 0 ? options.delimiter : DetectAmong(data, start, size);
  layout.columns = SplitHeader(header, layout.delimiter, path);

  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t c = 0; c < layout.columns.size(); ++c) {
    const std::string& name = layout.columns[c];
    if (name.empty()) throw InputError(path, ":1: column ", c + 1, " has an empty name");
    auto [it, inserted] = seen.emplace(name, c);
    if (!inserted) {
      throw InputError(path, ":1: duplicate column name '", name, "' (columns ", it->second + 1,
                       " and ", c + 1, ")");
    }
  }
  auto target = seen.find(options.target);
  if (target != seen.end()) {
    layout.target_column = static_cast<int>(target->second);
  } else if (options.require_target) {
    throw InputError(path, ":1: no target column '", options.target,
                     "'; the columns are: ", ListColumns(layout.columns),
                     " (choose the label column with --target)");
  }
  if (layout.columns.size() == 1 && layout.target_column == 0) {
    throw InputError(path, ":1: no feature columns (the only column is the target '",
                     options.target, "')");
  }
  if (layout.data_begin >= layout.data_end) {
    throw InputError(path, ": no data rows (the file holds only a header)");
  }
  return layout;
}

std::size_t LineStartAtOrAfter(const CsvText& file, const CsvLayout& layout, std::size_t offset) {
  if (offset <= layout.data_begin) return layout.data_begin;
  if (offset >= layout.data_end) return layout.data_end;
  const char* data = file.data();
  if (data[offset - 1] == '\n') return offset;
  const void* hit = std::memchr(data + offset, '\n', layout.data_end - offset);
  if (hit == nullptr) return layout.data_end;
  return static_cast<std::size_t>(static_cast<const char*>(hit) - data) + 1;
}

std::int64_t CountNewlines(const CsvText& file, std::size_t begin, std::size_t end, int threads,
                           bool* quote) {
  if (quote != nullptr) *quote = false;
  if (end <= begin) return 0;
  const int t = ResolveThreads(threads, end - begin);
  if (t == 1) return CountNewlinesSerial(file, begin, end, quote);
  std::int64_t total = 0;
  int found = 0;
#pragma omp parallel for num_threads(t) schedule(static, 1) reduction(+ : total) reduction(| : found)
  for (int i = 0; i < t; ++i) {
    const std::size_t b = begin + (end - begin) * i / t;
    const std::size_t e = begin + (end - begin) * (i + 1) / t;
    bool piece_quote = false;
    total += CountNewlinesSerial(file, b, e, quote != nullptr ? &piece_quote : nullptr);
    found |= piece_quote ? 1 : 0;
  }
  if (quote != nullptr) *quote = found != 0;
  return total;
}

std::vector<RecordBound> QuoteAwareBounds(const CsvText& text, const CsvLayout& layout,
                                          const std::vector<std::size_t>& offsets) {
  const char* data = text.data();
  RecordScanner scanner(data, layout.data_end, layout.delimiter);
  std::vector<RecordBound> bounds;
  bounds.reserve(offsets.size());
  std::size_t next = 0;
  std::int64_t records = 0;
  auto settle = [&](std::size_t start) {
    while (next < offsets.size() && offsets[next] <= start) {
      bounds.push_back({start, records});
      ++next;
    }
  };
  settle(layout.data_begin);
  for (std::size_t i = layout.data_begin; i < layout.data_end && next < offsets.size(); ++i) {
    if (scanner.EndsRecord(i)) {
      ++records;
      settle(i + 1);
    }
  }
  // Offsets past the last record start: the data end, after every record.
  while (next < offsets.size()) {
    bounds.push_back({layout.data_end, records + 1});
    ++next;
  }
  return bounds;
}

namespace {

// Where the pieces of [begin, end) start and how many rows each holds (prefix sums).
struct Pieces {
  std::vector<std::size_t> bounds;
  std::vector<std::int64_t> rows;  // rows[i] = rows before piece i; rows.back() = all
};

Pieces SplitByLines(const CsvText& text, const CsvLayout& layout, std::size_t begin,
                    std::size_t end, int threads) {
  Pieces pieces;
  pieces.bounds.resize(static_cast<std::size_t>(threads) + 1);
  for (int i = 0; i <= threads; ++i) {
    pieces.bounds[i] = LineStartAtOrAfter(text, layout, begin + (end - begin) * i / threads);
  }
  pieces.bounds[threads] = end;
  // Rows per piece: its newlines, plus the unterminated last line of the data.
  pieces.rows.assign(static_cast<std::size_t>(threads) + 1, 0);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int i = 0; i < threads; ++i) {
    std::int64_t rows = CountNewlinesSerial(text, pieces.bounds[i], pieces.bounds[i + 1]);
    if (pieces.bounds[i + 1] == layout.data_end && pieces.bounds[i + 1] > pieces.bounds[i]) ++rows;
    pieces.rows[i + 1] = rows;
  }
  for (int i = 0; i < threads; ++i) pieces.rows[i + 1] += pieces.rows[i];
  return pieces;
}

Pieces SplitQuoteAware(const CsvText& text, const CsvLayout& layout, std::size_t begin,
                       std::size_t end, int threads) {
  std::vector<std::size_t> offsets(static_cast<std::size_t>(threads) + 1);
  for (int i = 0; i <= threads; ++i) offsets[i] = begin + (end - begin) * i / threads;
  const std::vector<RecordBound> found = QuoteAwareBounds(text, layout, offsets);
  Pieces pieces;
  pieces.bounds.resize(found.size());
  pieces.rows.resize(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    pieces.bounds[i] = found[i].offset;
    pieces.rows[i] = found[i].records_before - found[0].records_before;
  }
  return pieces;
}

// The line (1-based, the header is line 1) on which record `record` (0-based, of the file) starts.
std::int64_t LineOfRecord(const CsvText& text, const CsvLayout& layout, std::int64_t record) {
  const char* data = text.data();
  record -= layout.records_before;
  RecordScanner scanner(data, layout.data_end, layout.delimiter);
  std::int64_t records = 0, newlines = 0;
  for (std::size_t i = layout.data_begin; i < layout.data_end && records < record; ++i) {
    if (data[i] == '\n') ++newlines;  // quoted or not: lines of the file
    if (scanner.EndsRecord(i)) ++records;
  }
  // Lines before the data: the header's, which may itself hold quoted newlines (or, in a window,
  // every line before it).
  std::int64_t header_lines = layout.lines_before;
  if (header_lines == 0) {
    header_lines = 1;
    for (std::size_t i = 0; i + 1 < layout.data_begin; ++i) header_lines += data[i] == '\n';
  }
  return header_lines + newlines + 1;
}

// Merges the pieces' dictionaries of one slot into the sorted union; fills each piece's map from
// local code to global code.
std::vector<std::string> MergeSlot(std::vector<CsvRowParser::PieceResult>& results, int slot,
                                   bool class_names, std::vector<std::vector<float>>& remap) {
  std::vector<std::string> merged;
  for (const auto& result : results) {
    const auto& values = result.dictionaries[static_cast<std::size_t>(slot)].values();
    merged.insert(merged.end(), values.begin(), values.end());
  }
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  if (class_names) SortClassNames(merged);
  const StringCodes global(merged);
  remap.resize(results.size());
  for (std::size_t piece = 0; piece < results.size(); ++piece) {
    const auto& values = results[piece].dictionaries[static_cast<std::size_t>(slot)].values();
    remap[piece].resize(values.size());
    for (std::size_t code = 0; code < values.size(); ++code) {
      remap[piece][code] = static_cast<float>(global.Find(values[code]));
    }
  }
  return merged;
}

// Sorts every dictionary and rewrites the codes the pieces stored (NaN stays NaN); fills the
// schema's categories and class names.
void FinishDictionaries(const CsvPlan& plan, const Pieces& pieces,
                        std::vector<CsvRowParser::PieceResult>& results, Dataset& data,
                        Schema& schema) {
  for (std::size_t c = 0; c < plan.columns.size(); ++c) {
    const ColumnPlan& column = plan.columns[c];
    const bool is_class = column.action == FieldAction::kClassLabel;
    if (column.action != FieldAction::kCategorical && !is_class) continue;
    std::vector<std::vector<float>> remap;
    std::vector<std::string> merged = MergeSlot(results, column.dictionary, is_class, remap);
    const int threads = static_cast<int>(results.size());
    if (is_class) {
      auto labels = data.mutable_labels();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
      for (int i = 0; i < threads; ++i) {
        for (std::int64_t r = pieces.rows[i]; r < pieces.rows[i + 1]; ++r) {
          auto& label = labels[static_cast<std::size_t>(r)];
          if (static_cast<std::size_t>(label) < remap[i].size()) {
            label = static_cast<std::int32_t>(remap[i][static_cast<std::size_t>(label)]);
          }
        }
      }
      schema.classes = std::move(merged);
    } else {
      auto values = data.mutable_column(static_cast<std::size_t>(column.feature));
#pragma omp parallel for num_threads(threads) schedule(static, 1)
      for (int i = 0; i < threads; ++i) {
        for (std::int64_t r = pieces.rows[i]; r < pieces.rows[i + 1]; ++r) {
          float& value = values[static_cast<std::size_t>(r)];
          if (!std::isnan(value)) value = remap[i][static_cast<std::size_t>(value)];
        }
      }
      schema.features[static_cast<std::size_t>(column.feature)].categories = std::move(merged);
    }
  }
}

}  // namespace

ParsedRows ParseRows(const CsvText& text, const CsvLayout& layout, const CsvPlan& plan,
                     std::size_t begin, std::size_t end, std::int64_t first_row_id,
                     const CsvOptions& options, RecordSplit split) {
  const int threads = ResolveThreads(options.threads, end - begin);
  const Pieces pieces = split == RecordSplit::kLines
                            ? SplitByLines(text, layout, begin, end, threads)
                            : SplitQuoteAware(text, layout, begin, end, threads);
  const auto rows = static_cast<std::size_t>(pieces.rows[threads]);

  ParsedRows parsed;
  parsed.threads = threads;
  parsed.data = Dataset(plan.feature_names, rows, options.target);
  auto row_ids = parsed.data.mutable_row_ids();
  for (std::size_t r = 0; r < rows; ++r) row_ids[r] = first_row_id + static_cast<std::int64_t>(r);

  CsvRowParser parser(text, layout, plan, options, split, parsed.data);
  std::vector<CsvRowParser::PieceResult> results(static_cast<std::size_t>(threads));
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int i = 0; i < threads; ++i) {
    parser.ParsePiece(pieces.bounds[i], pieces.bounds[i + 1], pieces.rows[i], pieces.rows[i + 1],
                      first_row_id + pieces.rows[i], results[i]);
  }
  for (const auto& result : results) {
    if (result.needs_quote_split) {
      // A quoted field holds a newline: the caller splits by records, following quotes.
      parsed.needs_quote_split = true;
      return parsed;
    }
  }
  // Each piece stopped at its own first error; the earliest line among them is the file's first.
  const CsvRowParser::PieceResult* first_error = nullptr;
  for (const auto& result : results) {
    parsed.has_missing = parsed.has_missing || result.has_missing;
    if (!result.error.empty() &&
        (first_error == nullptr || result.error_line < first_error->error_line)) {
      first_error = &result;
    }
  }
  if (first_error != nullptr) {
    const bool window = layout.lines_before > 0;
    if ((split == RecordSplit::kQuoteAware || window) && !first_error->error_detail.empty()) {
      // Records and lines differ when quoted fields hold newlines (here or, for a window, before
      // it): name the record's first line.
      throw InputError(text.path(), ":", LineOfRecord(text, layout, first_error->error_line - 2),
                       ": ", first_error->error_detail);
    }
    throw Error(first_error->error_kind, first_error->error);
  }

  Schema schema = plan.schema;
  if (plan.dictionaries > 0) FinishDictionaries(plan, pieces, results, parsed.data, schema);
  parsed.data.set_schema(std::move(schema));

  std::vector<std::int64_t> skipped;
  for (const auto& result : results) {
    skipped.insert(skipped.end(), result.missing_label_rows.begin(),
                   result.missing_label_rows.end());
  }
  if (!skipped.empty()) {
    std::vector<char> drop(rows, 0);
    for (std::int64_t r : skipped) drop[static_cast<std::size_t>(r)] = 1;
    std::vector<std::size_t> keep;
    keep.reserve(rows - skipped.size());
    for (std::size_t r = 0; r < rows; ++r) {
      if (drop[r] == 0) keep.push_back(r);
    }
    parsed.data = parsed.data.Take(keep);
    parsed.skipped_missing_label = static_cast<std::int64_t>(skipped.size());
  }
  return parsed;
}

}  // namespace scaleml
