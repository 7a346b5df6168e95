// The choices of how a training run is executed, as enums: parsed once from a flag at the CLI
// edge and passed on typed. The spellings are the flags' and the reports' (results.jsonl and the
// dashboards read "engine" and "ddp_mode" as these strings).
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace scaleml {

// local: this process alone; tasks: one trial on the tasks engine (a cluster); ddp: one rank of
// a process group started by scaleml launch, torchrun, mpirun or srun.
enum class EngineKind { kLocal, kTasks, kDdp };

// "local", "tasks" or "ddp"; anything else is an InputError that lists them.
EngineKind ParseEngineKind(std::string_view name);
const char* EngineKindName(EngineKind kind);

// Under the ddp engine: one-model (the ranks train one model together) or paper (every rank
// trains alone on its share; engine/ddp/DdpTrain.h).
enum class DdpMode { kOneModel, kPaper };

// "one-model" or "paper"; anything else is an InputError that lists them.
DdpMode ParseDdpMode(std::string_view name);
const char* DdpModeName(DdpMode mode);

}  // namespace scaleml
