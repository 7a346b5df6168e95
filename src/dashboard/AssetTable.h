// The dashboard's static files (src/dashboard/assets: the page, its script and style), compiled
// into the binary by CMake (cmake/EmbedAssets.cmake writes the byte arrays), so the dashboard
// needs no file and no network at run time. Thread-safety: immutable after first use.
#pragma once

#include <string_view>
#include <vector>

namespace scaleml::dashboard {

struct Asset {
  std::string_view path;  // URL path, "/app.js"
  std::string_view content_type;
  std::string_view body;
};

class AssetTable {
 public:
  // Every asset (defined in the generated AssetTableData.cc).
  static const std::vector<Asset>& All();
  // The asset at a URL path ("/" is "/index.html"); nullptr when there is none.
  static const Asset* Find(std::string_view path);
};

}  // namespace scaleml::dashboard
