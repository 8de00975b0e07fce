// read_json: the depth limit, line/column in errors, out-of-range numbers naming the field, and
// message quoting.
#include "core/util/json_reader.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>

namespace mllab {
namespace {

TEST(JsonReader, ReadsDocumentsAsNlohmannDoes) {
  const std::string text = R"({"a": [1, 2.5, -3, "x", null, true, {"b": {}}], "c": 18446744073709551615, "a2": []})";
  auto r = read_json(text, "doc");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(*r, nlohmann::json::parse(text));
  auto o = read_ordered_json(R"({"z": 1, "a": 2})", "doc");
  ASSERT_TRUE(o.is_ok());
  EXPECT_EQ(o->begin().key(), "z");
  // Duplicate keys: the last wins, as nlohmann's own parser.
  EXPECT_EQ((*read_json(R"({"k": 1, "k": 2})", "doc"))["k"], 2);
  EXPECT_EQ(*read_json("42", "doc"), 42);
}

TEST(JsonReader, RefusesDocumentsDeeperThanTheLimitNamingWhere) {
  std::string ok(kMaxJsonDepth, '['), deep(kMaxJsonDepth + 1, '[');
  ok += std::string(kMaxJsonDepth, ']');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(read_json(ok, "doc").is_ok());
  auto r = read_json("\n" + deep, "spec file a.json");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kParseError);
  EXPECT_EQ(r.status().message(), "spec file a.json: JSON nests deeper than 128 levels at line 2, column 129");
  // 100,000 levels (the crash of issue 9): refused, not a stack overflow; the message is short.
  std::string huge = std::string(100000, '[') + std::string(100000, ']');
  auto h = read_json(huge, "doc");
  ASSERT_FALSE(h.is_ok());
  EXPECT_LT(h.status().message().size(), 120u);
  // Brackets inside strings do not count.
  EXPECT_TRUE(read_json("[\"" + std::string(1000, '[') + "\\\"\"]", "doc").is_ok());
}

TEST(JsonReader, SyntaxErrorsNameLineAndColumn) {
  auto r = read_json("{\n  \"a\": 1,\n  \"b\": tru\n}", "pipeline spec");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("pipeline spec: invalid JSON at line 3, column"), std::string::npos)
      << r.status().message();
  auto e = read_json("", "doc");
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().message().find("doc: invalid JSON at line 1, column 1"), std::string::npos);
  // A huge bad token is cut in the message.
  auto big = read_json("[\"" + std::string(100000, 'x'), "doc");
  ASSERT_FALSE(big.is_ok());
  EXPECT_LT(big.status().message().size(), 300u);
}

TEST(JsonReader, OutOfRangeNumbersNameTheField) {
  auto r = read_json("{\"split\": {\"test_size\": 1e400}}", "spec");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "spec: number 1e400 at line 1, column 25 (field 'split.test_size') is out of range");
  auto a = read_json("{\"data\": [[1, 2], [3, -1e999]]}", "body");
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("(field 'data[1][1]')"), std::string::npos) << a.status().message();
}

TEST(JsonReader, QuotesValuesOnOneShortLine) {
  EXPECT_EQ(quote_for_message("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
  const std::string long_value(1000, 'v');
  EXPECT_EQ(quote_for_message(long_value, 10), "vvvvvvvvvv... (1000 bytes)");
  // Never cuts inside a UTF-8 sequence: "é" is two bytes.
  EXPECT_EQ(quote_for_message("aé", 2), "a... (3 bytes)");
  EXPECT_EQ(json_for_message(nlohmann::json{{"k", "v"}}), "{\"k\":\"v\"}");
}

TEST(JsonReader, ExceptionsAtABoundaryBecomeOneShortLine) {
  auto of = [](auto thrower) {
    try {
      thrower();
    } catch (...) {
      return exception_status(std::current_exception());
    }
    return Status::ok();
  };
  const Status own = of([] { throw Error(Status::not_found("no run 'x'")); });
  EXPECT_EQ(own.code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_EQ(own.message(), "no run 'x'");
  EXPECT_EQ(of([] { throw std::bad_alloc(); }).message(), "out of memory (the input is too large)");
  // nlohmann's prefix is dropped; invalid UTF-8 is the user's input, not a bug.
  const Status utf8 = of([] { (void)nlohmann::json(std::string("\xff")).dump(); });
  EXPECT_EQ(utf8.code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(utf8.message().find("[json.exception"), std::string::npos) << utf8.message();
  const Status type = of([] { (void)nlohmann::json(1).get<std::string>(); });
  EXPECT_EQ(type.message(), "unexpected JSON error: type must be string, but is number");
  const Status other = of([] { throw std::runtime_error(std::string(500, 'w') + "\n"); });
  EXPECT_EQ(other.code(), ErrorCode::kInternalError);
  EXPECT_LT(other.message().size(), 260u);
  EXPECT_EQ(other.message().find('\n'), std::string::npos);
  EXPECT_EQ(of([] { throw 42; }).message(), "unexpected error");
}

TEST(JsonReader, TextPositionCountsLinesAndColumns) {
  EXPECT_EQ(text_position("ab\ncd", 4).line, 2u);
  EXPECT_EQ(text_position("ab\ncd", 4).column, 2u);
  EXPECT_EQ(text_position("ab", 99).column, 3u);
}

}  // namespace
TEST(JsonReader, ErrorReasonDropsTheLibraryPrefix) {
  try {
    (void)nlohmann::json(1).get<std::string>();
    FAIL() << "expected a type error";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(json_error_reason(e), "type must be string, but is number");
  }
}
}  // namespace mllab
