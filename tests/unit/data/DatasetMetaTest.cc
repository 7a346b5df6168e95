// The .meta file in the paper's format and the streaming checksum.
#include "data/DatasetMeta.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/AtomicFile.h"
#include "core/Error.h"

namespace scaleml {
namespace {

TEST(DatasetMetaTest, PaperFormatHasTheThreeLines) {
  // 1048576 * 1.5 bytes is 1.5 MiB.
  EXPECT_EQ(FormatPaperMeta(5000000, 10, 1572864),
            "num_samples,5000000\nnum_features,10\ndataset_size_mb,1.50\n");
}

TEST(DatasetMetaTest, ReadsBackAndRejectsMalformedFiles) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("scaleml_meta_" + std::to_string(::getpid()) + ".meta"))
                               .string();
  WriteFileAtomically(path, FormatPaperMeta(123, 4, 10 * 1048576));
  const PaperMeta meta = ReadPaperMeta(path);
  EXPECT_EQ(meta.num_samples, 123);
  EXPECT_EQ(meta.num_features, 4);
  EXPECT_DOUBLE_EQ(meta.dataset_size_mb, 10.0);

  WriteFileAtomically(path, "num_samples,12x\nnum_features,4\ndataset_size_mb,1\n");
  try {
    ReadPaperMeta(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":1"), std::string::npos) << e.what();
  }
  WriteFileAtomically(path, "num_samples,12\n");
  EXPECT_THROW(ReadPaperMeta(path), Error);
  std::filesystem::remove(path);
  EXPECT_THROW(ReadPaperMeta(path), Error);
}

TEST(DatasetMetaTest, StreamingChecksumEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += static_cast<char>('a' + (i * 7919) % 26);
  Checksum streaming;
  for (std::size_t start = 0; start < text.size(); start += 333) {
    streaming.Update(text.data() + start, std::min<std::size_t>(333, text.size() - start));
  }
  EXPECT_EQ(streaming.Digest(), ChecksumOf(text.data(), text.size()));
  text[5000] ^= 1;
  EXPECT_NE(streaming.Digest(), ChecksumOf(text.data(), text.size()));
  EXPECT_EQ(ChecksumText(0x1234).size(), std::string("xxh3_64:").size() + 16);
}

}  // namespace
}  // namespace scaleml
