// The engine of a kind, for the CLI: the one place that knows every Engine class (the engines
// live in libraries of their own, and only the binary links them all).
// Thread-safety: pure function.
#pragma once

#include <memory>

#include "engine/Engine.h"
#include "engine/ddp/RankEnvironment.h"

namespace scaleml {

// What an engine needs beyond the request: the ddp engine's mode and rendezvous overrides.
struct EngineOptions {
  DdpMode ddp_mode = DdpMode::kOneModel;
  RankOverrides rank_overrides;  // --master-addr/--master-port under mpirun and srun
};

// An InputError when `options` ask for what `kind` does not do (--ddp-mode paper off ddp).
std::unique_ptr<Engine> MakeEngine(EngineKind kind, const EngineOptions& options = {});

}  // namespace scaleml
