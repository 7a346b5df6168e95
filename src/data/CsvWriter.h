// CSV output: shortest round-trip number formatting (std::to_chars, Ryu-based in libstdc++) and a
// writer of a Dataset. Reading a written float back with any correct parser gives the identical
// bits, so a dataset survives a CSV round trip exactly.
// Thread-safety: the functions are reentrant; WriteCsv uses the OpenMP threads of the caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace scaleml {

// Room one formatted value may need (the longest shortest form is "-1.2345678901234567e-308").
inline constexpr int kMaxDoubleChars = 24;
inline constexpr int kMaxFloatChars = 16;
inline constexpr int kMaxIntChars = 20;

// Write the shortest text that reads back to exactly `value` at `out`; return the end.
// `out` must have room for kMaxDoubleChars / kMaxFloatChars / kMaxIntChars. The float overload
// gives the shortest text for the float (e.g. "0.1"), not for its double widening.
char* FormatShortest(char* out, double value);
char* FormatShortest(char* out, float value);
char* FormatInteger(char* out, std::int64_t value);

// The same, appended to a string / as a string.
void AppendShortest(std::string& text, double value);
void AppendShortest(std::string& text, float value);
std::string ShortestText(double value);
std::string ShortestText(float value);

// The float a correct parser reads from ShortestText(value): usually float(value), but not when
// the double lies within an ulp of a midpoint between two floats, where its shortest decimal
// may round the other way (1 + 2^-24 reads as the float above 1, not 1).
float FloatFromShortestText(double value);

// "name_0,...,name_{F-1},target\n".
std::string CsvHeader(const std::vector<std::string>& feature_names, const std::string& target);

// The whole dataset as CSV text: header, then one line per row (features as float32 in shortest
// round-trip form, the label as an integer). Row ids are not written.
std::string FormatCsv(const Dataset& data);

// Writes FormatCsv(data) to `path` atomically (temporary name, renamed at the end), formatting
// blocks of rows in parallel. Returns the bytes written.
std::int64_t WriteCsv(const Dataset& data, const std::string& path);

}  // namespace scaleml
