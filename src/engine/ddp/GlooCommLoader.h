// Loads libscaleml_gloo.so (the only code linked with libtorch) on first use and forms a Gloo
// process group through its C entry point. Found at $SCALEML_GLOO_LIBRARY, else next to the
// running executable, else in ../lib/scaleml/ beside it.
// Thread-safety: safe from any thread; the library stays loaded for the life of the process.
#pragma once

#include <memory>
#include <string>

#include "comm/Comm.h"

namespace scaleml {

struct GlooCommSettings {
  std::string master_addr;
  int master_port = 0;
  int rank = 0;
  int size = 1;
  double timeout_s = 300.0;
  std::string local_addr;       // empty: the address on the route to master_addr
  bool external_store = false;  // the launcher hosts the store (torchrun), not rank 0
  int attempt = 0;              // RankEnvironment::attempt
  std::string token;            // RankEnvironment::token; empty = none
};

// The path that will be loaded; throws a Failure naming the places looked at when none exists.
std::string FindGlooLibrary();

// Loads the library now (it is loaded on first use otherwise); throws a Failure when it cannot.
void LoadGlooLibrary();

// Forms the group; throws a Failure with one line (the library missing, the rendezvous failing).
// Ignores SIGPIPE for the process, as Python does, so a peer that dies turns into an error on
// the socket instead of killing this rank.
std::unique_ptr<Comm> ConnectGlooComm(const GlooCommSettings& settings);

}  // namespace scaleml
