#include "cli/ClusterToken.h"

#include <cstdlib>
#include <cstring>

#include "core/Log.h"
#include "core/TokenFile.h"

namespace scaleml::cli {

std::string ClusterTokenFlags::Resolve() const {
  if (!token.empty()) {
    LogWarning(
        "--token on the command line is visible to other users (ps); use --token-file FILE "
        "(mode 600) or SCALEML_TOKEN instead");
    return token;
  }
  if (!token_file.empty()) return ReadTokenFile(token_file);
  const char* from_env = std::getenv("SCALEML_TOKEN");
  return from_env != nullptr ? std::string(from_env) : std::string();
}

void AddClusterTokenFlags(CLI::App* command, ClusterTokenFlags* flags) {
  command->add_option("--token-file", flags->token_file,
                      "A file (mode 600) holding the cluster token; default: SCALEML_TOKEN");
  command->add_option("--token", flags->token,
                      "The cluster token itself (discouraged: visible in ps; use --token-file)");
}

void BlankTokenArguments(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* value = nullptr;
    if (std::strcmp(argv[i], "--token") == 0 && i + 1 < argc) {
      value = argv[i + 1];
    } else if (std::strncmp(argv[i], "--token=", 8) == 0) {
      value = argv[i] + 8;
    }
    if (value != nullptr) std::memset(value, '*', std::strlen(value));
  }
}

}  // namespace scaleml::cli
