#include "engine/ddp/GlooCommLoader.h"

#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "comm/gloo/GlooCommAbi.h"
#include "core/Error.h"

namespace scaleml {
namespace {

constexpr const char* kLibraryName = "libscaleml_gloo.so";

std::filesystem::path ExecutableDirectory() {
  char buffer[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (length <= 0) return {};
  return std::filesystem::path(std::string(buffer, static_cast<std::size_t>(length))).parent_path();
}

struct LoadedLibrary {
  ScalemlGlooCommCreateFn create = nullptr;
  std::string error;  // why loading failed; sticky, so every caller gets the same answer
};

const LoadedLibrary& Load() {
  static LoadedLibrary loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string path;
    try {
      path = FindGlooLibrary();
    } catch (const Error& e) {
      loaded.error = e.what();
      return;
    }
    // c10d logs through glog to stderr (warnings for every bind attempt, a banner about
    // InitGoogleLogging); our errors carry the message already. GLOG_minloglevel set by the
    // user wins.
    setenv("GLOG_minloglevel", "3", 0);
    // Never closed: libtorch keeps threads and static state that cannot be unloaded safely.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      loaded.error = StrCat("cannot load ", path, ": ", dlerror());
      return;
    }
    auto version =
        reinterpret_cast<ScalemlGlooAbiVersionFn>(dlsym(handle, "scaleml_gloo_abi_version"));
    auto create =
        reinterpret_cast<ScalemlGlooCommCreateFn>(dlsym(handle, "scaleml_gloo_comm_create"));
    if (version == nullptr || create == nullptr) {
      loaded.error = StrCat(path, " is not a scaleml Gloo library (entry points missing)");
      return;
    }
    if (version() != kScalemlGlooAbiVersion) {
      loaded.error = StrCat(path, " was built for another scaleml (interface version ", version(),
                            ", expected ", kScalemlGlooAbiVersion, ")");
      return;
    }
    loaded.create = create;
  });
  return loaded;
}

}  // namespace

std::string FindGlooLibrary() {
  if (const char* overridden = std::getenv("SCALEML_GLOO_LIBRARY");
      overridden != nullptr && overridden[0] != '\0') {
    if (!std::filesystem::exists(overridden)) {
      throw Failure("SCALEML_GLOO_LIBRARY=", overridden, " does not exist");
    }
    return overridden;
  }
  std::filesystem::path dir = ExecutableDirectory();
  std::vector<std::filesystem::path> candidates = {dir / kLibraryName,
                                                   dir / ".." / "lib" / "scaleml" / kLibraryName};
  for (const auto& candidate : candidates) {
    std::error_code ignored;
    if (std::filesystem::exists(candidate, ignored)) return candidate.lexically_normal().string();
  }
  throw Failure("the ddp engine needs ", kLibraryName,
                " (built when libtorch-dev is installed); "
                "not found at ",
                candidates[0].string(), " or ", candidates[1].lexically_normal().string(),
                "; set SCALEML_GLOO_LIBRARY to its path");
}

void LoadGlooLibrary() {
  const LoadedLibrary& library = Load();
  if (library.create == nullptr) throw Failure(library.error);
}

std::unique_ptr<Comm> ConnectGlooComm(const GlooCommSettings& settings) {
  LoadGlooLibrary();
  const LoadedLibrary& library = Load();
  signal(SIGPIPE, SIG_IGN);
  ScalemlGlooConfig config{};
  config.master_addr = settings.master_addr.c_str();
  config.master_port = settings.master_port;
  config.rank = settings.rank;
  config.size = settings.size;
  config.timeout_s = settings.timeout_s;
  config.local_addr = settings.local_addr.c_str();
  config.external_store = settings.external_store ? 1 : 0;
  config.attempt = settings.attempt;
  config.token = settings.token.c_str();
  std::vector<char> error(1024, '\0');
  Comm* comm = library.create(&config, error.data(), error.size());
  if (comm == nullptr) throw Failure(error.data());
  return std::unique_ptr<Comm>(comm);
}

}  // namespace scaleml
