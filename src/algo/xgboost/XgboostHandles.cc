#include "algo/xgboost/XgboostHandles.h"

#include <cstdint>

namespace scaleml {
namespace {

// A one-batch iterator for XGQuantileDMatrixCreateFromCallback: the first Next() hands the
// whole dataset to the proxy, the second reports the end.
struct SingleBatchIterator {
  DMatrixHandle proxy = nullptr;
  const std::string* interface = nullptr;
  bool done = false;
  int status = 0;  // libxgboost's return code from setting the data
};

void ResetIterator(DataIterHandle handle) {
  static_cast<SingleBatchIterator*>(handle)->done = false;
}

int NextBatch(DataIterHandle handle) {
  auto* it = static_cast<SingleBatchIterator*>(handle);
  if (it->done) return 0;
  it->done = true;
  it->status = XGProxyDMatrixSetDataDense(it->proxy, it->interface->c_str());
  return it->status == 0 ? 1 : 0;
}

std::string MatrixConfig(int threads, int max_bin) {
  // libxgboost's JSON reader accepts NaN, the value our CSV reader stores for missing fields.
  std::string config = StrCat("{\"missing\": NaN, \"nthread\": ", threads);
  if (max_bin > 0) config += StrCat(", \"max_bin\": ", max_bin);
  return config + "}";
}

}  // namespace

void CheckXgb(int rc, const char* what, Error::Kind kind) {
  if (rc == 0) return;
  const char* message = XGBGetLastError();
  throw Error(kind, StrCat("xgboost: ", what, " failed: ", message ? message : "unknown error"));
}

std::string FeatureArrayInterface(const Dataset& data) {
  const auto address = reinterpret_cast<std::uintptr_t>(data.feature_data().data());
  return StrCat("{\"data\": [", address, ", true], \"shape\": [", data.rows(), ", ",
                data.features(), "], \"strides\": [", sizeof(float), ", ",
                sizeof(float) * data.rows(), "], \"typestr\": \"<f4\", \"version\": 3}");
}

std::string Int32ArrayInterface(const std::int32_t* values, std::size_t count) {
  const auto address = reinterpret_cast<std::uintptr_t>(values);
  return StrCat("{\"data\": [", address, ", true], \"shape\": [", count,
                "], \"typestr\": \"<i4\", \"version\": 3}");
}

DMatrixPtr MakeTrainMatrix(const Dataset& data, bool quantile, int max_bin, int threads) {
  const std::string interface = FeatureArrayInterface(data);
  DMatrixHandle out = nullptr;
  if (!quantile) {
    CheckXgb(XGDMatrixCreateFromDense(interface.c_str(), MatrixConfig(threads, 0).c_str(), &out),
             "creating the training matrix");
    return DMatrixPtr(out);
  }
  DMatrixHandle proxy_handle = nullptr;
  CheckXgb(XGProxyDMatrixCreate(&proxy_handle), "creating a proxy matrix");
  DMatrixPtr proxy(proxy_handle);
  SingleBatchIterator iterator{proxy_handle, &interface};
  int rc =
      XGQuantileDMatrixCreateFromCallback(&iterator, proxy_handle, nullptr, &ResetIterator,
                                          &NextBatch, MatrixConfig(threads, max_bin).c_str(), &out);
  CheckXgb(iterator.status, "handing the features to the quantile matrix");
  CheckXgb(rc, "creating the quantile training matrix");
  return DMatrixPtr(out);
}

}  // namespace scaleml
