#include "data/CsvWindows.h"

#include <algorithm>
#include <cstring>

#include "core/Error.h"
#include "data/CsvParser.h"
#include "data/DecompressStream.h"

namespace scaleml {
namespace {

// Windows waiting for the consumer: one, so that decompression runs a window ahead of the parse
// and the text in memory stays three windows (filling, ready, parsing).
constexpr std::size_t kReadyWindows = 1;

// '\n' bytes in [p, end) (a counting loop the compiler vectorises); the last one's offset from
// `base` in *last when there is one.
std::int64_t CountNewlinesIn(const char* p, const char* end, std::size_t* last = nullptr,
                             const char* base = nullptr) {
  if (p >= end) return 0;
  const auto count = static_cast<std::int64_t>(std::count(p, end, '\n'));
  if (last != nullptr && count > 0) {
    const void* hit = ::memrchr(p, '\n', static_cast<std::size_t>(end - p));
    *last = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
  }
  return count;
}

}  // namespace

QuoteScan ScanQuotes(const char* data, std::size_t begin, std::size_t limit, char delimiter) {
  QuoteScan scan;
  auto blank = [delimiter](char c) {
    return c == ' ' || c == '\r' || (c == '\t' && delimiter != '\t');
  };
  std::size_t pos = begin;
  while (pos < limit) {
    const void* hit = std::memchr(data + pos, '"', limit - pos);
    const std::size_t quote =
        hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - data) : limit;
    scan.newlines += CountNewlinesIn(data + pos, data + quote, &scan.last_newline, data);
    if (quote == limit) break;
    std::size_t before = quote;
    while (before > begin && blank(data[before - 1])) --before;
    const bool field_start =
        before == begin || data[before - 1] == delimiter || data[before - 1] == '\n';
    pos = quote + 1;
    if (!field_start) continue;  // a quote inside an unquoted field is text
    while (pos < limit) {
      const void* close_hit = std::memchr(data + pos, '"', limit - pos);
      const std::size_t close =
          close_hit ? static_cast<std::size_t>(static_cast<const char*>(close_hit) - data) : limit;
      scan.quoted_newlines += CountNewlinesIn(data + pos, data + close);
      if (close == limit) {
        pos = limit;
        break;
      }
      if (close + 1 < limit && data[close + 1] == '"') {
        pos = close + 2;  // a doubled quote: text
        continue;
      }
      pos = close + 1;
      break;
    }
  }
  return scan;
}

CsvWindows::CsvWindows(const std::string& path, char delimiter, std::size_t window_bytes,
                       std::size_t first_records)
    : window_bytes_(std::max<std::size_t>(window_bytes, 64)), first_records_(first_records) {
  // Opening the file here makes a missing or empty file an error of the constructor.
  auto stream = std::make_shared<DecompressStream>(path, CompressionOf(path));
  file_size_ = stream->file().size();
  producer_ = std::thread([this, delimiter, stream] {
    try {
      Produce(delimiter, *stream);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
      finished_ = true;
      changed_.notify_all();
    }
  });
}

CsvWindows::~CsvWindows() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  producer_.join();
}

std::unique_ptr<char[]> CsvWindows::TakeBuffer(std::size_t& capacity) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      CsvWindow window = std::move(free_.back());
      free_.pop_back();
      capacity = window.capacity;
      return std::move(window.buffer);
    }
  }
  capacity = window_bytes_;
  return std::unique_ptr<char[]>(new char[capacity]);
}

bool CsvWindows::Publish(CsvWindow window) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return stop_ || ready_.size() < kReadyWindows; });
  if (stop_) return false;
  const bool last = window.last;
  ready_.push_back(std::move(window));
  if (last) finished_ = true;
  changed_.notify_all();
  return true;
}

void CsvWindows::Produce(char delimiter, DecompressStream& stream) {
  std::unique_ptr<char[]> carry;
  std::size_t carry_size = 0, carry_capacity = 0;
  bool first = true;
  std::uint64_t produced = 0;
  while (true) {
    CsvWindow window;
    window.buffer = TakeBuffer(window.capacity);
    if (carry_size > window.capacity) {
      window.capacity = std::max(window.capacity * 2, carry_size * 2);
      window.buffer.reset(new char[window.capacity]);
    }
    if (carry_size > 0) std::memcpy(window.buffer.get(), carry.get(), carry_size);
    window.size = carry_size;
    std::size_t cut = 0;
    while (true) {
      const std::size_t got =
          stream.Read(window.buffer.get() + window.size, window.capacity - window.size);
      window.size += got;
      produced += got;
      window.last = stream.done();
      const char* data = window.buffer.get();
      if (first) {
        const void* newline = std::memchr(data, '\n', window.size);
        window.begin = newline
                           ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) + 1
                           : window.size;
        if (delimiter == 0 && (newline != nullptr || window.last)) {
          delimiter = DetectDelimiter(data, window.size);
        }
      }
      if (window.last) {
        window.end = window.size;
        while (window.end > window.begin &&
               (data[window.end - 1] == '\n' || data[window.end - 1] == '\r')) {
          --window.end;
        }
        const QuoteScan scan = ScanQuotes(data, window.begin, window.end, delimiter);
        window.records = scan.newlines + (window.end > window.begin ? 1 : 0);
        window.newlines = scan.newlines + scan.quoted_newlines;
        window.quoted_newline = scan.quoted_newlines > 0;
        cut = window.size;
        break;
      }
      if (window.begin < window.size) {
        const QuoteScan scan = ScanQuotes(data, window.begin, window.size, delimiter);
        if (scan.last_newline != QuoteScan::kNone &&
            (!first || static_cast<std::size_t>(scan.newlines) >= first_records_)) {
          // Trailing newlines (blank lines) go to the next window, where the parser reports a
          // blank line or, at the end of the file, trims them.
          std::size_t run = scan.last_newline;
          while (run > window.begin && (data[run - 1] == '\n' || data[run - 1] == '\r')) --run;
          const void* first_newline = std::memchr(data + run, '\n', scan.last_newline + 1 - run);
          cut = static_cast<std::size_t>(static_cast<const char*>(first_newline) - data) + 1;
          // The counts before the cut: the whole scan's less the tail's (a record start, so the
          // tail scanned alone classifies its bytes as the whole scan did).
          const QuoteScan tail = ScanQuotes(data, cut, window.size, delimiter);
          window.end = cut - 1;
          window.records = scan.newlines - tail.newlines;
          const std::int64_t quoted = scan.quoted_newlines - tail.quoted_newlines;
          window.newlines = window.records + quoted;
          window.quoted_newline = quoted > 0;
          break;
        }
      }
      // No whole record yet (or too few for the schema sample): a larger window.
      const std::size_t capacity = window.capacity * 2;
      std::unique_ptr<char[]> larger(new char[capacity]);
      std::memcpy(larger.get(), window.buffer.get(), window.size);
      window.buffer = std::move(larger);
      window.capacity = capacity;
    }
    window.delimiter = delimiter;
    window.consumed = stream.consumed();
    window.produced = produced - (window.size - cut);
    // The bytes after the cut start the next window.
    carry_size = window.size - cut;
    if (carry_size > carry_capacity) {
      carry_capacity = std::max<std::size_t>(carry_size * 2, std::size_t{1} << 16);
      carry.reset(new char[carry_capacity]);
    }
    if (carry_size > 0) std::memcpy(carry.get(), window.buffer.get() + cut, carry_size);
    first = false;
    const bool last = window.last;
    if (!Publish(std::move(window)) || last) return;
  }
}

bool CsvWindows::Next(CsvWindow& window) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (ready_.empty()) {
    if (error_) std::rethrow_exception(error_);
    return false;
  }
  window = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
  return true;
}

void CsvWindows::Recycle(CsvWindow window) {
  if (window.capacity != window_bytes_) return;  // a grown buffer goes
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < 2) free_.push_back(std::move(window));
}

}  // namespace scaleml
