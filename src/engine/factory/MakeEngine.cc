#include "engine/factory/MakeEngine.h"

#include "core/Error.h"
#include "engine/LocalEngine.h"
#include "engine/ddp/DdpEngine.h"
#include "engine/tune/TasksEngine.h"

namespace scaleml {

std::unique_ptr<Engine> MakeEngine(EngineKind kind, const EngineOptions& options) {
  if (options.ddp_mode != DdpMode::kOneModel && kind != EngineKind::kDdp) {
    throw InputError("train: --ddp-mode ", DdpModeName(options.ddp_mode),
                     " applies to --engine ddp only; add --engine ddp under scaleml launch");
  }
  switch (kind) {
    case EngineKind::kLocal:
      return std::make_unique<LocalEngine>();
    case EngineKind::kTasks:
      return std::make_unique<tune::TasksEngine>();
    case EngineKind::kDdp:
      return std::make_unique<DdpEngine>(options.ddp_mode, options.rank_overrides);
  }
  throw Failure("MakeEngine: engine kind ", static_cast<int>(kind), " has no class");
}

}  // namespace scaleml
