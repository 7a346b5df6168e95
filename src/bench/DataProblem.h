// Which data a bench run trains on: the paper's file (an independent make_classification problem
// per 300,000-row chunk, `generate --problem-per-chunk`) or one problem for the whole file.
// Thread-safety: functions of their arguments.
#pragma once

#include <string>

namespace scaleml::bench {

enum class DataProblem {
  kPerChunk,  // "per-chunk": the paper's data
  kOne,       // "one": one problem for the whole file
};

// "per-chunk" or "one": the word of --problem and of a record's "problem".
const char* ProblemName(DataProblem problem);
// --problem's value; InputError naming the flag otherwise.
DataProblem ParseDataProblem(const std::string& word);
// A record's problem: records without the field were made on the paper's data.
DataProblem ProblemOfRecord(const std::string& word);

}  // namespace scaleml::bench
