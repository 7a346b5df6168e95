// libFuzzer target: the answer an accepted ddp link must give to its challenge
// (PeerLinks::AnswerPeer), the only bytes a stranger on the network can send before the mesh
// forms. The first two bytes pick this rank and the group size; the rest is the answer.
// AnswerPeer must answer a rank this rank accepts or -1, whatever the bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "comm/PeerLinks.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const int group = 1 + input.Byte() % 64;
  const int rank = input.Byte() % group;
  static const std::string key = "0123456789abcdef0123456789abcdef";
  const std::span<const std::byte> hello(reinterpret_cast<const std::byte*>(input.rest()),
                                         input.rest_size());
  static const std::array<std::uint8_t, 32> challenge{};
  const int peer = scaleml::PeerLinks::AnswerPeer(hello, key, challenge, rank, group);
  if (peer != -1 && (peer <= rank || peer >= group)) std::abort();
  return 0;
}
