// The boundary between scaleml and libscaleml_gloo.so, the only code that links libtorch. The
// ddp engine dlopen()s the library only when a run needs a process group, so that no other
// command pays libtorch's start-up (about 0.3 s). The boundary is plain C: a config of C types,
// a factory that returns a Comm the caller owns (deleted through Comm's virtual destructor) and
// reports failure as text, never as an exception crossing the library edge.
// Thread-safety: the factory may be called from any thread; each Comm as Comm.h says.
#pragma once

#include <cstddef>

namespace scaleml {
class Comm;
}

extern "C" {

// Bumped whenever the config or the meaning of the entry points changes.
inline constexpr int kScalemlGlooAbiVersion = 3;

struct ScalemlGlooConfig {
  const char* master_addr;  // host of rank 0's rendezvous store (TCPStore)
  int master_port;
  int rank;
  int size;
  double timeout_s;        // rendezvous and every collective
  const char* local_addr;  // address this rank's Gloo device binds; null or "" = the one that
                           // routes to master_addr
  int external_store;      // 1: the launcher hosts the store (torchrun's agent); 0: rank 0 does
  int attempt;             // which start of the group: its keys in the store are under it
  const char* token;       // the group's token; null or "" = none (the store answers anyone)
};

// Returns kScalemlGlooAbiVersion of the library as built.
int scaleml_gloo_abi_version(void);

// Forms the group (blocks until every rank has joined or the timeout passes). On success returns
// a new Comm; on failure returns null and writes a one-line reason into `error`.
scaleml::Comm* scaleml_gloo_comm_create(const ScalemlGlooConfig* config, char* error,
                                        std::size_t error_capacity);

using ScalemlGlooAbiVersionFn = int (*)(void);
using ScalemlGlooCommCreateFn = scaleml::Comm* (*)(const ScalemlGlooConfig*, char*, std::size_t);
}
