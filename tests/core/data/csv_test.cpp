#include "core/data/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace mllab::data {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
using Strings = std::vector<std::optional<std::string>>;  // nullopt = missing

Table read_ok(std::string_view csv, const CsvOptions& options = {}) {
  Result<Table> r = read_csv(csv, options);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : Table();
}

// The error message of a read that must fail with kParseError.
std::string read_error(std::string_view csv, const CsvOptions& options = {}) {
  Result<Table> r = read_csv(csv, options);
  EXPECT_FALSE(r.is_ok());
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), ErrorCode::kParseError);
  return r.status().message();
}

// Numbers compare bit for bit except that every NaN equals every NaN.
bool same_number(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof(a)) == 0;
}

void expect_numeric(const Table& t, size_t j, const std::string& name,
                    const std::vector<double>& values) {
  ASSERT_LT(j, t.num_columns());
  const Column& c = t.column(j);
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(c.type, ColumnType::kNumeric) << name;
  ASSERT_EQ(c.numbers.size(), values.size()) << name;
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(same_number(c.numbers[i], values[i]))
        << name << "[" << i << "] = " << c.numbers[i] << ", expected " << values[i];
  }
}

void expect_strings(const Table& t, size_t j, const std::string& name, ColumnType type,
                    const Strings& values) {
  ASSERT_LT(j, t.num_columns());
  const Column& c = t.column(j);
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(c.type, type) << name;
  ASSERT_EQ(c.strings.size(), values.size()) << name;
  ASSERT_EQ(c.missing.size(), values.size()) << name;
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(c.missing[i] != 0, !values[i].has_value()) << name << "[" << i << "]";
    EXPECT_EQ(c.strings[i], values[i].value_or("")) << name << "[" << i << "]";
  }
}

void expect_same_table(const Table& a, const Table& b) {
  ASSERT_EQ(a.num_columns(), b.num_columns());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t j = 0; j < a.num_columns(); ++j) {
    const Column& x = a.column(j);
    const Column& y = b.column(j);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    ASSERT_EQ(x.numbers.size(), y.numbers.size()) << x.name;
    for (size_t i = 0; i < x.numbers.size(); ++i) {
      EXPECT_TRUE(same_number(x.numbers[i], y.numbers[i])) << x.name << "[" << i << "]";
    }
    EXPECT_EQ(x.strings, y.strings) << x.name;
    EXPECT_EQ(x.missing, y.missing) << x.name;
  }
}

// ---- Well-formed input -------------------------------------------------------------------

TEST(ReadCsvTest, NumericAndCategoricalColumns) {
  Table t = read_ok("a,b\n1,x\n2.5,y\n-3,x\n");
  ASSERT_EQ(t.num_columns(), 2u);
  ASSERT_EQ(t.num_rows(), 3u);
  expect_numeric(t, 0, "a", {1, 2.5, -3});
  expect_strings(t, 1, "b", ColumnType::kCategorical, {"x", "y", "x"});
}

TEST(ReadCsvTest, QuotedFieldsWithDoubledQuotesAndDelimiters) {
  Table t = read_ok(
      "name,quote,n\n"
      "\"Smith, J.\",\"He said \"\"hi\"\"\",\"1\"\n"
      "\"\"\"\",plain,2\n"
      "x,\"\",3\n");
  ASSERT_EQ(t.num_rows(), 3u);
  expect_strings(t, 0, "name", ColumnType::kCategorical, {"Smith, J.", "\"", "x"});
  expect_strings(t, 1, "quote", ColumnType::kCategorical,
                 {"He said \"hi\"", "plain", std::nullopt});
  expect_numeric(t, 2, "n", {1, 2, 3});
}

TEST(ReadCsvTest, QuotedHeaderNames) {
  Table t = read_ok("\"a,b\",\"say \"\"x\"\"\", c \n1,2,3\n");
  expect_numeric(t, 0, "a,b", {1});
  expect_numeric(t, 1, "say \"x\"", {2});
  expect_numeric(t, 2, " c ", {3});  // names are kept exactly
}

TEST(ReadCsvTest, EmbeddedLfInsideQuotes) {
  Table t = read_ok("id,note\n1,\"line1\nline2\"\n2,\"a\n\nb\"\n3,plain\n");
  ASSERT_EQ(t.num_rows(), 3u);
  expect_numeric(t, 0, "id", {1, 2, 3});
  expect_strings(t, 1, "note", ColumnType::kCategorical, {"line1\nline2", "a\n\nb", "plain"});
}

TEST(ReadCsvTest, EmbeddedCrlfInsideQuotes) {
  Table t = read_ok("id,note\r\n1,\"a\r\nb\"\r\n2,c\r\n");
  ASSERT_EQ(t.num_rows(), 2u);
  expect_numeric(t, 0, "id", {1, 2});
  expect_strings(t, 1, "note", ColumnType::kCategorical, {"a\r\nb", "c"});
}

TEST(ReadCsvTest, CrlfLineEnds) {
  Table t = read_ok("x,label\r\n1,a\r\n2,b\r\n");
  ASSERT_EQ(t.num_rows(), 2u);
  expect_numeric(t, 0, "x", {1, 2});
  expect_strings(t, 1, "label", ColumnType::kCategorical, {"a", "b"});  // no stray '\r'
}

TEST(ReadCsvTest, MixedLineEnds) {
  Table t = read_ok("x,label\r\n1,a\n2,b\r\n3,c");
  expect_numeric(t, 0, "x", {1, 2, 3});
  expect_strings(t, 1, "label", ColumnType::kCategorical, {"a", "b", "c"});
}

TEST(ReadCsvTest, LoneCrEndsALine) {
  Table t = read_ok("x,label\r1,a\r2,b\r");
  expect_numeric(t, 0, "x", {1, 2});
  expect_strings(t, 1, "label", ColumnType::kCategorical, {"a", "b"});
  EXPECT_EQ(read_error("x,label\r1,a\r2\r"),
            "csv: line 3, column 1 (x): expected 2 fields, found 1");
}

TEST(ReadCsvTest, ByteOrderMarkIsSkipped) {
  Table t = read_ok("\xEF\xBB\xBFx,y\n1,2\n");
  expect_numeric(t, 0, "x", {1});
  expect_numeric(t, 1, "y", {2});
}

TEST(ReadCsvTest, MissingValueSpellings) {
  Table t = read_ok(
      "n,s\n"
      "1,a\n"
      ",\n"
      "NA,NA\n"
      "NaN,NaN\n"
      "null,null\n"
      "\"NA\",\"\"\n"
      "2,b\n");
  ASSERT_EQ(t.num_rows(), 7u);
  expect_numeric(t, 0, "n", {1, kNaN, kNaN, kNaN, kNaN, kNaN, 2});
  EXPECT_EQ(t.column(0).missing_count(), 5u);
  expect_strings(t, 1, "s", ColumnType::kCategorical,
                 {"a", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "b"});
  EXPECT_EQ(t.column(1).missing_count(), 5u);
}

TEST(ReadCsvTest, OtherSpellingsAreNotMissing) {
  Table t = read_ok("s\nN/A\nna\nNULL\nnan\n \n");
  expect_strings(t, 0, "s", ColumnType::kCategorical, {"N/A", "na", "NULL", "nan", " "});
}

TEST(ReadCsvTest, TrailingNewlineOrNot) {
  const std::string expected_names[] = {"a", "b"};
  for (const char* csv : {"a,b\n1,x\n2,y", "a,b\n1,x\n2,y\n", "a,b\n1,x\n2,y\r\n",
                          "a,b\n1,x\n2,y\n\n\n", "a,b\r\n1,x\r\n2,y\r\n\r\n\n\r\n"}) {
    SCOPED_TRACE(csv);
    Table t = read_ok(csv);
    ASSERT_EQ(t.num_rows(), 2u);
    expect_numeric(t, 0, expected_names[0], {1, 2});
    expect_strings(t, 1, expected_names[1], ColumnType::kCategorical, {"x", "y"});
  }
}

TEST(ReadCsvTest, TrailingEmptyFieldAtEndOfInput) {
  Table t = read_ok("a,b\n1,\n2,");
  expect_numeric(t, 0, "a", {1, 2});
  expect_numeric(t, 1, "b", {kNaN, kNaN});  // all missing: numeric
}

TEST(ReadCsvTest, OneColumnBlankLinesInsideAreMissingValues) {
  Table t = read_ok("v\n1\n\n3\n\n");
  expect_numeric(t, 0, "v", {1, kNaN, 3});
}

TEST(ReadCsvTest, NumericSpellings) {
  Table t = read_ok("v\n+1\n 2 \n1e-3\n.5\n-0.25\n1.\n\t7\t\n-0\n1E+2\n");
  expect_numeric(t, 0, "v", {1, 2, 0.001, 0.5, -0.25, 1, 7, -0.0, 100});
}

TEST(ReadCsvTest, NonNumericSpellingsMakeStringColumns) {
  for (const char* bad : {"0x10", "inf", "-inf", "1e", "1 2", "--1", "+-1", "1e400", "1,5",
                          "e5", ".", "+", "1e5.5", "1.2.3", "١"}) {
    SCOPED_TRACE(bad);
    std::string csv = std::string("v\n1\n\"") + bad + "\"\n";
    Table t = read_ok(csv);
    ASSERT_EQ(t.num_rows(), 2u);
    expect_strings(t, 0, "v", ColumnType::kCategorical, {"1", bad});
  }
}

TEST(ReadCsvTest, TextInference) {
  Table t = read_ok(
      "review,label,tag\n"
      "the food was great,pos,\"a b c\"\n"
      "terrible service and cold soup,neg,\"a b c\"\n"
      "would come back again,pos,\"a b c\"\n"
      "NA,neg,\"d e f\"\n");
  expect_strings(t, 0, "review", ColumnType::kText,
                 {"the food was great", "terrible service and cold soup", "would come back again",
                  std::nullopt});
  expect_strings(t, 1, "label", ColumnType::kCategorical, {"pos", "neg", "pos", "neg"});
  // Long values but mostly repeated: categorical.
  expect_strings(t, 2, "tag", ColumnType::kCategorical, {"a b c", "a b c", "a b c", "d e f"});
}

TEST(InferColumnTypeTest, Rules) {
  using V = std::vector<std::string>;
  using M = std::vector<unsigned char>;
  EXPECT_EQ(infer_column_type(V{"1", "2.5", ""}, M{0, 0, 1}), ColumnType::kNumeric);
  EXPECT_EQ(infer_column_type(V{"", ""}, M{1, 1}), ColumnType::kNumeric);
  EXPECT_EQ(infer_column_type(V{}, M{}), ColumnType::kNumeric);
  EXPECT_EQ(infer_column_type(V{"1", "x"}, M{0, 0}), ColumnType::kCategorical);
  // The text of a missing value is ignored.
  EXPECT_EQ(infer_column_type(V{"1", "x"}, M{0, 1}), ColumnType::kNumeric);
  // Exactly 3 tokens on average, 2 of 3 distinct: text.
  EXPECT_EQ(infer_column_type(V{"a b c", "a b c", "d e f"}, M{0, 0, 0}), ColumnType::kText);
  // Exactly half distinct: categorical.
  EXPECT_EQ(infer_column_type(V{"a b c", "a b c", "d e f", "d e f"}, M{0, 0, 0, 0}),
            ColumnType::kCategorical);
  // Average just under 3 tokens: categorical.
  EXPECT_EQ(infer_column_type(V{"a b c", "d e", "f g h"}, M{0, 0, 0}), ColumnType::kCategorical);
  // Tokens split on any whitespace, runs count once.
  EXPECT_EQ(infer_column_type(V{"a\tb\nc", "  d   e  f  "}, M{0, 0}), ColumnType::kText);
}

TEST(ParseNumberTest, AcceptsAndRejects) {
  double v = 0;
  EXPECT_TRUE(parse_number(" -1.5e2 ", &v));
  EXPECT_EQ(v, -150);
  EXPECT_TRUE(parse_number("5e-324", &v));
  EXPECT_EQ(v, 5e-324);
  EXPECT_TRUE(parse_number("0e-999", &v));
  EXPECT_EQ(v, 0);
  EXPECT_FALSE(parse_number("1e-400", &v));  // underflows to zero
  EXPECT_FALSE(parse_number("", &v));
  EXPECT_FALSE(parse_number("  ", &v));
  EXPECT_FALSE(parse_number("nan", &v));
  EXPECT_FALSE(parse_number("1_000", &v));
}

TEST(ReadCsvTest, OtherDelimiters) {
  CsvOptions semi;
  semi.delimiter = ';';
  Table t = read_ok("a;b\n1,5;\"x;y\"\n", semi);
  expect_strings(t, 0, "a", ColumnType::kCategorical, {"1,5"});
  expect_strings(t, 1, "b", ColumnType::kCategorical, {"x;y"});

  CsvOptions tab;
  tab.delimiter = '\t';
  Table u = read_ok("a\tb\n1\t2\n", tab);
  expect_numeric(u, 0, "a", {1});
  expect_numeric(u, 1, "b", {2});
}

TEST(ReadCsvTest, InvalidDelimiter) {
  CsvOptions quote;
  quote.delimiter = '"';
  Result<Table> r = read_csv("a\n1\n", quote);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.status().message(), "csv: invalid CSV delimiter 0x22");
}

TEST(ReadCsvTest, ValidUtf8IsKept) {
  Table t = read_ok(
      "city,sym\n"
      "Zürich,\xE2\x82\xAC\n"                 // 2- and 3-byte
      "\"\xF0\x9D\x84\x9E\",\xEF\xBF\xBF\n"  // 4-byte, U+FFFF
      "\xF4\x8F\xBF\xBF,\xED\x9F\xBF\n");    // U+10FFFF, U+D7FF
  expect_strings(t, 0, "city", ColumnType::kCategorical,
                 {"Zürich", "\xF0\x9D\x84\x9E", "\xF4\x8F\xBF\xBF"});
  expect_strings(t, 1, "sym", ColumnType::kCategorical,
                 {"\xE2\x82\xAC", "\xEF\xBF\xBF", "\xED\x9F\xBF"});
}

// ---- Round trip --------------------------------------------------------------------------

TEST(WriteCsvTest, Format) {
  Table t = read_ok("n,s\n1.5,\"a,b\"\n,\"say \"\"hi\"\"\"\n3,NA\n");
  EXPECT_EQ(write_csv(t), "n,s\n1.5,\"a,b\"\n,\"say \"\"hi\"\"\"\n3,\n");
}

TEST(WriteCsvTest, RoundTrip) {
  Table t;
  Column n;
  n.name = "num, \"quoted\"";
  n.numbers = {0.1, -0.0, 1e-7, 1e300, 5e-324, 123456789, kNaN, 2.5, 1.0 / 3};
  ASSERT_TRUE(t.add_column(n).is_ok());
  Column c;
  c.name = "cat";
  c.type = ColumnType::kCategorical;
  c.strings = {"a,b", "\"q\"", "line\nbreak", "cr\rlf\r\n", " padded ", "", "x", "x", "é"};
  c.missing = {0, 0, 0, 0, 0, 1, 0, 0, 0};
  ASSERT_TRUE(t.add_column(c).is_ok());
  Column x;
  x.name = "review";
  x.type = ColumnType::kText;
  x.strings = {"one two three", "four five six", "a \"quoted\" word", "seven, eight, nine",
               "ten eleven twelve", "", "multi\nline text here", "x y z", "p q r"};
  x.missing = {0, 0, 0, 0, 0, 1, 0, 0, 0};
  ASSERT_TRUE(t.add_column(x).is_ok());
  Column empty;
  empty.name = "empty";
  empty.numbers.assign(9, kNaN);
  ASSERT_TRUE(t.add_column(empty).is_ok());

  const std::string csv = write_csv(t);
  Table back = read_ok(csv);
  expect_same_table(t, back);
  EXPECT_EQ(write_csv(back), csv);
}

TEST(WriteCsvTest, OneColumnMissingValuesRoundTrip) {
  Table t = read_ok("v\n1\n\"\"\n\"\"\n");
  expect_numeric(t, 0, "v", {1, kNaN, kNaN});
  EXPECT_EQ(write_csv(t), "v\n1\n\"\"\n\"\"\n");
  expect_same_table(t, read_ok(write_csv(t)));
}

// ---- Malformed input ---------------------------------------------------------------------

TEST(ReadCsvErrorTest, RaggedLongRow) {
  EXPECT_EQ(read_error("a,b,c\n1,2,3\n4,5,6,7\n"),
            "csv: line 3, column 4: expected 3 fields, found 4");
}

TEST(ReadCsvErrorTest, RaggedShortRow) {
  EXPECT_EQ(read_error("a,b,c\n1,2,3\n4,5\n"),
            "csv: line 3, column 2 (b): expected 3 fields, found 2");
}

TEST(ReadCsvErrorTest, RaggedRowNamesTheLineWhereTheRowStarts) {
  EXPECT_EQ(read_error("a,b\n1,2\n\"x\ny\",2,3\n"),
            "csv: line 3, column 3: expected 2 fields, found 3");
  // Lines inside earlier quoted fields are counted.
  EXPECT_EQ(read_error("a,b\n\"p\r\nq\",2\n3\n"),
            "csv: line 4, column 1 (a): expected 2 fields, found 1");
}

TEST(ReadCsvErrorTest, BlankLineInsideData) {
  EXPECT_EQ(read_error("a,b\n1,2\n\n3,4\n"),
            "csv: line 3, column 1 (a): expected 2 fields, found 1 (blank line)");
}

TEST(ReadCsvErrorTest, UnclosedQuote) {
  EXPECT_EQ(read_error("a,b\n1,2\n3,\"abc\n4,5\n"),
            "csv: line 3, column 2 (b): unclosed quote (the quoted field starting here runs to "
            "the end of input)");
  EXPECT_EQ(read_error("\"a,b\n1,2\n"),
            "csv: line 1, column 1: unclosed quote (the quoted field starting here runs to the "
            "end of input)");
}

TEST(ReadCsvErrorTest, CharacterAfterClosingQuote) {
  EXPECT_EQ(read_error("a,b\n1,\"ab\"c\n"),
            "csv: line 2, column 2 (b): unexpected 'c' after a closing quote (expected the "
            "delimiter or a line end)");
  EXPECT_EQ(read_error("a,b\n1,2\n\"x\ny\" ,3\n"),
            "csv: line 4, column 1 (a): unexpected ' ' after a closing quote (expected the "
            "delimiter or a line end)");
}

TEST(ReadCsvErrorTest, QuoteInsideUnquotedField) {
  EXPECT_EQ(read_error("a,b\n1,ab\"c\"\n"),
            "csv: line 2, column 2 (b): unexpected '\"' in an unquoted field (quote the whole "
            "field and write each quote inside it as \"\")");
}

TEST(ReadCsvErrorTest, InvalidUtf8) {
  struct Case {
    const char* csv;
    const char* message;
  };
  const Case cases[] = {
      {"a,b\n1,x\x80y\n",
       "csv: line 2, column 2 (b): invalid UTF-8 at byte 4 of the line (unexpected "
       "continuation byte, 0x80)"},
      {"a\xFF,b\n1,2\n",
       "csv: line 1, column 1: invalid UTF-8 at byte 2 of the line (byte never used in UTF-8, "
       "0xff)"},
      {"a,b\n1,\xF5\x80\x80\x80\n",
       "csv: line 2, column 2 (b): invalid UTF-8 at byte 3 of the line (byte never used in "
       "UTF-8, 0xf5)"},
      {"a,b\n1,2\n\xC0\x80,3\n",
       "csv: line 3, column 1 (a): invalid UTF-8 at byte 1 of the line (overlong encoding, "
       "0xc0)"},
      {"a,b\n1,2\n3,\xE0\x80\x80\n",
       "csv: line 3, column 2 (b): invalid UTF-8 at byte 3 of the line (overlong encoding, "
       "0xe0)"},
      {"a,b\n1,2\n3,\xF0\x80\x80\x80\n",
       "csv: line 3, column 2 (b): invalid UTF-8 at byte 3 of the line (overlong encoding, "
       "0xf0)"},
      {"a,b\n1,\"x\xED\xA0\x80\"\n",
       "csv: line 2, column 2 (b): invalid UTF-8 at byte 5 of the line (encoded surrogate "
       "(U+D800..U+DFFF), 0xed)"},
      {"a,b\n1,\xF4\x90\x80\x80\n",
       "csv: line 2, column 2 (b): invalid UTF-8 at byte 3 of the line (code point above "
       "U+10FFFF, 0xf4)"},
      {"a,b\n1,\xE2\x82,\n",
       "csv: line 2, column 2 (b): invalid UTF-8 at byte 3 of the line (truncated multi-byte "
       "sequence, 0xe2)"},
      {"a,b\n1,2\n3,\xE2\x82",
       "csv: line 3, column 2 (b): invalid UTF-8 at byte 3 of the line (truncated multi-byte "
       "sequence, 0xe2)"},
      // Inside a quoted field, after an embedded newline: the physical line and its byte.
      {"a,b\n1,\"ok\nfine \xC3\"\n",
       "csv: line 3, column 2 (b): invalid UTF-8 at byte 6 of the line (truncated multi-byte "
       "sequence, 0xc3)"},
      // After a byte-order mark, bytes count from the end of the mark.
      {"\xEF\xBB\xBF\x61\xC3\x28\n1\n",
       "csv: line 1, column 1: invalid UTF-8 at byte 2 of the line (truncated multi-byte "
       "sequence, 0xc3)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.csv);
    EXPECT_EQ(read_error(c.csv), c.message);
  }
}

TEST(ReadCsvErrorTest, EmptyFile) {
  EXPECT_EQ(read_error(""), "csv: empty file, a header row is required");
  EXPECT_EQ(read_error("\xEF\xBB\xBF"), "csv: empty file, a header row is required");
  EXPECT_EQ(read_error("\n\r\n"), "csv: empty file, a header row is required");
}

TEST(ReadCsvErrorTest, HeaderOnly) {
  for (const char* csv : {"a,b", "a,b\n", "a,b\r\n\r\n", "\xEF\xBB\xBF\x61,b\n"}) {
    SCOPED_TRACE(csv);
    EXPECT_EQ(read_error(csv), "csv: no data rows (the input has only a header row)");
  }
}

TEST(ReadCsvErrorTest, DuplicateHeader) {
  EXPECT_EQ(read_error("a,b,a\n1,2,3\n"),
            "csv: line 1, column 3: duplicate column name 'a' (also column 1)");
}

TEST(ReadCsvErrorTest, HeaderErrorsNameTheLineWhereTheFieldStarts) {
  EXPECT_EQ(read_error("\"a\nb\",\"c\r\nd\",\"a\nb\"\n1,2,3\n"),
            "csv: line 3, column 3: duplicate column name 'a\nb' (also column 1)");
}

TEST(ReadCsvErrorTest, EmptyHeaderName) {
  EXPECT_EQ(read_error("a,,c\n1,2,3\n"), "csv: line 1, column 2: empty column name");
  EXPECT_EQ(read_error("a,\"\"\n1,2\n"), "csv: line 1, column 2: empty column name");
}

TEST(ReadCsvErrorTest, MessagesNameTheSource) {
  CsvOptions options;
  options.source = "iris.csv";
  EXPECT_EQ(read_error("sepal,petal\n1,2\n3\n", options),
            "iris.csv: line 3, column 1 (sepal): expected 2 fields, found 1");
  EXPECT_EQ(read_error("", options), "iris.csv: empty file, a header row is required");
}

// ---- Real file ---------------------------------------------------------------------------

TEST(ReadCsvTest, IrisDataset) {
  const std::string path = std::string(MLLAB_SOURCE_DIR) + "/assets/datasets/iris.csv";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  CsvOptions options;
  options.source = "iris.csv";
  Result<Table> r = read_csv(buffer.str(), options);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const Table& t = *r;
  EXPECT_EQ(t.num_rows(), 150u);
  ASSERT_EQ(t.num_columns(), 5u);
  const char* names[] = {"sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                         "petal width (cm)", "target"};
  for (size_t j = 0; j < 5; ++j) {
    EXPECT_EQ(t.column(j).name, names[j]);
    EXPECT_EQ(t.column(j).type, ColumnType::kNumeric) << names[j];
    EXPECT_EQ(t.column(j).missing_count(), 0u) << names[j];
  }
  expect_same_table(t, read_ok(write_csv(t)));
}

// Issue 9: NUL bytes turned "2\0" into a category; now an error naming file, line and column.
TEST(ReadCsvTest, NulByteIsAnErrorNamingLineAndColumn) {
  CsvOptions opts;
  opts.source = "nul.csv";
  const std::string unquoted("a,b\n1,2\n3,2\0\n", 14);
  EXPECT_EQ(read_error(unquoted, opts), "nul.csv: line 3, column 2 (b): NUL byte at byte 4 of the line (a CSV holds text; is this a binary file?)");
  const std::string quoted("a,b\n\"x\0y\",2\n", 13);
  EXPECT_EQ(read_error(quoted, opts), "nul.csv: line 2, column 1 (a): NUL byte at byte 3 of the line (a CSV holds text; is this a binary file?)");
  const std::string header("a\0,b\n1,2\n", 10);
  EXPECT_NE(read_error(header, opts).find("line 1, column 1"), std::string::npos);
}
}  // namespace
}  // namespace mllab::data
