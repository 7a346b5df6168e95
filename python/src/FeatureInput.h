// X from Python as the Dataset's columnar float32, checked in the same pass: the one path every
// estimator's fit and predict take for numeric arrays (and for DataFrames once encoded). A
// Fortran-order float32 array is viewed as it is and scanned; any other float32 or float64
// layout is converted by row blocks (cache-sized, the threads splitting the rows) and each block
// scanned while it is in cache. The scan replaces scikit-learn's check_array finiteness pass
// and numpy's conversion, which were single-threaded passes of their own over X.
// Thread-safety: ReadFeatures needs the GIL (it may allocate an array); it releases it for the
// pass.
#pragma once

#include <pybind11/numpy.h>

#include <string>

namespace scaleml {

using ColumnarArray = pybind11::array_t<float, pybind11::array::f_style>;

struct FeatureInput {
  ColumnarArray columns;  // X itself when it was Fortran-order float32, else the converted copy
  bool missing = false;   // a NaN somewhere
  bool infinite = false;  // an infinity somewhere
};

// Whether ReadFeatures looks for NaN and infinities in a Fortran-order float32 X, which it views
// as it is: always, or only when it converts X (the scan then costs nothing: each block is
// scanned while it is in cache), for a caller whose algorithm scans the values itself.
enum class ScanPass { kAlways, kWhenConverting };

// `X`: a 2-d float32 or float64 array of any layout (other dtypes are cast by numpy first).
// `threads`: OpenMP threads for the pass (core/Threads.h's SetThreads), 0 = all.
FeatureInput ReadFeatures(const pybind11::array& X, int threads, ScanPass scan = ScanPass::kAlways);

// scikit-learn's errors for non-finite input (ValueError, the words its estimator checks look
// for): an infinity always, a NaN unless `allow_missing`. `estimator` names the Python class.
void CheckFeatureValues(const FeatureInput& input, bool allow_missing,
                        const std::string& estimator);

}  // namespace scaleml
