// Owning wrappers of libxgboost's C handles, its error reporting turned into scaleml errors, and
// __array_interface__ descriptions of our columnar data so libxgboost reads it in place.
// Thread-safety: a handle is used by one thread at a time, except that a trained booster may
// predict in place from several threads (libxgboost keeps per-thread prediction buffers).
#pragma once

#include <xgboost/c_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Error.h"
#include "data/Dataset.h"

namespace scaleml {

// Throws when a libxgboost call returned non-zero: `what` says what we were doing, the message is
// XGBGetLastError(). `kind` tells whether the caller's input (parameters, a model file) is to
// blame.
void CheckXgb(int rc, const char* what, Error::Kind kind = Error::Kind::kFailure);

struct DMatrixDeleter {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
struct BoosterDeleter {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
using DMatrixPtr = std::unique_ptr<void, DMatrixDeleter>;
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;

// The features of `data` as a rows x features float32 array interface. Our storage is columnar,
// so the strides say "column-major" and libxgboost walks it without a row-major copy.
std::string FeatureArrayInterface(const Dataset& data);
// A contiguous 1-D array interface over `count` int32 values.
std::string Int32ArrayInterface(const std::int32_t* values, std::size_t count);

// libxgboost's feature types for `data`: "c" for its categorical features (their values are the
// category codes libxgboost expects: 0..categories-1, missing NaN), "q" for the others; empty
// when every feature is numeric or `categorical` is false (libxgboost then sees numbers only).
std::vector<std::string> XgboostFeatureTypes(const Dataset& data, bool categorical);

// A training matrix for `data` (labels set separately), missing values NaN. For tree_method=hist
// the matrix is a QuantileDMatrix, as XGBClassifier builds it: features go straight from our
// columns into histogram bin indices, never into an intermediate CSR copy. `feature_types`
// (XgboostFeatureTypes), when not empty, are set on it as "feature_type".
DMatrixPtr MakeTrainMatrix(const Dataset& data, bool quantile, int max_bin, int threads,
                           const std::vector<std::string>& feature_types = {});

}  // namespace scaleml
