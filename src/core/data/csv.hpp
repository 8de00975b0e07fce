// CSV reading (RFC 4180) with type inference.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::data {

// Options for read_csv.
struct CsvOptions {
  // Field separator; must not be '"', CR, LF or a non-ASCII byte.
  char delimiter = ',';
  // Name used in error messages, e.g. the file name.
  std::string source = "csv";
};

// Parses CSV bytes into a typed Table. Accepts RFC 4180 quoting ("" inside quotes), quoted
// embedded newlines, LF, CRLF or lone CR line ends (mixed), a UTF-8 byte-order mark, and a final
// line with or without a newline; trailing blank lines are ignored (a blank line inside the data
// is a row with one empty field). A header row is required; names are kept exactly and must be
// non-empty and unique. Empty fields and NA / NaN / null (exactly these spellings, unquoted or
// quoted) are missing values. Column types are inferred (see infer_column_type). The input must
// be valid UTF-8. Errors (kParseError) name the source, the 1-based physical line and the
// 1-based column (field) number and, for data rows, the column name:
//   "iris.csv: line 7, column 6: expected 5 fields, found 6"
//   "iris.csv: line 7, column 3 (petal_length): expected 5 fields, found 3"
//   "iris.csv: line 9, column 2 (b): invalid UTF-8 at byte 4 of the line (overlong encoding, 0xc0)"
// A ragged row is reported at the line where it starts; an unclosed quote where it opened. A
// bad delimiter is kInvalidParameterValue.
Result<Table> read_csv(std::string_view bytes, const CsvOptions& options = {});

// True for the spellings read_csv treats as missing: "", "NA", "NaN", "null".
bool is_missing_token(std::string_view field);

// Parses a whole field as a finite double: optional spaces/tabs around, an optional sign
// ("+1", "-2"), digits with an optional '.' (".5", "1."), an optional exponent ("1e-3").
// Rejects hex, "inf", "nan" and values that overflow or underflow to zero.
bool parse_number(std::string_view field, double* value);

// Infers a column's type from its raw field values (`missing[i] != 0` marks a missing value,
// whose text is ignored): numeric if every non-missing value passes parse_number (also when all
// are missing); otherwise text if values average >= 3 whitespace-separated tokens and more than
// half of them are distinct; otherwise categorical.
ColumnType infer_column_type(const std::vector<std::string>& values,
                             const std::vector<unsigned char>& missing);

// Writes a table as CSV: header + rows, LF line ends, ',' delimiter, numbers via format_number,
// missing values as empty fields (as "" in a one-column table, so the row is not blank). Fields
// containing ',', '"', CR or LF are quoted. read_csv gives back an equal table when the column
// types match what inference would pick and no string value is itself a missing spelling.
std::string write_csv(const Table& table);

}  // namespace mllab::data
