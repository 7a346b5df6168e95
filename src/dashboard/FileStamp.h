// A file's size and modification time, so scanned files are parsed again only when they
// changed (a listing of 1,000 trials costs stat calls, not 1,000 parses).
// Thread-safety: pure.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>

namespace scaleml::dashboard {

struct FileStamp {
  bool exists = false;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;

  static FileStamp Of(const std::string& path) {
    struct stat st {};
    FileStamp stamp;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return stamp;
    stamp.exists = true;
    stamp.size = st.st_size;
    stamp.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return stamp;
  }
};

}  // namespace scaleml::dashboard
