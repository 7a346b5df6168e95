// The C entry points of libscaleml_gloo.so (see GlooCommAbi.h): nothing but these leaves the
// library, and no exception crosses its edge.
#include <cstdio>
#include <exception>

#include "comm/gloo/GlooComm.h"
#include "comm/gloo/GlooCommAbi.h"

extern "C" {

__attribute__((visibility("default"))) int scaleml_gloo_abi_version(void) {
  return kScalemlGlooAbiVersion;
}

__attribute__((visibility("default"))) scaleml::Comm* scaleml_gloo_comm_create(
    const ScalemlGlooConfig* config, char* error, std::size_t error_capacity) {
  auto report = [&](const char* message) {
    if (error != nullptr && error_capacity > 0) std::snprintf(error, error_capacity, "%s", message);
  };
  if (config == nullptr) {
    report("no configuration");
    return nullptr;
  }
  try {
    return scaleml::GlooComm::Connect(*config).release();
  } catch (const std::exception& e) {
    report(e.what());
  } catch (...) {
    report("unknown error while forming the process group");
  }
  return nullptr;
}
}
