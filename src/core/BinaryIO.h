// Little binary serialisation for model files, the binary cache's schema section and anything
// else that stores values: a writer that appends to a byte string and a reader that checks every
// read against the end, so a truncated or foreign file is a clear input error instead of garbage.
// In core so that the data layer (data/SchemaIO.h) and the algorithms share it.
// Thread-safety: one thread per object.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/Error.h"

namespace scaleml {

class BinaryWriter {
 public:
  template <class T>
  void Put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  template <class T>
  void PutVector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<std::uint64_t>(values.size());
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  void PutString(std::string_view text) {
    Put<std::uint64_t>(text.size());
    bytes_.append(text);
  }
  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class BinaryReader {
 public:
  // `source` names the file in errors.
  BinaryReader(std::string_view bytes, std::string source)
      : bytes_(bytes), source_(std::move(source)) {}

  template <class T>
  T Get() {
    static_assert(std::is_trivially_copyable_v<T>);
    Need(sizeof(T), "a value");
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  template <class T>
  std::vector<T> GetVector(std::uint64_t max_count = 1ULL << 36) {
    auto count = Get<std::uint64_t>();
    if (count > max_count || count > (bytes_.size() - at_) / sizeof(T)) {
      throw Truncated("an array of " + std::to_string(count) + " elements");
    }
    std::vector<T> values(count);
    if (count > 0) std::memcpy(values.data(), bytes_.data() + at_, count * sizeof(T));
    at_ += count * sizeof(T);
    return values;
  }
  std::string GetString() {
    auto size = Get<std::uint64_t>();
    Need(size, "a string");
    std::string text(bytes_.substr(at_, size));
    at_ += size;
    return text;
  }
  bool AtEnd() const { return at_ == bytes_.size(); }
  // Bytes left to read: bounds a count read from the file before anything is allocated for it.
  std::size_t remaining() const { return bytes_.size() - at_; }
  std::size_t offset() const { return at_; }
  const std::string& source() const { return source_; }
  // An input error naming the file and offset: for values that are read but make no sense.
  Error Corrupt(const std::string& what) const {
    return InputError(source_, ": corrupt model file at byte ", at_, ": ", what);
  }

 private:
  void Need(std::size_t size, const char* what) {
    if (size > bytes_.size() - at_) throw Truncated(what);
  }
  Error Truncated(const std::string& what) const {
    return InputError(source_, ": model file is truncated at byte ", at_, " (reading ", what,
                      "); save the model again");
  }

  std::string_view bytes_;
  std::string source_;
  std::size_t at_ = 0;
};

}  // namespace scaleml
