#include "FeatureInput.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/Error.h"
#include "core/Threads.h"

namespace py = pybind11;

namespace scaleml {
namespace {

// Rows converted together: a block of a float64 row-major X (2048 x 10 x 8 bytes) stays in L2
// while its columns are gathered.
constexpr std::size_t kBlockRows = 2048;
// Below this many values one thread does the pass (waking a team costs more).
constexpr std::size_t kParallelValues = std::size_t{1} << 16;
constexpr std::uint32_t kExponent = 0x7f800000u;

// The largest exponent field of x: kExponent exactly when x holds a NaN or an infinity. Integer
// max vectorises, where a floating-point test per value would not.
std::uint32_t MaxExponent(const float* x, std::size_t n) {
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, x + i, sizeof bits);
    top = std::max(top, bits & kExponent);
  }
  return top;
}

// Which kinds of non-finite value x holds (the rare path: only after MaxExponent found one).
void ClassifyNonFinite(const float* x, std::size_t n, bool& missing, bool& infinite) {
  for (std::size_t i = 0; i < n; ++i) {
    missing = missing || std::isnan(x[i]);
    infinite = infinite || std::isinf(x[i]);
  }
}

void ScanColumnar(const float* x, std::size_t n, FeatureInput& out) {
  const std::size_t chunk = std::max<std::size_t>(kParallelValues, 1);
  const auto chunks = static_cast<std::int64_t>((n + chunk - 1) / chunk);
  std::uint32_t top = 0;
#pragma omp parallel for schedule(static) reduction(max : top) if (n >= 2 * kParallelValues)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c) * chunk;
    top = std::max(top, MaxExponent(x + begin, std::min(n, begin + chunk) - begin));
  }
  if (top == kExponent) ClassifyNonFinite(x, n, out.missing, out.infinite);
}

// out(r, f) = X(r, f) as float, X of any strides; each block of rows scanned right after it is
// written. Returns whether any value is NaN or infinite (the caller classifies).
template <class T>
bool ConvertByRowBlocks(const char* base, py::ssize_t row_stride, py::ssize_t column_stride,
                        std::size_t rows, std::size_t columns, float* out) {
  const auto blocks = static_cast<std::int64_t>((rows + kBlockRows - 1) / kBlockRows);
  std::uint32_t top = 0;
#pragma omp parallel for schedule(static) reduction(max \
                                                    : top) if (rows * columns >= kParallelValues)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlockRows;
    const std::size_t n = std::min(rows, begin + kBlockRows) - begin;
    for (std::size_t f = 0; f < columns; ++f) {
      const char* in = base + static_cast<py::ssize_t>(begin) * row_stride +
                       static_cast<py::ssize_t>(f) * column_stride;
      float* column = out + f * rows + begin;
      for (std::size_t i = 0; i < n; ++i) {
        T value;
        std::memcpy(&value, in + static_cast<py::ssize_t>(i) * row_stride, sizeof value);
        column[i] = static_cast<float>(value);
      }
      top = std::max(top, MaxExponent(column, n));
    }
  }
  return top == kExponent;
}

}  // namespace

FeatureInput ReadFeatures(const py::array& X, int threads, ScanPass scan) {
  if (X.ndim() != 2) throw InputError("X must be a 2-d array, got ", X.ndim(), "-d");
  FeatureInput out;
  const bool is_float = py::isinstance<py::array_t<float>>(X);
  const bool is_double = py::isinstance<py::array_t<double>>(X);
  if (is_float && (X.flags() & py::array::f_style) != 0) {
    out.columns = py::reinterpret_borrow<ColumnarArray>(X);
    if (scan == ScanPass::kWhenConverting) return out;
    const float* data = out.columns.data();
    const auto values = static_cast<std::size_t>(X.shape(0) * X.shape(1));
    py::gil_scoped_release release;
    SetThreads(threads);
    ScanColumnar(data, values, out);
    return out;
  }
  if (!is_float && !is_double) {
    // Other dtypes (integers, float16): numpy's cast, then the scan of a float32 array.
    return ReadFeatures(ColumnarArray::ensure(X), threads);  // converted: scanned
  }
  const auto rows = static_cast<std::size_t>(X.shape(0));
  const auto columns = static_cast<std::size_t>(X.shape(1));
  out.columns = ColumnarArray({X.shape(0), X.shape(1)});
  float* dest = out.columns.mutable_data();
  const char* base = static_cast<const char*>(X.data());
  const py::ssize_t row_stride = X.strides(0), column_stride = X.strides(1);
  py::gil_scoped_release release;
  SetThreads(threads);
  const bool non_finite =
      is_float ? ConvertByRowBlocks<float>(base, row_stride, column_stride, rows, columns, dest)
               : ConvertByRowBlocks<double>(base, row_stride, column_stride, rows, columns, dest);
  if (non_finite) ClassifyNonFinite(dest, rows * columns, out.missing, out.infinite);
  return out;
}

void CheckFeatureValues(const FeatureInput& input, bool allow_missing,
                        const std::string& estimator) {
  if (input.infinite) {
    throw InputError("Input X contains infinity or a value too large for dtype('float32').");
  }
  if (input.missing && !allow_missing) {
    throw InputError("Input X contains NaN; ", estimator,
                     " does not accept missing values (GBDTClassifier, XGBoostClassifier and "
                     "RandomForestClassifier do).");
  }
}

}  // namespace scaleml
