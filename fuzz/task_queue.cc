// libFuzzer target: the tasks engine's records as they come back from Redis: a task queue entry
// (ParseQueuedTask: message id and field/value pairs, the spec as JSON), a task record
// (ParseTaskRecord) and a node record (NodeInfo::FromJson). The first byte picks the parser; the
// rest is split at '\n' into the reply's strings. A Failure is the record refused; a crash,
// another exception (a JSON type error) or a sanitizer report (a float cast out of range) is a bug.
#include <cstdint>
#include <string>

#include "core/Error.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ControlStore.h"
#include "fuzz/FuzzFile.h"

namespace {

using scaleml::tasks::RedisReply;

RedisReply Text(std::string text) {
  RedisReply reply;
  reply.type = text == "(nil)" ? RedisReply::Type::kNil : RedisReply::Type::kString;
  if (!reply.nil()) reply.str = std::move(text);
  return reply;
}

std::vector<RedisReply> Lines(const std::string& text) {
  std::vector<RedisReply> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(Text(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scaleml::fuzz::InputBytes input(data, size);
  const std::uint8_t choice = input.Byte();
  std::vector<RedisReply> lines = Lines(input.RestText());
  try {
    switch (choice % 3) {
      case 0: {  // [id, [field, value, ...]]
        RedisReply entry;
        entry.type = RedisReply::Type::kArray;
        entry.elements.push_back(lines.front());
        RedisReply fields;
        fields.type = RedisReply::Type::kArray;
        fields.elements.assign(lines.begin() + 1, lines.end());
        entry.elements.push_back(std::move(fields));
        try {
          scaleml::tasks::ParseQueuedTask(entry);
        } catch (const scaleml::Error& e) {
          // What an agent does with an entry it cannot read: a printable JSON dead letter.
          const std::string letter = scaleml::tasks::DescribeEntry(entry, e.what());
          if (nlohmann::json::parse(letter, nullptr, false).is_discarded()) __builtin_trap();
          throw;
        }
        break;
      }
      case 1: {
        RedisReply record;
        record.type = RedisReply::Type::kArray;
        record.elements = std::move(lines);
        scaleml::tasks::ParseTaskRecord("t", record);
        break;
      }
      default: {
        auto json = nlohmann::json::parse(input.RestText(), nullptr, false);
        if (!json.is_discarded()) scaleml::tasks::NodeInfo::FromJson(json);
        break;
      }
    }
  } catch (const scaleml::Error&) {
  }
  return 0;
}
