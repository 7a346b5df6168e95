// The cluster token on the command line of start, status and tune: `--token-file FILE` (mode
// 0600 checked) or SCALEML_TOKEN in the environment; `--token T` still works but warns, because
// a command line is visible to every user in `ps` (main() also blanks it in this process's own
// argv, so a daemon forked from it does not show it for its whole life).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace scaleml::cli {

struct ClusterTokenFlags {
  std::string token;       // --token (discouraged)
  std::string token_file;  // --token-file
  // The token from the flag, the file or SCALEML_TOKEN, in that order; empty when none is given.
  std::string Resolve() const;
};

void AddClusterTokenFlags(CLI::App* command, ClusterTokenFlags* flags);

// Overwrites the value of every --token argument in argv with '*' (what ps shows).
void BlankTokenArguments(int argc, char** argv);

}  // namespace scaleml::cli
