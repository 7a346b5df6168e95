#include "cli/CsvFlags.h"

#include "core/Error.h"

namespace scaleml::cli {

char ParseDelimiter(const std::string& text) {
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text.size() == 1 && text != "\"" && text != "\n" && text != "\r") return text[0];
  throw InputError("--delimiter: expected one character (',' ';' '|') or 'tab', got '", text, "'");
}

void AddCsvFlags(CLI::App* command, CsvOptions* options) {
  command
      ->add_option("--categorical", options->categorical,
                   "Columns read as categories (strings), comma-separated names")
      ->delimiter(',');
  command->add_option("--numeric", options->numeric, "Columns read as numbers, comma-separated")
      ->delimiter(',');
  command->add_option("--ignore", options->ignore, "Columns left out, comma-separated")
      ->delimiter(',');
  command->add_option_function<std::string>(
      "--na-values",
      [options](const std::string& list) {
        options->na_values = {""};
        std::size_t at = 0;
        while (at <= list.size()) {
          std::size_t comma = list.find(',', at);
          if (comma == std::string::npos) comma = list.size();
          options->na_values.push_back(list.substr(at, comma - at));
          at = comma + 1;
        }
      },
      "Spellings of a missing value, comma-separated; replaces the default "
      "NA,N/A,NaN,nan,null,NULL,None,? (an empty field is always missing)");
  command->add_option_function<std::string>(
      "--delimiter",
      [options](const std::string& text) { options->delimiter = ParseDelimiter(text); },
      "Field delimiter: , ; | or tab (default: detected from the header and first lines)");
  command->add_flag("--no-missing", options->no_missing,
                    "Reject missing values (empty, NA spellings, NaN, inf) instead of reading "
                    "them as missing");
  command->add_flag("--allow-missing", options->allow_missing,
                    "Accepted for compatibility: missing values are read by default");
}

}  // namespace scaleml::cli
