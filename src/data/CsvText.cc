#include "data/CsvText.h"

#include <sys/mman.h>
#include <unistd.h>

#include "core/Error.h"

namespace scaleml {

Compression CompressionOf(const std::string& path) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".gz")) return Compression::kGzip;
  if (ends_with(".zst")) return Compression::kZstd;
  return Compression::kNone;
}

CsvText::CsvText(const std::string& path) : path_(path) {
  auto file = std::make_unique<MappedFile>(path);
  file_size_ = file->size();
  mtime_ns_ = file->mtime_ns();
  const Compression compression = CompressionOf(path);
  if (compression == Compression::kNone) {
    file_ = std::move(file);
    data_ = file_->data();
    size_ = file_->size();
    return;
  }
  file->AdviseSequential();
  buffer_ = DecompressFile(*file, compression);
  data_ = buffer_.data();
  size_ = buffer_.size();
}

CsvText::~CsvText() = default;

void CsvText::AdviseSequential() const {
  if (file_) file_->AdviseSequential();
}

void CsvText::ReleasePages(std::size_t begin, std::size_t end) const {
  if (!file_) return;
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto base = reinterpret_cast<std::uintptr_t>(data_);
  const std::uintptr_t b = (base + begin + page - 1) / page * page;
  const std::uintptr_t e = (base + end) / page * page;
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

}  // namespace scaleml
