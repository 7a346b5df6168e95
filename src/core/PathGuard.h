// Refuses, before anything runs, a command whose output would land on one of its inputs:
// `predict --data s.csv --out s.csv` would otherwise read the input and then replace it.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

namespace scaleml {

// A file a command reads or writes, with the flag (or description) that named it, for the error.
struct FlaggedPath {
  std::string flag;  // "--data", "--out", "the binary cache of --data", ...
  std::string path;  // empty: not given (skipped)
};
using InputPath = FlaggedPath;
using OutputPath = FlaggedPath;

// True when `a` and `b` name the same file: the same device and inode where both exist (links,
// "./x" against "x"), else the same normalized absolute path.
bool SamePath(const std::string& a, const std::string& b);

// An InputError (exit 2) naming both flags and the path when any output is any input.
void RefuseOverwritingInputs(const std::vector<OutputPath>& outputs,
                             const std::vector<InputPath>& inputs);

}  // namespace scaleml
