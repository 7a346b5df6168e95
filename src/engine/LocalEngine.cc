#include "engine/LocalEngine.h"

#include "comm/LocalComm.h"

namespace scaleml {

TrainReport LocalEngine::Train(const TrainRequest& request) {
  TrainRequest job = request;
  job.engine = EngineKind::kLocal;
  job.partitioned = false;
  LocalComm comm;
  return RunTrainJob(job, comm);
}

}  // namespace scaleml
