#include "engine/ddp/DdpEngine.h"

#include "engine/ddp/DdpTrain.h"

namespace scaleml {

TrainReport DdpEngine::Train(const TrainRequest& request) {
  return RunDdpTrain(request, mode_, overrides_);
}

}  // namespace scaleml
