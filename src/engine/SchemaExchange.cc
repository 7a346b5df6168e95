#include "engine/SchemaExchange.h"

#include "comm/CommOps.h"
#include "core/Log.h"
#include "data/DictionaryMerge.h"

namespace scaleml {

void ExchangeDictionaries(Comm& comm, Dataset& data,
                          const std::vector<std::string>& declared_categorical) {
  const Schema& local = data.schema();
  const bool has_dictionaries = local.HasCategorical() || !local.classes.empty();
  // Every rank planned the same columns from the same sample, so all agree on whether there is
  // anything to exchange; a plain numeric table costs no message.
  if (!has_dictionaries) return;
  const std::vector<std::byte> mine = SerializeDictionaries(DictionariesOf(data));
  std::vector<LocalDictionaries> parts;
  if (comm.size() == 1) {
    parts.push_back(DeserializeDictionaries(mine));
  } else {
    for (const auto& bytes : AllgatherV(comm, mine))
      parts.push_back(DeserializeDictionaries(bytes));
  }
  std::vector<std::string> notices;
  const Schema merged = MergeDictionaries(local, parts, declared_categorical, &notices);
  if (comm.rank() == 0) {
    for (const auto& notice : notices) LogWarning(notice);
  }
  RemapToMergedDictionaries(data, merged);
}

}  // namespace scaleml
