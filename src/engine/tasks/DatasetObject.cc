#include "engine/tasks/DatasetObject.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

constexpr char kMagic[8] = {'S', 'M', 'L', 'D', 'S', 'E', 'T', '1'};

struct Header {
  char magic[8];
  std::uint64_t rows;
  std::uint64_t features;
  std::uint64_t names_offset;
  std::uint64_t names_size;
  std::uint64_t features_offset;
  std::uint64_t labels_offset;
  std::uint64_t row_ids_offset;
};

std::size_t Align(std::size_t n) { return (n + 63) & ~std::size_t{63}; }

struct Layout {
  Header header{};
  std::string names;
  std::size_t total = 0;
};

Layout LayoutOf(const Dataset& data) {
  Layout layout;
  nlohmann::json names = nlohmann::json::array();
  names.push_back(data.target_name());
  for (const auto& n : data.feature_names()) names.push_back(n);
  layout.names = names.dump();
  Header& h = layout.header;
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.rows = data.rows();
  h.features = data.features();
  h.names_offset = Align(sizeof(Header));
  h.names_size = layout.names.size();
  h.features_offset = Align(h.names_offset + h.names_size);
  h.labels_offset = Align(h.features_offset + h.rows * h.features * sizeof(float));
  h.row_ids_offset = Align(h.labels_offset + h.rows * sizeof(std::int32_t));
  layout.total = h.row_ids_offset + h.rows * sizeof(std::int64_t);
  return layout;
}

}  // namespace

std::size_t DatasetObject::SizeOf(const Dataset& data) { return LayoutOf(data).total; }

void DatasetObject::Write(const Dataset& data, char* dest) {
  const Layout layout = LayoutOf(data);
  const Header& h = layout.header;
  std::memset(dest, 0, h.features_offset);
  std::memcpy(dest, &h, sizeof(h));
  std::memcpy(dest + h.names_offset, layout.names.data(), layout.names.size());
  auto features = data.feature_data();
  std::memcpy(dest + h.features_offset, features.data(), features.size_bytes());
  std::memcpy(dest + h.labels_offset, data.labels().data(), data.labels().size_bytes());
  std::memcpy(dest + h.row_ids_offset, data.row_ids().data(), data.row_ids().size_bytes());
}

Dataset DatasetObject::View(std::unique_ptr<ObjectMapping> mapping) {
  const std::size_t size = mapping->size();
  const char* base = mapping->data();
  Header h{};
  if (size < sizeof(Header)) throw Failure("object ", mapping->path(), " is not a dataset");
  std::memcpy(&h, base, sizeof(h));
  // Every bound checked without overflow: a sum or product of header fields could wrap around
  // and pass a naive `offset + bytes <= size` with a huge offset.
  const auto fits = [size](std::uint64_t offset, std::uint64_t bytes) {
    return offset <= size && bytes <= size - offset;
  };
  const bool shape = std::memcmp(h.magic, kMagic, sizeof(kMagic)) == 0 && h.features < (1u << 20) &&
                     h.rows < (std::uint64_t{1} << 40) && h.features_offset % 64 == 0 &&
                     h.labels_offset % 64 == 0 && h.row_ids_offset % 64 == 0;
  const bool valid = shape && fits(h.names_offset, h.names_size) &&
                     h.features_offset <= h.labels_offset &&
                     h.rows * h.features * sizeof(float) <= h.labels_offset - h.features_offset &&
                     h.labels_offset <= h.row_ids_offset &&
                     h.rows * sizeof(std::int32_t) <= h.row_ids_offset - h.labels_offset &&
                     fits(h.row_ids_offset, h.rows * sizeof(std::int64_t));
  if (!valid) throw Failure("object ", mapping->path(), " is not a dataset (bad header)");
  auto names = nlohmann::json::parse(std::string(base + h.names_offset, h.names_size), nullptr,
                                     /*allow_exceptions=*/false);
  const bool names_ok =
      !names.is_discarded() && names.is_array() && names.size() == h.features + 1 &&
      std::all_of(names.begin(), names.end(), [](const auto& n) { return n.is_string(); });
  if (!names_ok) throw Failure("object ", mapping->path(), " is not a dataset (bad column names)");
  std::vector<std::string> feature_names;
  for (std::size_t i = 1; i < names.size(); ++i)
    feature_names.push_back(names[i].get<std::string>());
  const auto* features = reinterpret_cast<const float*>(base + h.features_offset);
  const auto* labels = reinterpret_cast<const std::int32_t*>(base + h.labels_offset);
  const auto* row_ids = reinterpret_cast<const std::int64_t*>(base + h.row_ids_offset);
  return Dataset::View(std::move(feature_names), names[0].get<std::string>(), h.rows, features,
                       labels, row_ids, std::move(mapping));
}

}  // namespace scaleml::tasks
