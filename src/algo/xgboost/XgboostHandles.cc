#include "algo/xgboost/XgboostHandles.h"

#include <cstdint>
#include <string_view>

namespace scaleml {
namespace {

// A one-batch iterator for XGQuantileDMatrixCreateFromCallback: the first Next() hands the
// whole dataset to the proxy, the second reports the end.
struct SingleBatchIterator {
  DMatrixHandle proxy = nullptr;
  const std::string* interface = nullptr;
  std::vector<const char*>* feature_types = nullptr;  // empty: all numeric
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
  // The types go on the proxy after its data, as the Python package's DataIter does: the
  // quantile sketch reads them from there.
  if (it->status == 0 && !it->feature_types->empty()) {
    it->status = XGDMatrixSetStrFeatureInfo(it->proxy, "feature_type", it->feature_types->data(),
                                            it->feature_types->size());
  }
  return it->status == 0 ? 1 : 0;
}

std::string MatrixConfig(int threads, int max_bin) {
  // libxgboost's JSON reader accepts NaN, the value our CSV reader stores for missing fields.
  std::string config = StrCat("{\"missing\": NaN, \"nthread\": ", threads);
  if (max_bin > 0) config += StrCat(", \"max_bin\": ", max_bin);
  return config + "}";
}

// libxgboost's messages read "[18:01:02] ./src/x.cc:177: Check failed: ...\nStack trace: ...":
// the user gets the sentence, on one line.
std::string CleanMessage(const char* raw) {
  std::string message = raw && *raw ? raw : "unknown error";
  if (auto end = message.find("\nStack trace"); end != std::string::npos) message.resize(end);
  if (message.starts_with('[')) {
    if (auto close = message.find("] "); close != std::string::npos) message.erase(0, close + 2);
  }
  // The source location "path.cc:123: ".
  if (auto colon = message.find(": "); colon != std::string::npos) {
    std::string_view location(message.data(), colon);
    auto line_at = location.rfind(':');
    if (line_at != std::string_view::npos && location.find(' ') == std::string_view::npos &&
        line_at + 1 < location.size() &&
        location.find_first_not_of("0123456789", line_at + 1) == std::string_view::npos) {
      message.erase(0, colon + 2);
    }
  }
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

}  // namespace

void CheckXgb(int rc, const char* what, Error::Kind kind) {
  if (rc == 0) return;
  throw Error(kind, StrCat("xgboost: ", what, " failed: ", CleanMessage(XGBGetLastError())));
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

std::vector<std::string> XgboostFeatureTypes(const Dataset& data, bool categorical) {
  if (!categorical || !data.schema().HasCategorical()) return {};
  std::vector<std::string> types;
  for (std::size_t f = 0; f < data.features(); ++f) {
    types.push_back(data.schema().IsCategorical(f) ? "c" : "q");
  }
  return types;
}

DMatrixPtr MakeTrainMatrix(const Dataset& data, bool quantile, int max_bin, int threads,
                           const std::vector<std::string>& feature_types) {
  const std::string interface = FeatureArrayInterface(data);
  std::vector<const char*> types;
  for (const auto& type : feature_types) types.push_back(type.c_str());
  DMatrixHandle out = nullptr;
  if (!quantile) {
    CheckXgb(XGDMatrixCreateFromDense(interface.c_str(), MatrixConfig(threads, 0).c_str(), &out),
             "creating the training matrix");
    DMatrixPtr matrix(out);
    if (!types.empty()) {
      CheckXgb(XGDMatrixSetStrFeatureInfo(out, "feature_type", types.data(), types.size()),
               "setting the feature types");
    }
    return matrix;
  }
  DMatrixHandle proxy_handle = nullptr;
  CheckXgb(XGProxyDMatrixCreate(&proxy_handle), "creating a proxy matrix");
  DMatrixPtr proxy(proxy_handle);
  SingleBatchIterator iterator{proxy_handle, &interface, &types};
  int rc =
      XGQuantileDMatrixCreateFromCallback(&iterator, proxy_handle, nullptr, &ResetIterator,
                                          &NextBatch, MatrixConfig(threads, max_bin).c_str(), &out);
  CheckXgb(iterator.status, "handing the features to the quantile matrix");
  CheckXgb(rc, "creating the quantile training matrix");
  return DMatrixPtr(out);
}

}  // namespace scaleml
