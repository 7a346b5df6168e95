// libFuzzer target: a dataset object as a worker maps it from the object store
// (DatasetObject::View over the object's bytes: header, column names as JSON, columns). Objects
// come from other nodes; the transfer checks their checksum, but the view must still never read
// outside the mapping or die on a bad header. A Failure is the object refused; a crash, another
// exception or a sanitizer report is a bug. A returned view is read end to end.
#include <fcntl.h>

#include <cmath>
#include <cstdint>
#include <memory>

#include "core/Error.h"
#include "engine/tasks/DatasetObject.h"
#include "engine/tasks/ObjectMapping.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;  // the store never holds an empty object (mmap of 0 bytes fails)
  const std::string& path = scaleml::fuzz::WriteScratch(data, size, ".object");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) std::abort();
  try {
    auto mapping = std::make_unique<scaleml::tasks::ObjectMapping>(fd, size, false, path);
    scaleml::Dataset view = scaleml::tasks::DatasetObject::View(std::move(mapping));
    double sum = 0;
    for (float v : view.feature_data()) sum += std::isnan(v) ? 0 : v;
    for (std::int32_t label : view.labels()) sum += label;
    for (std::int64_t id : view.row_ids()) sum += static_cast<double>(id);
    volatile double sink = sum;
    (void)sink;
  } catch (const scaleml::Error&) {
  }
  return 0;
}
