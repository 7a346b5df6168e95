// libFuzzer target: what an xgboost (rabit) worker sends the tracker after the magic numbers,
// decoded by the tracker's own functions (src/algo/xgboost/RabitMessages.h): rank, world size,
// task id and command, then for "print" a line and for "start" the link rounds' integers.
// A RabitLinkError is the tracker refusing the worker; a crash, another exception, a huge
// allocation or a sanitizer report is a bug.
#include <cstdint>
#include <string_view>

#include "algo/xgboost/RabitMessages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::RabitBytesReader read(std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const scaleml::RabitWorkerHello hello = scaleml::DecodeRabitWorkerHello(read);
    if (hello.command == "print") {
      scaleml::DecodeRabitString(read);
    } else if (hello.command == "start" || hello.command == "recover") {
      for (int round = 0; round < 4 && read.left() > 0; ++round) {
        const std::int32_t good = scaleml::DecodeRabitInt(read);
        for (std::int32_t i = 0; i < good && i < 64; ++i) scaleml::DecodeRabitInt(read);
        if (scaleml::DecodeRabitInt(read) == 0) scaleml::DecodeRabitInt(read);
      }
    }
  } catch (const scaleml::RabitLinkError&) {
  }
  return 0;
}
