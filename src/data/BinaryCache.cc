#include "data/BinaryCache.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Hash.h"
#include "core/Log.h"
#include "core/MappedFile.h"

namespace scaleml {
namespace {

constexpr char kMagic[8] = {'S', 'C', 'M', 'L', 'C', 'A', 'C', 'H'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kAlign = 4096;  // sections start on page boundaries
constexpr std::uint32_t kFlagHasMissing = 1;
constexpr std::uint32_t kFlagHasTarget = 2;

struct CacheHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t flags;
  std::uint64_t rows;
  std::uint64_t features;
  std::uint64_t csv_size;
  std::int64_t csv_mtime_ns;
  std::uint64_t names_bytes;  // the names block right after this header
  std::uint64_t features_offset;
  std::uint64_t labels_offset;
  std::uint64_t row_ids_offset;
  std::uint64_t file_size;
  std::uint64_t header_hash;  // over this header (with this field zero) and the names block
};
static_assert(sizeof(CacheHeader) == 96);

std::uint64_t AlignUp(std::uint64_t n, std::uint64_t align) {
  return (n + align - 1) / align * align;
}

std::uint64_t HashBytes(const char* data, std::size_t size) {
  std::uint64_t h = 0x5ca1e0cac4eULL;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    h = Mix64(h ^ word);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, data + i, size - i);
  return Mix64(h ^ tail ^ (static_cast<std::uint64_t>(size) << 56));
}

void AppendName(std::string& block, const std::string& name) {
  const auto length = static_cast<std::uint32_t>(name.size());
  block.append(reinterpret_cast<const char*>(&length), sizeof(length));
  block.append(name);
}

// Reads a name from the block; false when it runs past the end.
bool ReadName(const char*& p, const char* end, std::string& name) {
  std::uint32_t length;
  if (end - p < static_cast<std::ptrdiff_t>(sizeof(length))) return false;
  std::memcpy(&length, p, sizeof(length));
  p += sizeof(length);
  if (static_cast<std::uint64_t>(end - p) < length) return false;
  name.assign(p, length);
  p += length;
  return true;
}

// Keeps the cache mapped for as long as a view of it lives.
struct MappedCacheStorage : DatasetStorage {
  explicit MappedCacheStorage(std::unique_ptr<MappedFile> file) : file(std::move(file)) {}
  std::unique_ptr<MappedFile> file;
};

std::uint64_t HashHeader(CacheHeader header, const char* names, std::size_t names_bytes) {
  header.header_hash = 0;
  std::string block(reinterpret_cast<const char*>(&header), sizeof(header));
  block.append(names, names_bytes);
  return HashBytes(block.data(), block.size());
}

}  // namespace

std::string CachePathFor(const std::string& csv_path) {
  const std::string ext = ".csv";
  if (csv_path.size() > ext.size()) {
    std::string tail = csv_path.substr(csv_path.size() - ext.size());
    std::transform(tail.begin(), tail.end(), tail.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (tail == ext) return csv_path.substr(0, csv_path.size() - ext.size()) + ".scaleml";
  }
  return csv_path + ".scaleml";
}

std::optional<Dataset> LoadCache(const std::string& cache_path, const CsvSource& source,
                                 const CsvOptions& options) {
  std::unique_ptr<MappedFile> file;
  try {
    file = std::make_unique<MappedFile>(cache_path);
    file->Populate();
  } catch (const Error&) {
    return std::nullopt;  // no cache yet
  }
  auto reject = [&](const char* why) -> std::optional<Dataset> {
    LogDebug(cache_path, ": ignoring the binary cache: ", why);
    return std::nullopt;
  };
  if (file->size() < sizeof(CacheHeader)) return reject("too short");
  CacheHeader header;
  std::memcpy(&header, file->data(), sizeof(header));
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0) return reject("not a cache file");
  if (header.version != kVersion) return reject("another format version");
  if (header.file_size != file->size()) return reject("truncated or extended");
  if (header.names_bytes > file->size() - sizeof(CacheHeader)) return reject("corrupt names");
  const char* names = file->data() + sizeof(CacheHeader);
  if (HashHeader(header, names, header.names_bytes) != header.header_hash) {
    return reject("header checksum mismatch");
  }
  // Sizes and offsets must describe exactly this file (no overflow: rows and features are
  // bounded by the file size before they are multiplied).
  const std::uint64_t size = file->size();
  if (header.rows > size || header.features > size ||
      (header.rows > 0 && header.features > size / header.rows / sizeof(float))) {
    return reject("corrupt sizes");
  }
  const std::uint64_t feature_bytes = header.rows * header.features * sizeof(float);
  if (header.features_offset > size || header.labels_offset > size ||
      header.features_offset % kAlign != 0 ||
      header.features_offset < sizeof(CacheHeader) + header.names_bytes ||
      header.labels_offset < header.features_offset + feature_bytes ||
      header.labels_offset % alignof(std::int32_t) != 0 ||
      header.row_ids_offset < header.labels_offset + header.rows * sizeof(std::int32_t) ||
      header.row_ids_offset % alignof(std::int64_t) != 0 || header.row_ids_offset > size ||
      header.row_ids_offset + header.rows * sizeof(std::int64_t) != size) {
    return reject("corrupt section offsets");
  }
  if (header.csv_size != source.size || header.csv_mtime_ns != source.mtime_ns) {
    return reject("the CSV changed since the cache was written");
  }
  const bool has_missing = header.flags & kFlagHasMissing;
  const bool has_target = header.flags & kFlagHasTarget;
  if (has_missing && !options.allow_missing) return reject("has missing values, not allowed now");
  if (!has_target && options.require_target) return reject("made from a file without a target");

  const char* p = names;
  const char* names_end = names + header.names_bytes;
  std::string target;
  if (!ReadName(p, names_end, target)) return reject("corrupt names");
  if (target != options.target) return reject("made for another target column");
  std::vector<std::string> feature_names(header.features);
  for (auto& name : feature_names) {
    if (!ReadName(p, names_end, name)) return reject("corrupt names");
  }
  const char* base = file->data();
  const auto* features = reinterpret_cast<const float*>(base + header.features_offset);
  const auto* labels = reinterpret_cast<const std::int32_t*>(base + header.labels_offset);
  const auto* row_ids = reinterpret_cast<const std::int64_t*>(base + header.row_ids_offset);
  return Dataset::View(std::move(feature_names), std::move(target), header.rows, features, labels,
                       row_ids, std::make_unique<MappedCacheStorage>(std::move(file)));
}

bool WriteCache(const std::string& cache_path, const Dataset& data, const CsvSource& source,
                const CacheFlags& flags) {
  std::string names;
  AppendName(names, data.target_name());
  for (const auto& name : data.feature_names()) AppendName(names, name);

  CacheHeader header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kVersion;
  header.flags =
      (flags.has_missing ? kFlagHasMissing : 0) | (flags.has_target ? kFlagHasTarget : 0);
  header.rows = data.rows();
  header.features = data.features();
  header.csv_size = source.size;
  header.csv_mtime_ns = source.mtime_ns;
  header.names_bytes = names.size();
  header.features_offset = AlignUp(sizeof(CacheHeader) + names.size(), kAlign);
  header.labels_offset =
      AlignUp(header.features_offset + header.rows * header.features * sizeof(float), kAlign);
  header.row_ids_offset =
      AlignUp(header.labels_offset + header.rows * sizeof(std::int32_t), kAlign);
  header.file_size = header.row_ids_offset + header.rows * sizeof(std::int64_t);
  header.header_hash = HashHeader(header, names.data(), names.size());

  try {
    AtomicFile out(cache_path);
    const std::string zeros(kAlign, '\0');
    std::uint64_t written = 0;
    auto write = [&](const void* bytes, std::uint64_t n) {
      out.Write(bytes, n);
      written += n;
    };
    auto pad_to = [&](std::uint64_t offset) { write(zeros.data(), offset - written); };
    write(&header, sizeof(header));
    write(names.data(), names.size());
    pad_to(header.features_offset);
    write(data.feature_data().data(), data.feature_data().size_bytes());
    pad_to(header.labels_offset);
    write(data.labels().data(), data.labels().size_bytes());
    pad_to(header.row_ids_offset);
    write(data.row_ids().data(), data.row_ids().size_bytes());
    out.Commit();
    return true;
  } catch (const Error& e) {
    LogDebug("not writing the binary cache: ", e.what());
    return false;
  }
}

}  // namespace scaleml
