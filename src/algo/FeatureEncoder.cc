#include "algo/FeatureEncoder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algo/Classifier.h"
#include "comm/CommOps.h"
#include "core/Error.h"

namespace scaleml {
namespace {

// A category code as an index, or -1 for missing and for values outside the dictionary.
inline std::int64_t CodeIndex(float value, std::size_t categories) {
  if (!(value >= 0.0f) || value >= static_cast<float>(categories)) return -1;
  const auto code = static_cast<std::int64_t>(value);
  return static_cast<float>(code) == value ? code : -1;
}

// Independent accumulators, so that the compiler vectorises the scans (each lane adds in order).
constexpr std::size_t kLanes = 8;

struct NumericScan {
  double sum = 0.0;    // of the values that are not NaN
  double count = 0.0;  // values that are not NaN
  bool infinite = false;
};

// The exact scans: a NaN or an infinity is looked for value by value.
NumericScan ScanNumericExactly(std::span<const float> x) {
  NumericScan scan;
  for (float v : x) {
    if (!std::isnan(v)) {
      scan.sum += v;
      scan.count += 1.0;
    }
    scan.infinite = scan.infinite || std::isinf(v);
  }
  return scan;
}

ValueScan ScanColumnExactly(std::span<const float> x) {
  ValueScan scan;
  for (float v : x) {
    scan.missing = scan.missing || std::isnan(v);
    scan.infinite = scan.infinite || std::isinf(v);
  }
  return scan;
}

// Sums in independent lanes, so that the compiler vectorises them (each lane adds in order, the
// lanes are added in order: the same result for the same values on every run).
template <class Accumulator>
Accumulator LaneSum(std::span<const float> x) {
  Accumulator lanes[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= x.size(); i += kLanes) {
    for (std::size_t j = 0; j < kLanes; ++j) lanes[j] += static_cast<Accumulator>(x[i + j]);
  }
  Accumulator sum = 0;
  for (; i < x.size(); ++i) sum += static_cast<Accumulator>(x[i]);
  for (std::size_t j = 0; j < kLanes; ++j) sum += lanes[j];
  return sum;
}

// The common case costs one plain sum: in double, floats cannot overflow it, so a finite sum
// means no NaN and no infinity; otherwise the exact scan says which.
NumericScan ScanNumeric(std::span<const float> x) {
  const double sum = LaneSum<double>(x);
  if (std::isfinite(sum)) return {sum, static_cast<double>(x.size()), false};
  return ScanNumericExactly(x);
}

// In float a sum may overflow to infinity: then, as for NaN or infinity, the exact scan decides.
ValueScan ScanColumn(std::span<const float> x) {
  if (std::isfinite(LaneSum<float>(x))) return {};
  return ScanColumnExactly(x);
}

}  // namespace

ValueScan ScanValues(const Dataset& data) {
  std::vector<ValueScan> scans(data.features());
#pragma omp parallel for schedule(dynamic) if (data.rows() * data.features() >= (1u << 20))
  for (std::size_t f = 0; f < data.features(); ++f) scans[f] = ScanColumn(data.column(f));
  ValueScan all;
  for (const auto& scan : scans) {
    all.missing = all.missing || scan.missing;
    all.infinite = all.infinite || scan.infinite;
  }
  return all;
}

const Dataset& FeatureEncoder::FitEncode(const Dataset& train, const EncoderOptions& options,
                                         const char* algorithm, Comm& comm, Dataset& storage) {
  const Schema& schema = train.schema();
  const std::size_t features = train.features();
  columns_.assign(features, Column{});
  // One buffer for one allreduce: per numeric feature (sum, count), per categorical feature its
  // category counts, then the count of columns with infinite values.
  std::vector<std::size_t> offset(features + 1, 0);
  for (std::size_t f = 0; f < features; ++f) {
    columns_[f].categorical = schema.IsCategorical(f);
    offset[f + 1] = offset[f] + (columns_[f].categorical ? schema.CategoryCount(f) : 2);
  }
  std::vector<double> sums(offset[features] + 1, 0.0);
  std::vector<ValueScan> scans(features);
#pragma omp parallel for schedule(dynamic)
  for (std::size_t f = 0; f < features; ++f) {
    const auto column = train.column(f);
    double* out = sums.data() + offset[f];
    if (columns_[f].categorical) {
      const std::size_t categories = schema.CategoryCount(f);
      for (float v : column) {
        const std::int64_t code = CodeIndex(v, categories);
        if (code >= 0) out[code] += 1.0;
      }
      scans[f] = ScanColumn(column);
    } else {
      const NumericScan scan = ScanNumeric(column);
      out[0] = scan.sum;
      out[1] = scan.count;
      scans[f] = {scan.count < static_cast<double>(column.size()), scan.infinite};
    }
  }
  ValueScan local;
  for (std::size_t f = 0; f < features; ++f) {
    local.missing = local.missing || scans[f].missing;
    local.infinite = local.infinite || scans[f].infinite;
    sums[offset[features]] += scans[f].infinite ? 1.0 : 0.0;
  }
  training_had_missing_ = local.missing;
  const double layout = static_cast<double>(offset[features]);
  if (AllreduceValue(comm, layout, ReduceOp::kMax) != layout ||
      AllreduceValue(comm, layout, ReduceOp::kMin) != layout) {
    throw InputError(algorithm,
                     ": ranks hold different category dictionaries (the ranks' schemas differ)");
  }
  AllreduceSum(comm, std::span<double>(sums));
  // Every rank sees the total: all of them take the collective check that names the value.
  if (sums[offset[features]] > 0) CheckNotInfinite(train, algorithm, "training", comm);
  const double rows = AllreduceSum(comm, static_cast<double>(train.rows()));

  passthrough_ = true;
  std::vector<double> squares(features, 0.0);
  for (std::size_t f = 0; f < features; ++f) {
    Column& column = columns_[f];
    if (column.categorical) {
      passthrough_ = false;
      continue;
    }
    const double sum = sums[offset[f]], count = sums[offset[f] + 1];
    column.mean = count > 0 ? static_cast<float>(sum / count) : 0.0f;
  }
  if (options.standardize) {
    passthrough_ = false;
#pragma omp parallel for schedule(dynamic)
    for (std::size_t f = 0; f < features; ++f) {
      if (columns_[f].categorical) continue;
      double total = 0.0;
      const double mean = columns_[f].mean;
      for (float v : train.column(f)) {
        if (!std::isnan(v)) total += (v - mean) * (v - mean);
      }
      squares[f] = total;
    }
    AllreduceSum(comm, std::span<double>(squares));
    for (std::size_t f = 0; f < features; ++f) {
      Column& column = columns_[f];
      if (column.categorical) continue;
      const double deviation = rows > 0 ? std::sqrt(squares[f] / rows) : 0.0;
      column.centre = true;
      column.scale =
          deviation > 0 && std::isfinite(deviation) ? static_cast<float>(deviation) : 1.0f;
    }
  }
  std::vector<std::vector<double>> counts(features);
  for (std::size_t f = 0; f < features; ++f) {
    if (columns_[f].categorical) {
      counts[f].assign(sums.begin() + offset[f], sums.begin() + offset[f + 1]);
    }
  }
  NameOutputs(train, counts, std::max(1, options.min_frequency));
  return Encode(train, storage, &local);
}

void FeatureEncoder::NameOutputs(const Dataset& train,
                                 const std::vector<std::vector<double>>& counts,
                                 int min_frequency) {
  const Schema& schema = train.schema();
  output_names_.clear();
  for (std::size_t f = 0; f < columns_.size(); ++f) {
    Column& column = columns_[f];
    const std::string& name = train.feature_names()[f];
    if (!column.categorical) {
      column.outputs = 1;
      output_names_.push_back(name);
      continue;
    }
    const auto& categories = schema.features[f].categories;
    column.code_to_output.assign(categories.size(), -1);
    std::int32_t next = 0;
    bool infrequent = false;
    for (std::size_t code = 0; code < categories.size(); ++code) {
      if (counts[f][code] >= min_frequency) {
        column.code_to_output[code] = next++;
        output_names_.push_back(name + "_" + categories[code]);
      } else if (counts[f][code] > 0) {
        infrequent = true;
      }
    }
    if (infrequent) {
      for (std::size_t code = 0; code < categories.size(); ++code) {
        if (counts[f][code] > 0 && counts[f][code] < min_frequency)
          column.code_to_output[code] = next;
      }
      ++next;
      output_names_.push_back(name + "_infrequent");
    }
    column.outputs = static_cast<std::uint32_t>(next);
  }
  FinishLayout();
}

void FeatureEncoder::FinishLayout() {
  first_output_.assign(columns_.size(), 0);
  std::size_t next = 0;
  for (std::size_t f = 0; f < columns_.size(); ++f) {
    first_output_[f] = next;
    next += columns_[f].outputs;
  }
}

const Dataset& FeatureEncoder::Encode(const Dataset& data, Dataset& storage,
                                      const ValueScan* scan) const {
  if (data.features() != columns_.size()) {
    throw InputError("the data has ", data.features(), " features but the model was trained on ",
                     columns_.size());
  }
  if (passthrough_ && !(scan != nullptr ? scan->missing : ScanValues(data).missing)) return data;
  const std::size_t rows = data.rows();
  Dataset out(output_names_, rows, data.target_name());
  std::copy(data.labels().begin(), data.labels().end(), out.mutable_labels().begin());
  std::copy(data.row_ids().begin(), data.row_ids().end(), out.mutable_row_ids().begin());
#pragma omp parallel for schedule(dynamic) if (rows >= 16384)
  for (std::size_t f = 0; f < columns_.size(); ++f) {
    const Column& column = columns_[f];
    const auto in = data.column(f);
    if (!column.categorical) {
      float* dst = out.mutable_column(first_output_[f]).data();
      const double mean = column.mean, scale = column.scale;
      for (std::size_t r = 0; r < rows; ++r) {
        const double v = std::isnan(in[r]) ? mean : in[r];
        dst[r] = column.centre ? static_cast<float>((v - mean) / scale) : static_cast<float>(v);
      }
      continue;
    }
    // Owned storage starts zero-filled: only the ones are written.
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int64_t code = CodeIndex(in[r], column.code_to_output.size());
      if (code < 0 || column.code_to_output[code] < 0) continue;
      out.mutable_column(first_output_[f] + column.code_to_output[code])[r] = 1.0f;
    }
  }
  storage = std::move(out);
  return storage;
}

// Layout: input features (u64); per feature: categorical (u8), mean (f32), scale (f32), centre
// (u8), code_to_output (i32 array), outputs (u32); output names (count, strings).
void FeatureEncoder::Save(BinaryWriter& out) const {
  out.Put<std::uint64_t>(columns_.size());
  for (const Column& column : columns_) {
    out.Put<std::uint8_t>(column.categorical ? 1 : 0);
    out.Put<float>(column.mean);
    out.Put<float>(column.scale);
    out.Put<std::uint8_t>(column.centre ? 1 : 0);
    out.PutVector(column.code_to_output);
    out.Put<std::uint32_t>(column.outputs);
  }
  out.Put<std::uint64_t>(output_names_.size());
  for (const auto& name : output_names_) out.PutString(name);
}

void FeatureEncoder::Load(BinaryReader& in) {
  const auto features = in.Get<std::uint64_t>();
  if (features == 0 || features > (1u << 24)) throw in.Corrupt("implausible feature count");
  std::vector<Column> columns(features);
  std::uint64_t outputs = 0;
  bool passthrough = true;
  for (Column& column : columns) {
    const auto categorical = in.Get<std::uint8_t>();
    column.mean = in.Get<float>();
    column.scale = in.Get<float>();
    const auto centre = in.Get<std::uint8_t>();
    column.code_to_output = in.GetVector<std::int32_t>(1u << 24);
    column.outputs = in.Get<std::uint32_t>();
    if (categorical > 1 || centre > 1 || !std::isfinite(column.mean) ||
        !std::isfinite(column.scale) || !(column.scale > 0)) {
      throw in.Corrupt("an impossible feature encoding");
    }
    column.categorical = categorical == 1;
    column.centre = centre == 1;
    if (!column.categorical && (column.outputs != 1 || !column.code_to_output.empty())) {
      throw in.Corrupt("a numeric feature with categories");
    }
    for (std::int32_t to : column.code_to_output) {
      if (to < -1 || to >= static_cast<std::int64_t>(column.outputs)) {
        throw in.Corrupt("a category mapped outside its columns");
      }
    }
    passthrough = passthrough && !column.categorical && !column.centre;
    outputs += column.outputs;
  }
  const auto names = in.Get<std::uint64_t>();
  if (names != outputs || names > (1u << 26)) throw in.Corrupt("encoded column names");
  std::vector<std::string> output_names;
  for (std::uint64_t i = 0; i < names; ++i) output_names.push_back(in.GetString());
  columns_ = std::move(columns);
  output_names_ = std::move(output_names);
  passthrough_ = passthrough;
  training_had_missing_ = false;
  FinishLayout();
}

}  // namespace scaleml
