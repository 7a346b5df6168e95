// The local engine: the whole run in this process, with LocalComm (no collectives).
// Thread-safety: as Engine.
#pragma once

#include "engine/Engine.h"

namespace scaleml {

class LocalEngine final : public Engine {
 public:
  EngineKind kind() const override { return EngineKind::kLocal; }
  TrainReport Train(const TrainRequest& request) override;
};

}  // namespace scaleml
