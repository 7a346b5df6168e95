// gzip and zstd decompression of a whole mapped file, chunk by chunk into a growing buffer.
#include <cstring>
#include <string>

#include "core/Error.h"
#include "data/CsvText.h"

#ifdef SCALEML_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef SCALEML_HAVE_ZSTD
#include <zstd.h>
#endif

namespace scaleml {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

#ifdef SCALEML_HAVE_ZLIB
std::string Gunzip(const MappedFile& file) {
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  // 15 + 32: a gzip or zlib header, detected.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw Failure(file.path(), ": inflateInit failed");
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(file.data()));
  std::size_t in_left = file.size();
  int rc = Z_OK;
  while (true) {
    if (stream.avail_in == 0 && in_left > 0) {
      const std::size_t take = std::min<std::size_t>(in_left, 1u << 30);
      stream.avail_in = static_cast<uInt>(take);
      in_left -= take;
    }
    const std::size_t have = out.size();
    out.resize(have + kChunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + have);
    stream.avail_out = static_cast<uInt>(kChunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(have + (kChunk - stream.avail_out));
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (gzip a; gzip b; cat) are one stream to gunzip.
      if (stream.avail_in == 0 && in_left == 0) break;
      if (inflateReset(&stream) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0 && in_left == 0) {
      inflateEnd(&stream);
      throw InputError(file.path(), ": gzip stream ends early (the file is cut short)");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string message = stream.msg != nullptr ? stream.msg : "corrupt data";
      inflateEnd(&stream);
      throw InputError(file.path(), ": not a valid gzip file (", message, ")");
    }
  }
  inflateEnd(&stream);
  return out;
}
#endif

#ifdef SCALEML_HAVE_ZSTD
std::string Unzstd(const MappedFile& file) {
  ZSTD_DCtx* context = ZSTD_createDCtx();
  if (context == nullptr) throw Failure(file.path(), ": ZSTD_createDCtx failed");
  std::string out;
  ZSTD_inBuffer in{file.data(), file.size(), 0};
  std::size_t last = 0;
  while (in.pos < in.size) {
    const std::size_t have = out.size();
    out.resize(have + kChunk);
    ZSTD_outBuffer chunk{out.data() + have, kChunk, 0};
    last = ZSTD_decompressStream(context, &chunk, &in);
    out.resize(have + chunk.pos);
    if (ZSTD_isError(last)) {
      const std::string message = ZSTD_getErrorName(last);
      ZSTD_freeDCtx(context);
      throw InputError(file.path(), ": not a valid zstd file (", message, ")");
    }
  }
  // Output may still be buffered inside the context once the input is consumed.
  while (last != 0) {
    const std::size_t have = out.size();
    out.resize(have + kChunk);
    ZSTD_outBuffer chunk{out.data() + have, kChunk, 0};
    const std::size_t before = chunk.pos;
    last = ZSTD_decompressStream(context, &chunk, &in);
    out.resize(have + chunk.pos);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(context);
      throw InputError(file.path(), ": not a valid zstd file (", ZSTD_getErrorName(last), ")");
    }
    if (chunk.pos == before) break;  // no progress: the frame is incomplete
  }
  ZSTD_freeDCtx(context);
  if (last != 0) throw InputError(file.path(), ": zstd stream ends early (the file is cut short)");
  return out;
}
#endif

}  // namespace

std::string DecompressFile(const MappedFile& file, Compression compression) {
  if (file.size() == 0) throw InputError(file.path(), ": the file is empty");
  switch (compression) {
    case Compression::kGzip:
#ifdef SCALEML_HAVE_ZLIB
      return Gunzip(file);
#else
      throw InputError(file.path(), ": this build reads no .gz files (built without zlib)");
#endif
    case Compression::kZstd:
#ifdef SCALEML_HAVE_ZSTD
      return Unzstd(file);
#else
      throw InputError(file.path(), ": this build reads no .zst files (built without libzstd)");
#endif
    case Compression::kNone:
      break;
  }
  throw Failure(file.path(), ": not a compressed file");
}

}  // namespace scaleml
