// The decompressed text of a .csv.gz / .csv.zst file as a sequence of windows, each a bounded
// buffer of whole records: a background thread decompresses the next window (and finds where its
// last record ends, following quotes) while the caller parses the current one, so the text in
// memory stays a few windows whatever the file's size. Window boundaries depend only on the
// decompressed bytes and the window size, so every rank of a partitioned read cuts the same
// windows.
// Thread-safety: one consumer thread calls Next/Recycle; the producer thread is internal.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace scaleml {

class DecompressStream;

struct CsvWindow {
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  std::size_t size = 0;   // bytes of text in buffer
  std::size_t begin = 0;  // the first record (just after the header in the first window)
  // Past the last whole record, its newline excluded (or the trimmed end of the file): the
  // data_end of a CsvLayout over this window. The bytes after it start the next window.
  std::size_t end = 0;
  bool last = false;            // the file ends in this window
  char delimiter = ',';         // the delimiter the cuts followed (given, or detected at the start)
  std::int64_t records = 0;     // records in [begin, end)
  std::int64_t newlines = 0;    // '\n' bytes from begin to the next window's start
  bool quoted_newline = false;  // a quoted field in [begin, end) holds a newline
  std::uint64_t consumed = 0;   // compressed bytes read when the window was filled
  std::uint64_t produced = 0;   // decompressed bytes up to the end of this window's text
};

// What a quote-following scan of [begin, limit) found; begin must be a record start.
struct QuoteScan {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t last_newline = kNone;  // the last '\n' outside quoted fields
  std::int64_t newlines = 0;         // '\n' outside quoted fields (record ends)
  std::int64_t quoted_newlines = 0;  // '\n' inside quoted fields
};
// The same rules as the parser (data/CsvParser.h QuoteAwareBounds): a quote opens a field only at
// its start (blanks allowed before it), a doubled quote inside one is text. Jumps from quote to
// quote with memchr, so a window without quotes costs one newline count.
QuoteScan ScanQuotes(const char* data, std::size_t begin, std::size_t limit, char delimiter);

class CsvWindows {
 public:
  // Starts decompressing `path`. Windows hold about `window_bytes` (more when one record is
  // longer); the first holds the header and at least `first_records` records (unless the file has
  // fewer), for schema inference.
  CsvWindows(const std::string& path, char delimiter, std::size_t window_bytes,
             std::size_t first_records);
  ~CsvWindows();  // stops the producer
  CsvWindows(const CsvWindows&) = delete;
  CsvWindows& operator=(const CsvWindows&) = delete;

  // The next window in file order; false after the last. Rethrows the producer's error (a
  // corrupt or cut file) when the caller reaches the point where it happened.
  bool Next(CsvWindow& window);
  // Hands a parsed window's buffer back for reuse.
  void Recycle(CsvWindow window);
  std::uint64_t file_size() const { return file_size_; }

 private:
  void Produce(char delimiter, DecompressStream& stream);
  std::unique_ptr<char[]> TakeBuffer(std::size_t& capacity);
  bool Publish(CsvWindow window);

  std::size_t window_bytes_;
  std::size_t first_records_;
  std::uint64_t file_size_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<CsvWindow> ready_;
  std::vector<CsvWindow> free_;
  std::exception_ptr error_;
  bool finished_ = false;  // the producer published its last window or an error
  bool stop_ = false;      // the consumer is gone
  std::thread producer_;
};

}  // namespace scaleml
