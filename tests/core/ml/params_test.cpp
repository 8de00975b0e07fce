#include "core/ml/params.hpp"

#include <gtest/gtest.h>

#include "core/ml/logistic_regression.hpp"
#include "core/ml/model.hpp"

namespace mllab::ml {
namespace {

using Kind = ParamSpec::Kind;

std::vector<ParamSpec> sample_specs() {
  ParamSpec depth;
  depth.name = "max_depth";
  depth.kind = Kind::kIntOrNull;
  depth.default_value = nullptr;
  depth.min = 1;
  ParamSpec criterion;
  criterion.name = "criterion";
  criterion.kind = Kind::kString;
  criterion.default_value = "gini";
  criterion.choices = {"gini", "entropy"};
  ParamSpec frac;
  frac.name = "test_size";
  frac.kind = Kind::kFloat;
  frac.default_value = 0.25;
  frac.min = 0;
  frac.max = 1;
  frac.min_exclusive = frac.max_exclusive = true;
  return {depth, criterion, frac};
}

// scikit-learn's max_features-style parameter: Interval(Integral, 1, None) | Interval(Real, 0, 1,
// closed="right") | StrOptions({"sqrt", "log2"}) | None.
ParamSpec count_fraction_spec() {
  ParamSpec s;
  s.name = "max_features";
  s.kind = Kind::kIntFloatStringOrNull;
  s.default_value = "sqrt";
  s.min = 1;
  s.choices = {"sqrt", "log2"};
  s.null_aliases = {"all"};
  return s;
}

TEST(ResolveParams, IntFloatStringOrNullKeepsTheJsonType) {
  const std::vector<ParamSpec> specs = {count_fraction_spec()};
  auto value = [&](const json& v) {
    auto r = resolve_params("Forest", specs, json{{"max_features", v}});
    EXPECT_TRUE(r.is_ok()) << v.dump() << ": " << r.status().to_string();
    return r.is_ok() ? r->at("max_features") : json("error");
  };
  EXPECT_EQ(resolve_params("Forest", specs, json::object())->at("max_features"), "sqrt");
  // An integer stays an integer count, a float a fraction (1 and 1.0 differ, as in Python).
  EXPECT_TRUE(value(5).is_number_integer());
  EXPECT_EQ(value(5), 5);
  EXPECT_TRUE(value(1).is_number_integer());
  EXPECT_TRUE(value(1.0).is_number_float());
  EXPECT_EQ(value(1.0).get<double>(), 1.0);
  EXPECT_TRUE(value(0.25).is_number_float());
  EXPECT_EQ(value("log2"), "log2");
  EXPECT_TRUE(value(nullptr).is_null());
  // Older records: "all" -> null, numbers written as text -> numbers of the same kind.
  EXPECT_TRUE(value("all").is_null());
  EXPECT_TRUE(value("7").is_number_integer());
  EXPECT_EQ(value("7"), 7);
  EXPECT_TRUE(value("0.5").is_number_float());
  EXPECT_EQ(value("0.5").get<double>(), 0.5);
}

TEST(ResolveParams, IntFloatStringOrNullErrorsNameParameterAndValue) {
  const std::vector<ParamSpec> specs = {count_fraction_spec()};
  const std::string expected =
      "must be an integer >= 1, a fraction in (0, 1], one of sqrt, log2, or null";
  for (const json& bad : {json(0), json(-3), json(1.5), json(0.0), json(-0.5), json(2.0),
                          json("foo"), json("0"), json("1.5"), json(true), json::array({1})}) {
    auto r = resolve_params("Forest", specs, json{{"max_features", bad}});
    ASSERT_FALSE(r.is_ok()) << bad.dump();
    const std::string& m = r.status().message();
    EXPECT_EQ(m, "Forest: parameter 'max_features' " + expected + " (received " + bad.dump() + ")");
  }
}

TEST(ResolveParams, FillsDefaults) {
  auto r = resolve_params("LogisticRegression", LogisticRegression::param_specs(), json::object());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->at("C"), 1.0);
  EXPECT_EQ(r->at("max_iter"), 100);
  EXPECT_EQ(r->at("tol"), 1e-4);
  EXPECT_EQ(r->at("fit_intercept"), true);
  EXPECT_EQ(r->at("solver"), "lbfgs");
  EXPECT_EQ(r->size(), 5u);
  // null means "no params given".
  auto n = resolve_params("LogisticRegression", LogisticRegression::param_specs(), nullptr);
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, *r);
}

TEST(ResolveParams, KeepsGivenValues) {
  auto r = resolve_params("LogisticRegression", LogisticRegression::param_specs(),
                          json{{"C", 2}, {"max_iter", 5.0}, {"fit_intercept", false}});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->at("C").is_number_float());  // ints given for floats become floats
  EXPECT_EQ(r->at("C").get<double>(), 2.0);
  EXPECT_TRUE(r->at("max_iter").is_number_integer());  // integral floats accepted for ints
  EXPECT_EQ(r->at("max_iter").get<int>(), 5);
  EXPECT_EQ(r->at("fit_intercept"), false);
}

TEST(ResolveParams, UnknownParameterIsNamedWithKnownOnes) {
  auto r = resolve_params("LogisticRegression", LogisticRegression::param_specs(), json{{"c", 1}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.status().message(),
            "LogisticRegression: unknown parameter 'c' (known: C, max_iter, tol, fit_intercept, "
            "solver)");
}

TEST(ResolveParams, OutOfBoundsNamesParameterAndValue) {
  auto r = resolve_params("LogisticRegression", LogisticRegression::param_specs(), json{{"C", -1}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.status().message(), "LogisticRegression: parameter 'C' must be > 0 (received -1)");
  auto zero =
      resolve_params("LogisticRegression", LogisticRegression::param_specs(), json{{"C", 0.0}});
  EXPECT_FALSE(zero.is_ok());
  auto it = resolve_params("LogisticRegression", LogisticRegression::param_specs(),
                           json{{"max_iter", 0}});
  ASSERT_FALSE(it.is_ok());
  EXPECT_EQ(it.status().message(),
            "LogisticRegression: parameter 'max_iter' must be in [1, 100000] (received 0)");
  auto two_sided = resolve_params("Split", sample_specs(), json{{"test_size", 1.5}});
  ASSERT_FALSE(two_sided.is_ok());
  EXPECT_EQ(two_sided.status().message(),
            "Split: parameter 'test_size' must be in (0, 1) (received 1.5)");
}

TEST(ResolveParams, WrongTypesNameParameterAndValue) {
  const auto& specs = LogisticRegression::param_specs();
  auto s = resolve_params("LogisticRegression", specs, json{{"C", "big"}});
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().message(),
            "LogisticRegression: parameter 'C' must be a number (received \"big\")");
  auto frac = resolve_params("LogisticRegression", specs, json{{"max_iter", 2.5}});
  ASSERT_FALSE(frac.is_ok());
  EXPECT_EQ(frac.status().message(),
            "LogisticRegression: parameter 'max_iter' must be an integer (received 2.5)");
  auto b = resolve_params("LogisticRegression", specs, json{{"fit_intercept", 1}});
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("'fit_intercept' must be a boolean"), std::string::npos);
  auto boolean_c = resolve_params("LogisticRegression", specs, json{{"C", true}});
  EXPECT_FALSE(boolean_c.is_ok());
  auto not_object = resolve_params("LogisticRegression", specs, json::array({1}));
  ASSERT_FALSE(not_object.is_ok());
  EXPECT_NE(not_object.status().message().find("must be a JSON object"), std::string::npos);
}

TEST(ResolveParams, IntOrNullAndChoices) {
  auto specs = sample_specs();
  auto d = resolve_params("Tree", specs, json::object());
  ASSERT_TRUE(d.is_ok());
  EXPECT_TRUE(d->at("max_depth").is_null());
  EXPECT_EQ(d->at("criterion"), "gini");
  auto given = resolve_params("Tree", specs, json{{"max_depth", 3}, {"criterion", "entropy"}});
  ASSERT_TRUE(given.is_ok());
  EXPECT_EQ(given->at("max_depth"), 3);
  auto null_given = resolve_params("Tree", specs, json{{"max_depth", nullptr}});
  ASSERT_TRUE(null_given.is_ok());
  EXPECT_TRUE(null_given->at("max_depth").is_null());
  auto bad = resolve_params("Tree", specs, json{{"criterion", "log_loss"}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "Tree: parameter 'criterion' must be one of gini, entropy (received \"log_loss\")");
  auto depth0 = resolve_params("Tree", specs, json{{"max_depth", 0}});
  ASSERT_FALSE(depth0.is_ok());
  EXPECT_EQ(depth0.status().message(), "Tree: parameter 'max_depth' must be >= 1 (received 0)");
}

TEST(Registry, ListsTypesAndSpecs) {
  auto t = transformer_types();
  auto c = classifier_types();
  EXPECT_NE(std::find(t.begin(), t.end(), "StandardScaler"), t.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "LogisticRegression"), c.end());
  ASSERT_NE(param_specs_for("LogisticRegression"), nullptr);
  EXPECT_EQ(param_specs_for("LogisticRegression")->front().name, "C");
  ASSERT_NE(param_specs_for("StandardScaler"), nullptr);
  EXPECT_EQ(param_specs_for("NoSuchModel"), nullptr);
}

TEST(Registry, FactoriesValidate) {
  auto m = make_classifier("LogisticRegression", json{{"C", 0.5}});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->type(), "LogisticRegression");
  EXPECT_EQ((*m)->params().at("C"), 0.5);
  EXPECT_EQ((*m)->params().at("max_iter"), 100);
  EXPECT_FALSE((*m)->is_fitted());
  auto s = make_transformer("StandardScaler", json::object());
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ((*s)->type(), "StandardScaler");
  auto unknown = make_classifier("RandomForest", json::object());
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().message().rfind("unknown classifier type 'RandomForest' (known: LogisticRegression, ", 0), 0u)
      << unknown.status().message();
  auto bad = make_classifier("LogisticRegression", json{{"C", -1}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "LogisticRegression: parameter 'C' must be > 0 (received -1)");
  // A transformer name is not a classifier.
  EXPECT_FALSE(make_classifier("StandardScaler", json::object()).is_ok());
  // Constructors throw on invalid params.
  EXPECT_THROW(LogisticRegression(json{{"tol", 0}}), Error);
}

}  // namespace
}  // namespace mllab::ml
