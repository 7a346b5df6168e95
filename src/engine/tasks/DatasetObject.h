// A Dataset as an object-store object, laid out so a worker maps it without parsing or copying:
// a fixed header, the column names as JSON, then 64-byte aligned float32 feature columns
// (column f at f * rows), int32 labels and int64 row ids, exactly Dataset's columnar layout.
// Thread-safety: reentrant functions.
#pragma once

#include <cstddef>
#include <memory>

#include "data/Dataset.h"
#include "engine/tasks/ObjectMapping.h"

namespace scaleml::tasks {

class DatasetObject {
 public:
  // Bytes the object of `data` takes.
  static std::size_t SizeOf(const Dataset& data);
  // Writes `data` into `dest` (SizeOf bytes).
  static void Write(const Dataset& data, char* dest);
  // A zero-copy view over a mapped object; an error when the bytes are not a dataset object.
  static Dataset View(std::unique_ptr<ObjectMapping> mapping);
};

}  // namespace scaleml::tasks
