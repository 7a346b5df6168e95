#include "engine/ddp/RankEnvironment.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "core/Error.h"

namespace scaleml {
namespace {

constexpr const char* kHint = "run under scaleml launch or torchrun";

const char* Get(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

long ParseInteger(const char* name, const char* text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
    throw InputError("ddp engine: environment variable ", name, "='", text,
                     "' is not an integer in [", min, ", ", max, "] (", kHint, ")");
  }
  return value;
}

int RequiredInteger(const char* name, long min, long max) {
  const char* text = Get(name);
  if (text == nullptr) {
    throw InputError("ddp engine: environment variable ", name, " is not set (", kHint, ")");
  }
  return static_cast<int>(ParseInteger(name, text, min, max));
}

int OptionalInteger(const char* name, long min, long max, int fallback) {
  const char* text = Get(name);
  return text == nullptr ? fallback : static_cast<int>(ParseInteger(name, text, min, max));
}

}  // namespace

RankEnvironment RankEnvironment::FromEnvironment() {
  constexpr long kMaxRanks = 1 << 20;
  RankEnvironment env;
  env.world_size = RequiredInteger("WORLD_SIZE", 1, kMaxRanks);
  env.rank = RequiredInteger("RANK", 0, env.world_size - 1);
  const char* addr = Get("MASTER_ADDR");
  if (addr == nullptr) {
    throw InputError("ddp engine: environment variable MASTER_ADDR is not set (", kHint, ")");
  }
  env.master_addr = addr;
  env.master_port = RequiredInteger("MASTER_PORT", 1, 65535);
  env.local_world_size = OptionalInteger("LOCAL_WORLD_SIZE", 1, env.world_size, 1);
  env.local_rank = OptionalInteger("LOCAL_RANK", 0, env.local_world_size - 1, 0);
  env.group_rank = OptionalInteger("GROUP_RANK", 0, kMaxRanks, 0);
  if (const char* agent = Get("TORCHELASTIC_USE_AGENT_STORE")) {
    env.agent_store = std::string(agent) == "True" || std::string(agent) == "1";
  }
  env.attempt = OptionalInteger("TORCHELASTIC_RESTART_COUNT", 0, 1 << 30, 0);
  if (const char* timeout = Get("SCALEML_COMM_TIMEOUT_S")) {
    char* end = nullptr;
    double seconds = std::strtod(timeout, &end);
    if (end == timeout || *end != '\0' || !(seconds > 0) || seconds > 1e6) {
      throw InputError("ddp engine: SCALEML_COMM_TIMEOUT_S='", timeout,
                       "' is not a positive number of seconds");
    }
    env.comm_timeout_s = seconds;
  }
  return env;
}

}  // namespace scaleml
