// The tune part of scaleml._core (TuneBinding.cc).
#pragma once

#include <pybind11/pybind11.h>

namespace scaleml {

void BindTune(pybind11::module_& m);

}  // namespace scaleml
