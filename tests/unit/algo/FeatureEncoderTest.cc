// FeatureEncoder: one-hot columns with rare categories pooled, missing and unseen categories as
// zeros, mean imputation, standardisation, the untouched numeric path, ranks, and its payload.
#include "algo/FeatureEncoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

#include "comm/LocalComm.h"
#include "comm/ThreadComm.h"
#include "unit/testing/SyntheticData.h"

namespace scaleml {
namespace {

const float kNaN = std::nanf("");

// Feature "x" numeric, feature "c" categorical over {a, b, c, d, e}.
Dataset MixedTable(const std::vector<float>& x, const std::vector<float>& c) {
  Dataset data({"x", "c"}, x.size());
  for (std::size_t r = 0; r < x.size(); ++r) {
    data.mutable_column(0)[r] = x[r];
    data.mutable_column(1)[r] = c[r];
  }
  Schema schema = NumericSchema(2);
  schema.features[1] = {FeatureKind::kCategorical, {"a", "b", "c", "d", "e"}};
  data.set_schema(schema);
  return data;
}

std::vector<float> Row(const Dataset& data, std::size_t r) {
  std::vector<float> row;
  for (std::size_t f = 0; f < data.features(); ++f) row.push_back(data.at(r, f));
  return row;
}

TEST(FeatureEncoderTest, OneHotPoolsRareCategoriesAndImputesMeans) {
  // a x3, b x2, c x1 (rare with min_frequency 2), d never, e missing once.
  Dataset train = MixedTable({1, 2, kNaN, 4, 5, 6, 7}, {0, 0, 0, 1, 1, 2, kNaN});
  FeatureEncoder encoder;
  LocalComm comm;
  encoder.Fit(train, {.min_frequency = 2}, "test", comm);
  EXPECT_EQ(encoder.output_names(), (std::vector<std::string>{"x", "c_a", "c_b", "c_infrequent"}));
  Dataset storage;
  const Dataset& encoded = encoder.Encode(train, storage);
  EXPECT_EQ(&encoded, &storage);
  const float mean = (1 + 2 + 4 + 5 + 6 + 7) / 6.0f;
  EXPECT_EQ(Row(encoded, 0), (std::vector<float>{1, 1, 0, 0}));
  EXPECT_EQ(Row(encoded, 2), (std::vector<float>{mean, 1, 0, 0}));
  EXPECT_EQ(Row(encoded, 3), (std::vector<float>{4, 0, 1, 0}));
  EXPECT_EQ(Row(encoded, 5), (std::vector<float>{6, 0, 0, 1}));
  EXPECT_EQ(Row(encoded, 6), (std::vector<float>{7, 0, 0, 0}));  // missing category
  EXPECT_EQ(encoded.labels()[6], train.labels()[6]);
  EXPECT_EQ(encoded.row_ids()[6], train.row_ids()[6]);
  // A category the training rows never held and a code outside the dictionary: all zeros.
  Dataset query = MixedTable({kNaN, 3}, {3, 9});
  const Dataset& q = encoder.Encode(query, storage);
  EXPECT_EQ(Row(q, 0), (std::vector<float>{mean, 0, 0, 0}));
  EXPECT_EQ(Row(q, 1), (std::vector<float>{3, 0, 0, 0}));
}

TEST(FeatureEncoderTest, WithoutPoolingEverySeenCategoryHasAColumn) {
  Dataset train = MixedTable({1, 2, 3, 4}, {0, 1, 2, 4});
  FeatureEncoder encoder;
  LocalComm comm;
  encoder.Fit(train, {}, "test", comm);
  EXPECT_EQ(encoder.output_names(), (std::vector<std::string>{"x", "c_a", "c_b", "c_c", "c_e"}));
}

TEST(FeatureEncoderTest, StandardizeUsesTheImputedColumnsDeviation) {
  Dataset train = MixedTable({1, 3, kNaN, 5, 7}, {0, 0, 1, 1, 1});
  FeatureEncoder encoder;
  LocalComm comm;
  encoder.Fit(train, {.standardize = true}, "test", comm);
  Dataset storage;
  const Dataset& encoded = encoder.Encode(train, storage);
  // Mean 4; imputed column 1 3 4 5 7: variance (9 + 1 + 0 + 1 + 9) / 5 = 4, deviation 2.
  EXPECT_FLOAT_EQ(encoded.at(0, 0), -1.5f);
  EXPECT_FLOAT_EQ(encoded.at(2, 0), 0.0f);
  EXPECT_FLOAT_EQ(encoded.at(4, 0), 1.5f);
  // A constant column is only centred.
  Dataset constant = MixedTable({2, 2, 2}, {0, 1, 1});
  encoder.Fit(constant, {.standardize = true}, "test", comm);
  EXPECT_EQ(encoder.Encode(constant, storage).at(1, 0), 0.0f);
}

TEST(FeatureEncoderTest, NumericDataWithoutMissingValuesIsNotCopied) {
  Dataset data = testing::MakeBlobs(100, 4, 2, 2.0, 3);
  FeatureEncoder encoder;
  LocalComm comm;
  encoder.Fit(data, {}, "test", comm);
  EXPECT_TRUE(encoder.numeric_passthrough());
  Dataset storage;
  EXPECT_EQ(&encoder.Encode(data, storage), &data);
  data.mutable_column(2)[5] = kNaN;
  const Dataset& imputed = encoder.Encode(data, storage);
  EXPECT_EQ(&imputed, &storage);
  EXPECT_TRUE(std::isfinite(imputed.at(5, 2)));
  EXPECT_EQ(imputed.at(6, 2), data.at(6, 2));
}

TEST(FeatureEncoderTest, RanksLearnTheSingleProcessEncoding) {
  std::vector<float> x, c;
  for (int r = 0; r < 90; ++r) {
    x.push_back(r % 7 == 0 ? kNaN : static_cast<float>(r) * 0.37f);
    c.push_back(r % 11 == 0 ? kNaN : static_cast<float>((r * r) % 5 == 4 ? 3 : r % 3));
  }
  Dataset data = MixedTable(x, c);
  FeatureEncoder single;
  LocalComm local;
  single.Fit(data, {.min_frequency = 10, .standardize = true}, "test", local);
  BinaryWriter expected;
  single.Save(expected);
  std::mutex mutex;
  RunRanks(3, [&](Comm& comm) {
    FeatureEncoder encoder;
    encoder.Fit(testing::ContiguousShard(data, comm.rank(), 3),
                {.min_frequency = 10, .standardize = true}, "test", comm);
    BinaryWriter out;
    encoder.Save(out);
    std::lock_guard lock(mutex);
    EXPECT_EQ(out.bytes(), expected.bytes()) << "rank " << comm.rank();
  });
}

TEST(FeatureEncoderTest, PayloadRoundTripsAndRejectsDamage) {
  Dataset train = MixedTable({1, 2, kNaN, 4, 5, 6, 7}, {0, 0, 0, 1, 1, 2, kNaN});
  FeatureEncoder encoder;
  LocalComm comm;
  encoder.Fit(train, {.min_frequency = 2, .standardize = true}, "test", comm);
  BinaryWriter out;
  encoder.Save(out);
  FeatureEncoder loaded;
  BinaryReader in(out.bytes(), "model.bin");
  loaded.Load(in);
  EXPECT_TRUE(in.AtEnd());
  Dataset a, b;
  EXPECT_EQ(encoder.Encode(train, a).feature_data().size(),
            loaded.Encode(train, b).feature_data().size());
  for (std::size_t i = 0; i < a.feature_data().size(); ++i) {
    EXPECT_EQ(a.feature_data()[i], b.feature_data()[i]);
  }
  std::string damaged = out.bytes();
  damaged[8] = 7;  // the first feature's categorical flag
  BinaryReader bad(damaged, "model.bin");
  EXPECT_THROW(FeatureEncoder().Load(bad), Error);
}

}  // namespace
}  // namespace scaleml
