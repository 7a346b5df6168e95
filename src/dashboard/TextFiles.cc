#include "dashboard/TextFiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace scaleml::dashboard {
namespace {

std::int64_t RegularFileSize(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return st.st_size;
}

}  // namespace

std::optional<std::string> ReadFileRange(const std::string& path, std::int64_t offset,
                                         std::int64_t max_bytes) {
  // O_NONBLOCK: a FIFO planted in a scanned folder must not block the open.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  const std::int64_t size = RegularFileSize(fd);
  if (size < 0 || offset < 0) {
    close(fd);
    return std::nullopt;
  }
  const std::int64_t length = std::max<std::int64_t>(0, std::min(max_bytes, size - offset));
  std::string text(static_cast<std::size_t>(length), '\0');
  std::int64_t done = 0;
  while (done < length) {
    const ssize_t n = pread(fd, text.data() + done, static_cast<std::size_t>(length - done),
                            static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += n;
  }
  close(fd);
  text.resize(static_cast<std::size_t>(done));
  return text;
}

std::optional<std::string> ReadSmallFile(const std::string& path, std::int64_t max_bytes) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > max_bytes) {
    return std::nullopt;
  }
  return ReadFileRange(path, 0, max_bytes);
}

std::optional<std::string> ReadFileTail(const std::string& path, std::int64_t max_bytes) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const std::int64_t offset = std::max<std::int64_t>(0, st.st_size - max_bytes);
  auto text = ReadFileRange(path, offset, max_bytes);
  if (text && offset > 0) {
    const auto newline = text->find('\n');
    text->erase(0, newline == std::string::npos ? text->size() : newline + 1);
  }
  return text;
}

}  // namespace scaleml::dashboard
