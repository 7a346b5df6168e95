#include "data/StringCodes.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace scaleml {

StringCodes::StringCodes(const std::vector<std::string>& values) {
  for (const std::string& value : values) FindOrInsert(value);
}

std::uint64_t StringCodes::Hash(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

std::size_t StringCodes::Probe(std::string_view key, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  const auto tag = static_cast<std::uint32_t>(hash >> 32);
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.code < 0) return i;
    if (slot.tag == tag && values_[static_cast<std::size_t>(slot.code)] == key) return i;
  }
}

std::int32_t StringCodes::Find(std::string_view key) const {
  if (slots_.empty()) return -1;
  return slots_[Probe(key, Hash(key))].code;
}

std::int32_t StringCodes::FindOrInsert(std::string_view key) {
  if ((values_.size() + 1) * 2 > slots_.size()) Grow();
  const std::uint64_t hash = Hash(key);
  Slot& slot = slots_[Probe(key, hash)];
  if (slot.code >= 0) return slot.code;
  slot.tag = static_cast<std::uint32_t>(hash >> 32);
  slot.code = static_cast<std::int32_t>(values_.size());
  values_.emplace_back(key);
  return slot.code;
}

void StringCodes::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.code < 0) continue;
    const std::uint64_t hash = Hash(values_[static_cast<std::size_t>(slot.code)]);
    std::size_t i = hash & mask;
    while (slots_[i].code >= 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace scaleml
