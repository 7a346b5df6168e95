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

namespace scaleml {
namespace {

// Bytes a thread scans between handing pages back to the kernel: large enough that madvise costs
// nothing, small enough that the mapping's share of the resident set stays a few blocks.
constexpr std::size_t kReleaseBytes = std::size_t{2} << 20;
// Below this many bytes per thread, extra threads cost more than they save.
constexpr std::size_t kMinBytesPerThread = std::size_t{1} << 16;

std::string Trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  return std::string(text.substr(b, e - b));
}

// Splits the header line into names; a name may be quoted ("a,b" or "say ""hi""").
std::vector<std::string> SplitHeader(std::string_view line, const std::string& path) {
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
      if (i < line.size() && line[i] != ',') {
        throw InputError(path, ":1: column ", names.size() + 1,
                         ": unexpected text after the closing quote of a header name");
      }
    } else {
      std::size_t comma = line.find(',', i);
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

std::int64_t CountNewlinesSerial(const MappedFile& file, std::size_t begin, std::size_t end) {
  const char* data = file.data();
  std::int64_t count = 0;
  std::size_t released = begin;
  for (std::size_t block = begin; block < end; block += kReleaseBytes) {
    const char* p = data + block;
    const char* block_end = data + std::min(end, block + kReleaseBytes);
    while (p < block_end) {
      const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(block_end - p));
      if (hit == nullptr) break;
      ++count;
      p = static_cast<const char*>(hit) + 1;
    }
    const std::size_t done = static_cast<std::size_t>(block_end - data);
    if (done - released >= kReleaseBytes) {
      ReleaseMappedPages(file, released, done);
      released = done;
    }
  }
  ReleaseMappedPages(file, released, end);
  return count;
}

}  // namespace

std::vector<std::string> CsvLayout::FeatureNames() const {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (static_cast<int>(c) != target_column) names.push_back(columns[c]);
  }
  return names;
}

CsvLayout ParseCsvLayout(const MappedFile& file, const CsvOptions& options) {
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
  layout.columns = SplitHeader(header, path);

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
  if (layout.FeatureNames().empty()) {
    throw InputError(path, ":1: no feature columns (the only column is the target '",
                     options.target, "')");
  }
  if (layout.data_begin >= layout.data_end) {
    throw InputError(path, ": no data rows (the file holds only a header)");
  }
  return layout;
}

std::size_t LineStartAtOrAfter(const MappedFile& file, const CsvLayout& layout,
                               std::size_t offset) {
  if (offset <= layout.data_begin) return layout.data_begin;
  if (offset >= layout.data_end) return layout.data_end;
  const char* data = file.data();
  if (data[offset - 1] == '\n') return offset;
  const void* hit = std::memchr(data + offset, '\n', layout.data_end - offset);
  if (hit == nullptr) return layout.data_end;
  return static_cast<std::size_t>(static_cast<const char*>(hit) - data) + 1;
}

std::int64_t CountNewlines(const MappedFile& file, std::size_t begin, std::size_t end,
                           int threads) {
  if (end <= begin) return 0;
  const int t = ResolveThreads(threads, end - begin);
  if (t == 1) return CountNewlinesSerial(file, begin, end);
  std::int64_t total = 0;
#pragma omp parallel for num_threads(t) schedule(static, 1) reduction(+ : total)
  for (int i = 0; i < t; ++i) {
    const std::size_t b = begin + (end - begin) * i / t;
    const std::size_t e = begin + (end - begin) * (i + 1) / t;
    total += CountNewlinesSerial(file, b, e);
  }
  return total;
}

void ReleaseMappedPages(const MappedFile& file, std::size_t begin, std::size_t end) {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto base = reinterpret_cast<std::uintptr_t>(file.data());
  const std::uintptr_t b = (base + begin + page - 1) / page * page;
  const std::uintptr_t e = (base + end) / page * page;
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

Dataset ParseRows(const MappedFile& file, const CsvLayout& layout, std::size_t begin,
                  std::size_t end, std::int64_t first_row_id, const CsvOptions& options,
                  ParseStats* stats) {
  const int threads = ResolveThreads(options.threads, end - begin);
  std::vector<std::size_t> bounds(threads + 1);
  for (int i = 0; i <= threads; ++i) {
    bounds[i] = LineStartAtOrAfter(file, layout, begin + (end - begin) * i / threads);
  }
  bounds[threads] = end;

  // Rows per piece: its newlines, plus the unterminated last line of the data.
  std::vector<std::int64_t> piece_rows(threads + 1, 0);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int i = 0; i < threads; ++i) {
    std::int64_t rows = CountNewlinesSerial(file, bounds[i], bounds[i + 1]);
    if (bounds[i + 1] == layout.data_end && bounds[i + 1] > bounds[i]) ++rows;
    piece_rows[i + 1] = rows;
  }
  for (int i = 0; i < threads; ++i) piece_rows[i + 1] += piece_rows[i];
  const auto rows = static_cast<std::size_t>(piece_rows[threads]);

  Dataset dataset(layout.FeatureNames(), rows, options.target);
  auto row_ids = dataset.mutable_row_ids();
  for (std::size_t r = 0; r < rows; ++r) row_ids[r] = first_row_id + static_cast<std::int64_t>(r);

  CsvRowParser parser(file, layout, options, dataset);
  std::vector<CsvRowParser::PieceResult> results(threads);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
  for (int i = 0; i < threads; ++i) {
    results[i] = parser.ParsePiece(bounds[i], bounds[i + 1], piece_rows[i], piece_rows[i + 1],
                                   first_row_id + piece_rows[i]);
  }
  // Each piece stopped at its own first error; the earliest line among them is the file's first.
  const CsvRowParser::PieceResult* first_error = nullptr;
  bool missing = false;
  for (const auto& result : results) {
    missing = missing || result.has_missing;
    if (!result.error.empty() &&
        (first_error == nullptr || result.error_line < first_error->error_line)) {
      first_error = &result;
    }
  }
  if (first_error != nullptr) {
    throw Error(first_error->error_kind, first_error->error);
  }
  if (stats != nullptr) *stats = ParseStats{missing, threads};
  return dataset;
}

}  // namespace scaleml
