#include "core/PathGuard.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include "core/Error.h"

namespace scaleml {
namespace {

std::filesystem::path Normalized(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  return ec ? std::filesystem::path(path).lexically_normal() : absolute;
}

}  // namespace

bool SamePath(const std::string& a, const std::string& b) {
  struct stat sa {};
  struct stat sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) {
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }
  return Normalized(a) == Normalized(b);
}

void RefuseOverwritingInputs(const std::vector<OutputPath>& outputs,
                             const std::vector<InputPath>& inputs) {
  for (const auto& out : outputs) {
    if (out.path.empty()) continue;
    for (const auto& in : inputs) {
      if (in.path.empty() || !SamePath(out.path, in.path)) continue;
      throw InputError(out.flag, " ", out.path, " is ", in.flag, " ", in.path,
                       ": writing it would destroy the input; choose another ", out.flag, " path");
    }
  }
}

}  // namespace scaleml
