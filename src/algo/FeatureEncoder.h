// The numeric matrix that logreg and knn train on, from a table with categorical features and
// missing values, as scikit-learn's Pipeline(ColumnTransformer(SimpleImputer(strategy="mean"),
// OneHotEncoder(handle_unknown="ignore", min_frequency=...)), ...) makes it:
// - a numeric feature stays one column; a missing value (NaN) becomes the column's mean over the
//   training rows (0 when every training value is missing); with `standardize` the column is
//   then centred on that mean and divided by its standard deviation over the imputed training
//   column (StandardScaler after SimpleImputer; a constant column is divided by 1);
// - a categorical feature becomes one 0/1 column per category seen at least min_frequency times
//   in the training rows (in dictionary order) and, when some categories were seen fewer times,
//   one last column shared by those rare ones (OneHotEncoder's infrequent category). A category
//   the training rows never held, and a missing value, are all zeros.
// Output columns follow the input features in order. Statistics are sums over every rank (one
// allreduce), kept as float: N ranks encode exactly as one process does.
// On all-numeric data without NaN and without `standardize`, Encode returns its input untouched:
// the paper's numeric path pays one vectorised scan per Fit (the means, NaN and infinity) and one
// per prediction (NaN and infinity), where it paid the finiteness check before.
// Thread-safety: Fit and Load need exclusive access; Encode is const and reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algo/BinaryIO.h"
#include "comm/Comm.h"
#include "data/Dataset.h"

namespace scaleml {

struct EncoderOptions {
  int min_frequency = 1;     // categories seen fewer times share the infrequent column
  bool standardize = false;  // numeric columns to zero mean and unit variance
};

// What a scan of a table's feature values found.
struct ValueScan {
  bool missing = false;   // a NaN somewhere
  bool infinite = false;  // an infinity somewhere
};
ValueScan ScanValues(const Dataset& data);

class FeatureEncoder {
 public:
  // Collective: learns the means, scales and category counts from every rank's rows of `train`
  // and returns them encoded (Encode). An infinite value on any rank is an input error on every
  // rank (CheckNotInfinite; `algorithm` names the caller).
  const Dataset& FitEncode(const Dataset& train, const EncoderOptions& options,
                           const char* algorithm, Comm& comm, Dataset& storage);
  void Fit(const Dataset& train, const EncoderOptions& options, const char* algorithm, Comm& comm) {
    Dataset storage;
    FitEncode(train, options, algorithm, comm, storage);
  }

  std::size_t input_features() const { return columns_.size(); }
  std::size_t output_features() const { return output_names_.size(); }
  const std::vector<std::string>& output_names() const { return output_names_; }
  // True when every feature is numeric and unscaled: only missing values change.
  bool numeric_passthrough() const { return passthrough_; }
  // Whether this rank's training rows of the last FitEncode held a missing value (NaN), which
  // it imputed: its scan of every value tells, so a caller that must refuse them (the Python
  // estimators that follow scikit-learn) need not look at the rows again.
  bool training_had_missing() const { return training_had_missing_; }

  // The encoded rows: `data` itself when nothing would change, otherwise an owned copy placed
  // in `storage` (labels and row ids kept). `data` must have input_features() features and no
  // infinite value (the caller checks, collectively where it must); `scan`, when given, is
  // ScanValues(data), which spares a second look for NaN.
  const Dataset& Encode(const Dataset& data, Dataset& storage,
                        const ValueScan* scan = nullptr) const;

  void Save(BinaryWriter& out) const;
  void Load(BinaryReader& in);

 private:
  struct Column {
    bool categorical = false;
    float mean = 0.0f;    // numeric: the imputed value
    float scale = 1.0f;   // numeric: the divisor after centring (1 without standardize)
    bool centre = false;  // numeric: subtract the mean (standardize)
    std::vector<std::int32_t> code_to_output;  // categorical: code -> output offset, -1 none
    std::uint32_t outputs = 1;
  };
  void NameOutputs(const Dataset& train, const std::vector<std::vector<double>>& counts,
                   int min_frequency);
  void FinishLayout();

  std::vector<Column> columns_;
  std::vector<std::size_t> first_output_;  // per input feature
  std::vector<std::string> output_names_;
  bool passthrough_ = true;
  bool training_had_missing_ = false;
};

}  // namespace scaleml
