// The CSV flags every command that reads a CSV declares (train, predict, inspect, tune): column
// types, NA spellings, the delimiter and the missing-value policy. One declaration, so the
// commands agree on names, help and parsing.
#pragma once

#include <CLI/CLI.hpp>

#include "data/CsvReader.h"

namespace scaleml::cli {

// Adds --categorical, --numeric, --ignore, --na-values, --delimiter, --no-missing and the
// accepted, ignored --allow-missing to `command`, writing into `options` (which must outlive
// the parse). --target stays with each command (its help differs).
void AddCsvFlags(CLI::App* command, CsvOptions* options);

// ',' ';' '|' or a tab ("tab", "\t" or the character itself); an input error otherwise.
char ParseDelimiter(const std::string& text);

}  // namespace scaleml::cli
