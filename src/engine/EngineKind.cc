#include "engine/EngineKind.h"

#include "core/Error.h"

namespace scaleml {

EngineKind ParseEngineKind(std::string_view name) {
  if (name == "local") return EngineKind::kLocal;
  if (name == "tasks") return EngineKind::kTasks;
  if (name == "ddp") return EngineKind::kDdp;
  throw InputError("--engine ", name, " is unknown: use local, tasks or ddp");
}

const char* EngineKindName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kLocal:
      return "local";
    case EngineKind::kTasks:
      return "tasks";
    case EngineKind::kDdp:
      return "ddp";
  }
  return "local";
}

DdpMode ParseDdpMode(std::string_view name) {
  if (name == "one-model") return DdpMode::kOneModel;
  if (name == "paper") return DdpMode::kPaper;
  throw InputError("--ddp-mode ", name, " is unknown: use one-model or paper");
}

const char* DdpModeName(DdpMode mode) { return mode == DdpMode::kPaper ? "paper" : "one-model"; }

}  // namespace scaleml
