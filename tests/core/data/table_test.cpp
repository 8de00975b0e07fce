#include "core/data/table.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>
#include <version>

#include "core/data/csv.hpp"

namespace mllab::data {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// SplitMix64: a self-contained bit source for the randomized tests.
uint64_t next_bits(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Column numeric(const std::string& name, std::vector<double> values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kNumeric;
  c.numbers = std::move(values);
  return c;
}

Column strings(const std::string& name, ColumnType type, std::vector<std::string> values,
               std::vector<unsigned char> missing) {
  Column c;
  c.name = name;
  c.type = type;
  c.strings = std::move(values);
  c.missing = std::move(missing);
  return c;
}

Table sample_table() {
  Table t;
  EXPECT_TRUE(t.add_column(numeric("x", {1.5, kNaN, 3})).is_ok());
  EXPECT_TRUE(
      t.add_column(strings("color", ColumnType::kCategorical, {"red", "", "blue"}, {0, 1, 0}))
          .is_ok());
  EXPECT_TRUE(t.add_column(numeric("y", {10, 20, 30})).is_ok());
  return t;
}

TEST(ColumnTypeTest, NamesRoundTrip) {
  for (ColumnType type : {ColumnType::kNumeric, ColumnType::kCategorical, ColumnType::kText}) {
    Result<ColumnType> parsed = parse_column_type(column_type_name(type));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_STREQ(column_type_name(ColumnType::kNumeric), "numeric");
  EXPECT_STREQ(column_type_name(ColumnType::kCategorical), "categorical");
  EXPECT_STREQ(column_type_name(ColumnType::kText), "text");
}

TEST(ColumnTypeTest, UnknownNameIsAnError) {
  Result<ColumnType> parsed = parse_column_type("Numeric");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(parsed.status().message(),
            "unknown column type 'Numeric' (expected numeric, categorical or text)");
}

TEST(ColumnTest, MissingCountAndIsMissing) {
  Column n = numeric("n", {1, kNaN, kNaN, 0});
  EXPECT_EQ(n.size(), 4u);
  EXPECT_EQ(n.missing_count(), 2u);
  EXPECT_TRUE(n.is_missing(1));
  EXPECT_FALSE(n.is_missing(3));

  Column s = strings("s", ColumnType::kText, {"a b c", "", "d"}, {0, 1, 0});
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.missing_count(), 1u);
  EXPECT_TRUE(s.is_missing(1));
  EXPECT_FALSE(s.is_missing(0));
}

TEST(ColumnTest, ValueString) {
  Column n = numeric("n", {3, 0.1, -2.5, 1e-5, 1e20, kNaN, -0.0, 1.0 / 3, 123456789,
                           std::numeric_limits<double>::infinity()});
  EXPECT_EQ(n.value_string(0), "3");
  EXPECT_EQ(n.value_string(1), "0.1");
  EXPECT_EQ(n.value_string(2), "-2.5");
  EXPECT_EQ(n.value_string(3), "1e-05");
  EXPECT_EQ(n.value_string(4), "1e+20");
  EXPECT_EQ(n.value_string(5), "");
  EXPECT_EQ(n.value_string(6), "-0");
  EXPECT_EQ(n.value_string(7), "0.3333333333333333");
  EXPECT_EQ(n.value_string(8), "123456789");
  EXPECT_EQ(n.value_string(9), "inf");

  Column s = strings("s", ColumnType::kCategorical, {"a", "", "c"}, {0, 1, 0});
  EXPECT_EQ(s.value_string(0), "a");
  EXPECT_EQ(s.value_string(1), "");
  EXPECT_EQ(s.value_string(2), "c");
}

TEST(FormatNumberTest, ShortestNotation) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(100), "100");
  EXPECT_EQ(format_number(0.0001), "1e-04");  // shorter than 0.0001
  EXPECT_EQ(format_number(0.001), "0.001");
  EXPECT_EQ(format_number(1234.5), "1234.5");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_number(5e-324), "5e-324");
  EXPECT_EQ(format_number(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(format_number(12345678901234567890.0), "12345678901234567168");
  EXPECT_EQ(format_number(1e16), "1e+16");
  EXPECT_EQ(format_number(9007199254740993.0), "9007199254740992");  // 2^53, exact digits
  EXPECT_EQ(format_number(1.5e21), "1.5e+21");
  EXPECT_EQ(format_number(18446744073709551616.0), "18446744073709551616");  // 2^64
  EXPECT_EQ(format_number(1.2345678901234567e21), "1234567890123456774144");
  EXPECT_EQ(format_number(-1e21), "-1e+21");
}

// Random bit patterns: the text reads back to the same double, and matches std::to_chars where
// the standard library has it.
TEST(FormatNumberTest, RoundTripsAndMatchesToChars) {
  const double kPowers[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7};
  uint64_t state = 7;
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = next_bits(&state);
    if (i % 4 == 1) bits &= 0x800FFFFFFFFFFFFFull;  // subnormals
    const auto exponent = static_cast<uint64_t>(1023 + i % 80);  // 1 .. 2^80
    if (i % 4 == 2) bits = (bits & 0x800FFFFFFFFFFFFFull) | (exponent << 52);
    double v = 0;
    std::memcpy(&v, &bits, sizeof(v));
    if (i % 4 == 3) v = static_cast<double>(bits % 1000000) / kPowers[i % 8];  // short ones
    if (!std::isfinite(v)) continue;
    const std::string text = format_number(v);
    double back = 0;
    ASSERT_TRUE(parse_number(text, &back)) << text;
    ASSERT_EQ(std::memcmp(&back, &v, sizeof(v)), 0) << text;
#if defined(__cpp_lib_to_chars)
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    ASSERT_EQ(text, std::string(buf, res.ptr));
#endif
  }
}

TEST(TableTest, EmptyTable) {
  Table t;
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.num_columns(), 0u);
  EXPECT_EQ(t.find("x"), -1);
  EXPECT_EQ(t.column("x"), nullptr);
}

TEST(TableTest, AddFindAndLookup) {
  Table t = sample_table();
  EXPECT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.num_columns(), 3u);
  EXPECT_EQ(t.find("x"), 0);
  EXPECT_EQ(t.find("color"), 1);
  EXPECT_EQ(t.find("y"), 2);
  EXPECT_EQ(t.find("z"), -1);
  ASSERT_NE(t.column("color"), nullptr);
  EXPECT_EQ(t.column("color")->strings[2], "blue");
  EXPECT_EQ(t.column(2).name, "y");
  EXPECT_EQ(t.columns().size(), 3u);
}

TEST(TableTest, AddColumnErrors) {
  Table t = sample_table();
  Status dup = t.add_column(numeric("x", {1, 2, 3}));
  EXPECT_EQ(dup.code(), ErrorCode::kResourceAlreadyExists);
  EXPECT_EQ(dup.message(), "column 'x' already exists");

  Status len = t.add_column(numeric("z", {1, 2}));
  EXPECT_EQ(len.code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(len.message(), "column 'z' has 2 rows but the table has 3");

  Status flags = t.add_column(strings("s", ColumnType::kCategorical, {"a", "b", "c"}, {0, 0}));
  EXPECT_EQ(flags.code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(flags.message(), "column 's' has 3 values but 2 missing flags");
  EXPECT_EQ(t.num_columns(), 3u);
}

TEST(TableTest, TakeRows) {
  Table t = sample_table();
  Table u = t.take_rows({2, 0, 2});
  ASSERT_EQ(u.num_columns(), 3u);
  ASSERT_EQ(u.num_rows(), 3u);
  EXPECT_EQ(u.column(0).numbers, (std::vector<double>{3, 1.5, 3}));
  EXPECT_EQ(u.column(1).type, ColumnType::kCategorical);
  EXPECT_EQ(u.column(1).strings, (std::vector<std::string>{"blue", "red", "blue"}));
  EXPECT_EQ(u.column(1).missing, (std::vector<unsigned char>{0, 0, 0}));
  EXPECT_EQ(u.column(2).numbers, (std::vector<double>{30, 10, 30}));

  Table w = t.take_rows({1});
  ASSERT_EQ(w.num_rows(), 1u);
  EXPECT_TRUE(w.column(0).is_missing(0));
  EXPECT_TRUE(w.column(1).is_missing(0));

  Table none = t.take_rows({});
  EXPECT_EQ(none.num_columns(), 3u);
  EXPECT_EQ(none.num_rows(), 0u);
}

TEST(TableTest, DropColumn) {
  Table t = sample_table();
  Table u = t.drop_column("color");
  ASSERT_EQ(u.num_columns(), 2u);
  EXPECT_EQ(u.column(0).name, "x");
  EXPECT_EQ(u.column(1).name, "y");
  EXPECT_EQ(u.find("color"), -1);
  EXPECT_EQ(t.num_columns(), 3u);  // the original is unchanged

  Table same = t.drop_column("nope");
  EXPECT_EQ(same.num_columns(), 3u);
}

}  // namespace
}  // namespace mllab::data
