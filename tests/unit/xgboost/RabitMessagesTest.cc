// The tracker's decoding of a worker's messages, from memory: the fields in order, a string
// length out of bounds and a message cut short are RabitLinkErrors.
#include "algo/xgboost/RabitMessages.h"

#include <gtest/gtest.h>

#include <string>

namespace scaleml {
namespace {

std::string Int(std::int32_t value) { return std::string(reinterpret_cast<char*>(&value), 4); }
std::string Str(const std::string& text) {
  return Int(static_cast<std::int32_t>(text.size())) + text;
}

TEST(RabitMessagesTest, DecodesAWorkerHello) {
  const std::string bytes = Int(-1) + Int(4) + Str("2") + Str("start");
  RabitBytesReader read(bytes);
  const RabitWorkerHello hello = DecodeRabitWorkerHello(read);
  EXPECT_EQ(hello.rank, -1);
  EXPECT_EQ(hello.world_size, 4);
  EXPECT_EQ(hello.task_id, "2");
  EXPECT_EQ(hello.command, "start");
  EXPECT_EQ(read.left(), 0u);
}

TEST(RabitMessagesTest, BadLengthsAndShortMessagesAreLinkErrors) {
  for (const std::string& bytes :
       {Int(0) + Int(1) + Int(-5), Int(0) + Int(1) + Int(kRabitMaxStringBytes + 1),
        Int(0) + Int(1) + Str("0") + Int(100) + "abc", Int(0) + std::string("\1\2", 2)}) {
    RabitBytesReader read(bytes);
    EXPECT_THROW(DecodeRabitWorkerHello(read), RabitLinkError);
  }
}

}  // namespace
}  // namespace scaleml
