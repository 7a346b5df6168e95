#include "data/CsvText.h"

#include <sys/mman.h>
#include <unistd.h>

#include "core/Error.h"

namespace scaleml {

CsvText::CsvText(const std::string& path) : path_(path) {
  if (CompressionOf(path) != Compression::kNone) {
    throw Failure(path, ": a compressed file is read through CsvWindows, not mapped");
  }
  auto file = std::make_unique<MappedFile>(path);
  file_size_ = file->size();
  mtime_ns_ = file->mtime_ns();
  file_ = std::move(file);
  data_ = file_->data();
  size_ = file_->size();
}

CsvText::CsvText(const std::string& path, const char* data, std::size_t size)
    : path_(path), data_(data), size_(size) {}

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
