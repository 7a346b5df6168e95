#include "data/DecompressStream.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "core/Error.h"

#ifdef SCALEML_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef SCALEML_HAVE_ZSTD
#include <zstd.h>
#endif

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

// One of the two decoders; Read returns the bytes written and sets `end` at the stream's end.
struct DecompressStream::Decoder {
  virtual ~Decoder() = default;
  virtual std::size_t Read(char* out, std::size_t capacity, bool& end) = 0;
  virtual std::uint64_t consumed() const = 0;
};

namespace {

#ifdef SCALEML_HAVE_ZLIB
class GzipDecoder : public DecompressStream::Decoder {
 public:
  explicit GzipDecoder(const MappedFile& file) : file_(file) {
    std::memset(&stream_, 0, sizeof(stream_));
    // 15 + 32: a gzip or zlib header, detected.
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) throw Failure(file.path(), ": inflateInit failed");
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(file.data()));
    in_left_ = file.size();
  }
  ~GzipDecoder() override { inflateEnd(&stream_); }

  std::size_t Read(char* out, std::size_t capacity, bool& end) override {
    std::size_t produced = 0;
    while (produced < capacity) {
      if (stream_.avail_in == 0 && in_left_ > 0) {
        const std::size_t take = std::min<std::size_t>(in_left_, 1u << 30);
        stream_.avail_in = static_cast<uInt>(take);
        in_left_ -= take;
      }
      const std::size_t room = std::min<std::size_t>(capacity - produced, UINT_MAX);
      stream_.next_out = reinterpret_cast<Bytef*>(out + produced);
      stream_.avail_out = static_cast<uInt>(room);
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      produced += room - stream_.avail_out;
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members (gzip a; gzip b; cat) are one stream to gunzip.
        if (stream_.avail_in == 0 && in_left_ == 0) {
          end = true;
          break;
        }
        if (inflateReset(&stream_) != Z_OK) throw Failure(file_.path(), ": inflateReset failed");
        continue;
      }
      if (rc == Z_BUF_ERROR && stream_.avail_in == 0 && in_left_ == 0) {
        throw InputError(file_.path(), ": gzip stream ends early (the file is cut short)");
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw InputError(file_.path(), ": not a valid gzip file (",
                         stream_.msg != nullptr ? stream_.msg : "corrupt data", ")");
      }
    }
    return produced;
  }
  std::uint64_t consumed() const override { return file_.size() - in_left_ - stream_.avail_in; }

 private:
  const MappedFile& file_;
  z_stream stream_;
  std::size_t in_left_ = 0;
};
#endif

#ifdef SCALEML_HAVE_ZSTD
class ZstdDecoder : public DecompressStream::Decoder {
 public:
  explicit ZstdDecoder(const MappedFile& file)
      : file_(file), context_(ZSTD_createDCtx()), in_{file.data(), file.size(), 0} {
    if (context_ == nullptr) throw Failure(file.path(), ": ZSTD_createDCtx failed");
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(context_); }

  std::size_t Read(char* out, std::size_t capacity, bool& end) override {
    std::size_t produced = 0;
    while (produced < capacity) {
      ZSTD_outBuffer chunk{out + produced, capacity - produced, 0};
      const std::size_t in_before = in_.pos;
      last_ = ZSTD_decompressStream(context_, &chunk, &in_);
      if (ZSTD_isError(last_)) {
        throw InputError(file_.path(), ": not a valid zstd file (", ZSTD_getErrorName(last_), ")");
      }
      produced += chunk.pos;
      // 0: a frame is decoded and flushed; with no input left, that is the end.
      if (last_ == 0 && in_.pos == in_.size) {
        end = true;
        break;
      }
      if (chunk.pos == 0 && in_.pos == in_before) {
        // No progress with room to write: the input ran out inside a frame.
        throw InputError(file_.path(), ": zstd stream ends early (the file is cut short)");
      }
    }
    return produced;
  }
  std::uint64_t consumed() const override { return in_.pos; }

 private:
  const MappedFile& file_;
  ZSTD_DCtx* context_;
  ZSTD_inBuffer in_;
  std::size_t last_ = 1;
};
#endif

}  // namespace

DecompressStream::DecompressStream(const std::string& path, Compression compression)
    : file_(std::make_unique<MappedFile>(path)) {
  if (file_->size() == 0) throw InputError(path, ": the file is empty");
  file_->AdviseSequential();
  switch (compression) {
    case Compression::kGzip:
#ifdef SCALEML_HAVE_ZLIB
      decoder_ = std::make_unique<GzipDecoder>(*file_);
      return;
#else
      throw InputError(path, ": this build reads no .gz files (built without zlib)");
#endif
    case Compression::kZstd:
#ifdef SCALEML_HAVE_ZSTD
      decoder_ = std::make_unique<ZstdDecoder>(*file_);
      return;
#else
      throw InputError(path, ": this build reads no .zst files (built without libzstd)");
#endif
    case Compression::kNone:
      break;
  }
  throw Failure(path, ": not a compressed file");
}

DecompressStream::~DecompressStream() = default;

std::size_t DecompressStream::Read(char* out, std::size_t capacity) {
  if (done_ || capacity == 0) return 0;
  bool end = false;
  const std::size_t produced = decoder_->Read(out, capacity, end);
  done_ = end;
  // The compressed pages read are handed back, so the mapping's share of the resident set stays
  // small too.
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t read_to = static_cast<std::size_t>(decoder_->consumed()) / page * page;
  if (read_to > released_) {
    ::madvise(const_cast<char*>(file_->data()) + released_, read_to - released_, MADV_DONTNEED);
    released_ = read_to;
  }
  return produced;
}

std::uint64_t DecompressStream::consumed() const { return decoder_->consumed(); }

}  // namespace scaleml
