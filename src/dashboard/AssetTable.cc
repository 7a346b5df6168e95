#include "dashboard/AssetTable.h"

namespace scaleml::dashboard {

const Asset* AssetTable::Find(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const Asset& asset : All()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace scaleml::dashboard
