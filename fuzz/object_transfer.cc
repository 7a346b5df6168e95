// libFuzzer target: the object transfer protocol's lines (src/engine/tasks/ObjectTransfer.cc),
// what a peer that holds no token can send the object server and what a server sends a puller.
// The first byte picks the parser. A Failure for a bad reply is fine; a crash, another exception
// or a sanitizer report is a bug, and so is a request accepted in a form the puller never sends.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/Error.h"
#include "engine/tasks/ObjectTransfer.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const std::uint8_t choice = input.Byte();
  const std::string line = input.RestText();
  if ((choice & 1) == 0) {
    auto request = scaleml::tasks::ParseObjectRequest(line);
    // Accepted requests are exactly what Pull writes: they round-trip.
    if (request && "SMOBJ1 " + request->token + " " + request->object_id != line &&
        "SMOBJ1 " + request->token + " " + request->object_id + "\r" != line) {
      std::abort();
    }
  } else {
    try {
      auto reply = scaleml::tasks::ParseObjectReply(line, "peer");
      if (reply.ok && reply.size < 0) std::abort();
    } catch (const scaleml::Error&) {
    }
  }
  return 0;
}
