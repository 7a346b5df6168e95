#include "data/BinaryCache.h"

#include <omp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/MappedFile.h"
#include "data/DatasetMeta.h"
#include "data/SchemaIO.h"

namespace scaleml {
namespace {

constexpr char kMagic[8] = {'S', 'C', 'M', 'L', 'C', 'A', 'C', 'H'};
// 2: the CSV's ctime and inode in the key, the schema, a checksum per data block.
constexpr std::uint32_t kVersion = 2;
constexpr std::uint64_t kAlign = 4096;  // data blocks start on page boundaries
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
  std::int64_t csv_ctime_ns;
  std::uint64_t csv_inode;
  std::uint64_t names_bytes;   // the names block right after this header
  std::uint64_t schema_bytes;  // the schema block after the names, then the block checksums
  std::uint64_t features_offset;
  std::uint64_t labels_offset;
  std::uint64_t row_ids_offset;
  std::uint64_t file_size;
  // XXH3-64 of the metadata: this header (with this field zero), names, schema, checksums.
  std::uint64_t header_hash;
};
static_assert(sizeof(CacheHeader) == 120);

std::uint64_t AlignUp(std::uint64_t n, std::uint64_t align) {
  return (n + align - 1) / align * align;
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

// `metadata` is everything after the header up to the first data block.
std::uint64_t HashHeader(CacheHeader header, const char* metadata, std::size_t metadata_bytes) {
  header.header_hash = 0;
  Checksum hash;
  hash.Update(&header, sizeof(header));
  hash.Update(metadata, metadata_bytes);
  return hash.Digest();
}

// The data blocks of a dataset in file order: feature columns, labels, row ids.
struct DataBlock {
  const char* data;
  std::size_t bytes;
};

std::vector<DataBlock> DataBlocks(const float* features, const std::int32_t* labels,
                                  const std::int64_t* row_ids, std::size_t rows,
                                  std::size_t feature_count) {
  std::vector<DataBlock> blocks;
  blocks.reserve(feature_count + 2);
  for (std::size_t f = 0; f < feature_count; ++f) {
    blocks.push_back({reinterpret_cast<const char*>(features + f * rows), rows * sizeof(float)});
  }
  blocks.push_back({reinterpret_cast<const char*>(labels), rows * sizeof(std::int32_t)});
  blocks.push_back({reinterpret_cast<const char*>(row_ids), rows * sizeof(std::int64_t)});
  return blocks;
}

// XXH3-64 of every block, blocks hashed in parallel (XXH3 runs at memory speed; one thread per
// block keeps several page-fault streams going when the hash is what maps the pages in).
std::vector<std::uint64_t> HashBlocks(const std::vector<DataBlock>& blocks, int threads) {
  std::vector<std::uint64_t> hashes(blocks.size());
  const auto count = static_cast<std::int64_t>(blocks.size());
  threads = std::max(1, std::min(threads, static_cast<int>(count)));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (std::int64_t b = 0; b < count; ++b) hashes[b] = ChecksumOf(blocks[b].data, blocks[b].bytes);
  return hashes;
}

std::string BlockName(std::size_t block, const std::vector<std::string>& feature_names) {
  if (block < feature_names.size()) {
    return StrCat("feature column ", block, " (", feature_names[block], ")");
  }
  return block == feature_names.size() ? "labels" : "row ids";
}

int HashThreads(const CsvOptions& options) {
  return options.threads > 0 ? options.threads : omp_get_max_threads();
}

}  // namespace

std::optional<CsvSource> CsvSourceOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  CsvSource source;
  source.size = static_cast<std::uint64_t>(st.st_size);
  source.mtime_ns =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  source.ctime_ns =
      static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  source.inode = static_cast<std::uint64_t>(st.st_ino);
  return source;
}

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
  } catch (const Error&) {
    return std::nullopt;  // no cache yet
  }
  // Stale, another version, made for other options: expected, rebuilt without a word.
  auto ignore = [&](const char* why) -> std::optional<Dataset> {
    LogDebug(cache_path, ": ignoring the binary cache: ", why);
    return std::nullopt;
  };
  // Damaged: worth a line, since something wrote over a file that scaleml wrote whole.
  auto corrupt = [&](const std::string& block) -> std::optional<Dataset> {
    LogWarning(cache_path, ": the binary cache is corrupt (", block,
               "); ignoring it and parsing the CSV again");
    return std::nullopt;
  };
  if (file->size() < sizeof(CacheHeader)) return corrupt("shorter than its header");
  CacheHeader header;
  std::memcpy(&header, file->data(), sizeof(header));
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0) return corrupt("header: no magic");
  if (header.version != kVersion) return ignore("another format version");
  const std::uint64_t size = file->size();
  if (header.file_size != size) return corrupt("header: truncated or extended");
  // Bound every count by the file size before anything is multiplied or added.
  if (header.names_bytes > size || header.schema_bytes > size || header.rows > size ||
      header.features > size / (sizeof(std::uint64_t) + 1)) {
    return corrupt("header: sizes");
  }
  const std::uint64_t checksum_bytes = (header.features + 2) * sizeof(std::uint64_t);
  const std::uint64_t metadata_bytes = header.names_bytes + header.schema_bytes + checksum_bytes;
  if (metadata_bytes > size - sizeof(CacheHeader)) return corrupt("header: metadata size");
  const char* metadata = file->data() + sizeof(CacheHeader);
  if (HashHeader(header, metadata, metadata_bytes) != header.header_hash) {
    return corrupt("header, names, schema or block checksums: checksum mismatch");
  }
  // Sizes and offsets must describe exactly this file.
  if (header.rows > 0 && header.features > size / header.rows / sizeof(float)) {
    return corrupt("header: sizes");
  }
  const std::uint64_t feature_bytes = header.rows * header.features * sizeof(float);
  if (header.features_offset > size || header.labels_offset > size ||
      header.features_offset % kAlign != 0 ||
      header.features_offset < sizeof(CacheHeader) + metadata_bytes ||
      header.labels_offset < header.features_offset + feature_bytes ||
      header.labels_offset % alignof(std::int32_t) != 0 ||
      header.row_ids_offset < header.labels_offset + header.rows * sizeof(std::int32_t) ||
      header.row_ids_offset % alignof(std::int64_t) != 0 || header.row_ids_offset > size ||
      header.row_ids_offset + header.rows * sizeof(std::int64_t) != size) {
    return corrupt("header: block offsets");
  }
  const CsvSource made_from{header.csv_size, header.csv_mtime_ns, header.csv_ctime_ns,
                            header.csv_inode};
  if (!(made_from == source)) return ignore("the CSV changed since the cache was written");
  const bool has_missing = header.flags & kFlagHasMissing;
  const bool has_target = header.flags & kFlagHasTarget;
  if (has_missing && !options.allow_missing) return ignore("has missing values, not allowed now");
  if (!has_target && options.require_target) return ignore("made from a file without a target");

  const char* p = metadata;
  const char* names_end = metadata + header.names_bytes;
  std::string target;
  if (!ReadName(p, names_end, target)) return corrupt("names");
  if (target != options.target) return ignore("made for another target column");
  std::vector<std::string> feature_names(header.features);
  for (auto& name : feature_names) {
    if (!ReadName(p, names_end, name)) return corrupt("names");
  }
  Schema schema;
  try {
    BinaryReader reader(std::string_view(names_end, header.schema_bytes), cache_path);
    schema = ReadSchema(reader);
    if (!reader.AtEnd()) return corrupt("schema: trailing bytes");
  } catch (const Error& e) {
    return corrupt(StrCat("schema: ", e.what()));
  }
  if (schema.features.size() != header.features) return corrupt("schema: feature count");
  std::vector<std::uint64_t> stored(header.features + 2);
  std::memcpy(stored.data(), names_end + header.schema_bytes, checksum_bytes);

  const char* base = file->data();
  const auto* features = reinterpret_cast<const float*>(base + header.features_offset);
  const auto* labels = reinterpret_cast<const std::int32_t*>(base + header.labels_offset);
  const auto* row_ids = reinterpret_cast<const std::int64_t*>(base + header.row_ids_offset);
  const auto blocks = DataBlocks(features, labels, row_ids, header.rows, header.features);
  const auto hashes = HashBlocks(blocks, HashThreads(options));
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (hashes[b] != stored[b]) {
      return corrupt(StrCat(BlockName(b, feature_names), ": checksum mismatch"));
    }
  }
  Dataset view =
      Dataset::View(std::move(feature_names), std::move(target), header.rows, features, labels,
                    row_ids, std::make_unique<MappedCacheStorage>(std::move(file)));
  view.set_schema(std::move(schema));
  return view;
}

bool WriteCache(const std::string& cache_path, const Dataset& data, const CsvSource& source,
                const CacheFlags& flags) {
  std::string metadata;
  AppendName(metadata, data.target_name());
  for (const auto& name : data.feature_names()) AppendName(metadata, name);
  const std::size_t names_bytes = metadata.size();
  BinaryWriter schema;
  WriteSchema(schema, data.schema());
  metadata += schema.bytes();
  const auto blocks = DataBlocks(data.feature_data().data(), data.labels().data(),
                                 data.row_ids().data(), data.rows(), data.features());
  const auto hashes = HashBlocks(blocks, omp_get_max_threads());
  metadata.append(reinterpret_cast<const char*>(hashes.data()),
                  hashes.size() * sizeof(std::uint64_t));

  CacheHeader header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kVersion;
  header.flags =
      (flags.has_missing ? kFlagHasMissing : 0) | (flags.has_target ? kFlagHasTarget : 0);
  header.rows = data.rows();
  header.features = data.features();
  header.csv_size = source.size;
  header.csv_mtime_ns = source.mtime_ns;
  header.csv_ctime_ns = source.ctime_ns;
  header.csv_inode = source.inode;
  header.names_bytes = names_bytes;
  header.schema_bytes = schema.bytes().size();
  header.features_offset = AlignUp(sizeof(CacheHeader) + metadata.size(), kAlign);
  header.labels_offset =
      AlignUp(header.features_offset + header.rows * header.features * sizeof(float), kAlign);
  header.row_ids_offset =
      AlignUp(header.labels_offset + header.rows * sizeof(std::int32_t), kAlign);
  header.file_size = header.row_ids_offset + header.rows * sizeof(std::int64_t);
  header.header_hash = HashHeader(header, metadata.data(), metadata.size());

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
    write(metadata.data(), metadata.size());
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
