#include "core/registry/model_uri.hpp"
#include "core/util/json_reader.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mllab::registry {
namespace {

using Kind = ModelUri::Kind;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ModelUriTest, ParsesEveryValidForm) {
  struct Case {
    std::string uri;
    ModelUri expected;
    std::string canonical;  // to_string of the parsed URI
  };
  const std::vector<Case> cases = {
      {"models:/iris/1", ModelUri::for_version("iris", 1), "models:/iris/1"},
      {"models:/iris/12", ModelUri::for_version("iris", 12), "models:/iris/12"},
      {"models:/iris/007", ModelUri::for_version("iris", 7), "models:/iris/7"},
      {"models:/iris/Production", ModelUri::for_stage("iris", "Production"), "models:/iris/Production"},
      // Stages in any letter case, canonicalised as MLflow does.
      {"models:/iris/production", ModelUri::for_stage("iris", "Production"), "models:/iris/Production"},
      {"models:/iris/STAGING", ModelUri::for_stage("iris", "Staging"), "models:/iris/Staging"},
      {"models:/iris/none", ModelUri::for_stage("iris", "None"), "models:/iris/None"},
      {"models:/iris/archived", ModelUri::for_stage("iris", "Archived"), "models:/iris/Archived"},
      {"models:/iris/latest", ModelUri::for_latest("iris"), "models:/iris/latest"},
      {"models:/iris/Latest", ModelUri::for_latest("iris"), "models:/iris/latest"},
      {"models:/iris@champion", ModelUri::for_alias("iris", "champion"), "models:/iris@champion"},
      {"models:/my-model.v2_x@challenger-2", ModelUri::for_alias("my-model.v2_x", "challenger-2"),
       "models:/my-model.v2_x@challenger-2"},
      {"runs:/0123abcd/model", ModelUri::for_run("0123abcd", "model"), "runs:/0123abcd/model"},
      {"runs:/0123abcd/models/best", ModelUri::for_run("0123abcd", "models/best"), "runs:/0123abcd/models/best"},
      // The artifact path defaults to "model"; a trailing '/' is dropped.
      {"runs:/0123abcd", ModelUri::for_run("0123abcd", "model"), "runs:/0123abcd/model"},
      {"runs:/0123abcd/", ModelUri::for_run("0123abcd", "model"), "runs:/0123abcd/model"},
      {"runs:/0123abcd/model/", ModelUri::for_run("0123abcd", "model"), "runs:/0123abcd/model"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri);
    auto u = parse_model_uri(c.uri);
    ASSERT_TRUE(u.is_ok()) << u.status().to_string();
    EXPECT_EQ(u.value(), c.expected);
    EXPECT_EQ(to_string(u.value()), c.canonical);
    // Round trip: the canonical text parses back to the same URI.
    auto again = parse_model_uri(to_string(u.value()));
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again.value(), u.value());
  }
}

TEST(ModelUriTest, RefusesMalformedUrisWithOneLineNamingTheUri) {
  struct Case {
    std::string uri;
    std::string needle;  // what the message must say
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"models:/", "model name is empty"},
      {"models:/iris", "expected models:/<name>/"},
      {"models:/iris/", "nothing after the model name"},
      {"models://iris/1", "unexpected '/'"},
      {"models:/iris/0", "positive integer (got '0')"},
      {"models:/iris/000", "positive integer"},
      {"models:/iris/99999999999", "too large"},
      {"models:/iris/1/extra", "unexpected text after '1' ('/extra')"},
      {"models:/iris/1 ", "'1 ' is not a version"},
      {"models:/iris/Prod", "'Prod' is not a version, a stage"},
      {"models:/iris/Deleted_Internal", "is not a version, a stage"},
      {"models:/iris@", "alias name is empty"},
      {"models:/@champion", "model name is empty"},
      {"models:/iris@champ ion", "invalid alias name 'champ ion'"},
      {"models:/iris@latest", "reserved"},
      {"models:/my\tmodel/1", "'my\\tmodel' contains a control character"},
      {"models:/a@b/1", "contains '@' ('@' separates the alias in models:/NAME@ALIAS)"},
      {"models:/.hidden/1", "starts with '.'"},
      {"model:/iris/1", "unknown scheme 'model'"},
      {"s3://bucket/model", "unknown scheme 's3'"},
      {"models/iris/1", "no scheme"},
      {"models:iris/1", "expected 'models:/'"},
      {"runs:/", "run id is empty"},
      {"runs:/-abc/model", "must start with a letter or digit"},
      {"runs:/ab.c/model", "contains the character '.'"},
      {"runs:/abc/model//x", "artifact path 'model//x' is not valid"},
      {"runs:/abc/../x", "artifact path '../x' is not valid"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri);
    auto u = parse_model_uri(c.uri);
    ASSERT_FALSE(u.is_ok());
    const std::string& m = u.status().message();
    EXPECT_EQ(u.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_TRUE(contains(m, c.needle)) << m;
    if (!c.uri.empty()) {
      EXPECT_TRUE(contains(m, "'" + quote_for_message(c.uri) + "'")) << m;  // escaped, as every message
    }
    EXPECT_FALSE(contains(m, "\n")) << m;
  }
}

TEST(ModelUriTest, StageNamesAreCanonicalised) {
  EXPECT_EQ(canonical_stage("production"), "Production");
  EXPECT_EQ(canonical_stage("sTaGiNg"), "Staging");
  EXPECT_EQ(canonical_stage("NONE"), "None");
  EXPECT_EQ(canonical_stage("Archived"), "Archived");
  EXPECT_EQ(canonical_stage("Prod"), std::nullopt);
  EXPECT_EQ(canonical_stage(""), std::nullopt);
  EXPECT_EQ(model_stages(), (std::vector<std::string>{"None", "Staging", "Production", "Archived"}));
}

TEST(ModelUriTest, AliasRulesFollowMlflow) {
  for (std::string ok : {"champion", "Challenger_2", "a-b", "prod", "Production", "v", "v1a", "x9"}) {
    EXPECT_TRUE(validate_alias(ok).is_ok()) << ok << ": " << validate_alias(ok).message();
  }
  EXPECT_TRUE(validate_alias(std::string(255, 'a')).is_ok());
  struct Case {
    std::string alias;
    std::string needle;
  };
  const std::vector<Case> bad = {
      {"", "empty"},
      {"latest", "reserved"},
      {"LATEST", "reserved"},
      {"v3", "reserved (version aliases"},
      {"V12", "reserved (version aliases"},
      {"123", "only digits"},
      {"a b", "found ' '"},
      {"a.b", "found '.'"},
      {"a@b", "found '@'"},
      {std::string(256, 'a'), "at most 255"},
  };
  for (const auto& c : bad) {
    Status st = validate_alias(c.alias);
    EXPECT_FALSE(st.is_ok()) << c.alias;
    EXPECT_TRUE(contains(st.message(), c.needle)) << st.message();
  }
}

TEST(ModelUriTest, ModelNamesFollowTheNameRule) {
  for (std::string ok : {"iris", "iris-classifier", "Iris_v2.1", "team:iris", "a=b+c", "my iris model",
                         "caf\xc3\xa9", "\xe9\xb8\xa2\xe5\xb0\xbe\xe8\x8a\xb1"}) {
    EXPECT_TRUE(validate_model_name(ok).is_ok()) << ok << ": " << validate_model_name(ok).message();
  }
  EXPECT_TRUE(contains(validate_model_name("").message(), "empty"));
  EXPECT_TRUE(contains(validate_model_name("a/b").message(), "contains '/'"));
  EXPECT_TRUE(contains(validate_model_name("a@b").message(), "contains '@' ('@' separates the alias"));
  EXPECT_TRUE(contains(validate_model_name("a\x1b[31m").message(), "'a\\x1b[31m' contains a control character"));
  EXPECT_TRUE(contains(validate_model_name(".x").message(), "starts with '.'"));
  EXPECT_TRUE(contains(validate_model_name(std::string(251, 'a')).message(), "251 characters long (at most 250)"));
  EXPECT_TRUE(validate_model_name(std::string(250, 'a')).is_ok());
  // 250 characters of three bytes each: counted in characters, not bytes.
  std::string wide;
  for (int i = 0; i < 250; ++i) wide += "\xe7\x8c\xab";
  EXPECT_TRUE(validate_model_name(wide).is_ok()) << validate_model_name(wide).message();
}

}  // namespace
}  // namespace mllab::registry
