// Reading files the dashboard did not write, with limits: a file larger than the cap is read only
// up to it (or only its tail), so a huge or growing file cannot exhaust memory or time.
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace scaleml::dashboard {

// Bytes [offset, offset + max_bytes) of a regular file; nullopt when it cannot be read.
std::optional<std::string> ReadFileRange(const std::string& path, std::int64_t offset,
                                         std::int64_t max_bytes);
// The whole file, or nullopt when it is missing, not a regular file, or over max_bytes.
std::optional<std::string> ReadSmallFile(const std::string& path, std::int64_t max_bytes);
// The last max_bytes of a file (starting at a line boundary when cut).
std::optional<std::string> ReadFileTail(const std::string& path, std::int64_t max_bytes);

}  // namespace scaleml::dashboard
