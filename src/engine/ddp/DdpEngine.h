// The ddp engine: this process is one rank of a group started by scaleml launch, torchrun,
// mpirun or srun; RunDdpTrain (DdpTrain.h) joins the group and trains in the given mode.
// Thread-safety: forms a process group; one Train per process.
#pragma once

#include <utility>

#include "engine/Engine.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

class DdpEngine final : public Engine {
 public:
  explicit DdpEngine(DdpMode mode = DdpMode::kOneModel, RankOverrides overrides = {})
      : mode_(mode), overrides_(std::move(overrides)) {}
  EngineKind kind() const override { return EngineKind::kDdp; }
  TrainReport Train(const TrainRequest& request) override;

 private:
  DdpMode mode_;
  RankOverrides overrides_;
};

}  // namespace scaleml
