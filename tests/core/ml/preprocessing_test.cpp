#include "core/ml/preprocessing.hpp"

#include <cmath>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_close;
using testing::json_matrix;
using testing::load_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    return e.status().message();
  }
  ADD_FAILURE() << "expected mllab::Error";
  return "";
}

// A JSON matrix whose nulls are NaN.
Matrix json_matrix_nan(const json& rows) {
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) {
      m(i, j) = rows[i][j].is_null() ? kNaN : rows[i][j].get<double>();
    }
  }
  return m;
}

data::Column string_column(const std::string& name, const std::vector<std::string>& values,
                           std::vector<unsigned char> missing = {}) {
  data::Column c;
  c.name = name;
  c.type = data::ColumnType::kCategorical;
  c.strings = values;
  c.missing = missing.empty() ? std::vector<unsigned char>(values.size(), 0) : missing;
  return c;
}

data::Column numeric_column(const std::string& name, const std::vector<double>& values) {
  data::Column c;
  c.name = name;
  c.numbers = values;
  return c;
}

TEST(SimpleImputer, MatchesScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("simple_imputer");
  Matrix x = json_matrix_nan(ref.at("X_with_null_for_nan"));
  for (const char* strategy : {"mean", "median", "most_frequent"}) {
    SCOPED_TRACE(strategy);
    SimpleImputer imputer(json{{"strategy", strategy}});
    imputer.fit(x);
    const json& want = ref.at(strategy);
    for (int j = 0; j < 3; ++j) {
      expect_close(imputer.statistics()(j), want.at("statistics")[j].get<double>(), 1e-12,
                   "statistics");
    }
    Matrix out = imputer.transform(x);
    Matrix expected = json_matrix(want.at("transformed"));
    ASSERT_EQ(out.cols(), expected.cols());
    for (Eigen::Index i = 0; i < out.rows(); ++i) {
      for (Eigen::Index j = 0; j < out.cols(); ++j) {
        expect_close(out(i, j), expected(i, j), 1e-12, "transformed");
      }
    }
    // The column API gives the same numbers.
    std::vector<data::Column> cols;
    for (int j = 0; j < 3; ++j) {
      std::vector<double> v(x.col(j).data(), x.col(j).data() + x.rows());
      cols.push_back(numeric_column("c" + std::to_string(j), v));
    }
    SimpleImputer by_column(json{{"strategy", strategy}});
    by_column.fit_columns(cols);
    auto filled = by_column.transform_columns(cols);
    for (int j = 0; j < 3; ++j) {
      for (Eigen::Index i = 0; i < x.rows(); ++i) EXPECT_EQ(filled[j].numbers[i], out(i, j));
    }
  }
}

TEST(SimpleImputer, ConstantAndEmptyColumns) {
  Matrix x(3, 2);
  x << 1, kNaN, kNaN, kNaN, 3, kNaN;
  SimpleImputer mean;
  mean.fit(x);
  EXPECT_EQ(mean.statistics()(0), 2.0);
  EXPECT_TRUE(std::isnan(mean.statistics()(1)));
  Matrix dropped = mean.transform(x);  // sklearn drops the all-missing column
  ASSERT_EQ(dropped.cols(), 1);
  EXPECT_EQ(dropped(1, 0), 2.0);
  SimpleImputer keep(json{{"keep_empty_features", true}});
  keep.fit(x);
  Matrix kept = keep.transform(x);
  ASSERT_EQ(kept.cols(), 2);
  EXPECT_EQ(kept(2, 1), 0.0);
  SimpleImputer constant(json{{"strategy", "constant"}, {"fill_value", -1}});
  constant.fit(x);
  Matrix c = constant.transform(x);
  EXPECT_EQ(c(1, 0), -1.0);
  EXPECT_EQ(c(0, 1), -1.0);
  SimpleImputer zero(json{{"strategy", "constant"}});
  zero.fit(x);
  EXPECT_EQ(zero.transform(x)(1, 1), 0.0);
}

TEST(SimpleImputer, StringColumns) {
  // sklearn: SimpleImputer(strategy="most_frequent", missing_values=None) -> ['a', 'x'].
  std::vector<data::Column> cols = {
      string_column("letter", {"a", "b", "", "b", "a"}, {0, 0, 1, 0, 0}),
      string_column("code", {"", "x", "y", "x", "y"}, {1, 0, 0, 0, 0}),
      numeric_column("n", {1.0, kNaN, 4.0, 4.0, kNaN})};
  SimpleImputer imputer(json{{"strategy", "most_frequent"}});
  imputer.fit_columns(cols);
  EXPECT_EQ(imputer.string_statistics()[0], "a");  // tie a/b -> smallest
  EXPECT_EQ(imputer.string_statistics()[1], "x");
  EXPECT_EQ(imputer.statistics()(2), 4.0);
  auto out = imputer.transform_columns(cols);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].strings[2], "a");
  EXPECT_EQ(out[0].missing[2], 0);
  EXPECT_EQ(out[1].strings[0], "x");
  EXPECT_EQ(out[2].numbers[1], 4.0);
  EXPECT_EQ(out[0].name, "letter");
  SimpleImputer constant(json{{"strategy", "constant"}});
  constant.fit_columns({cols[0]});
  EXPECT_EQ(constant.string_statistics()[0], "missing_value");
  SimpleImputer named(json{{"strategy", "constant"}, {"fill_value", "unknown"}});
  named.fit_columns({cols[0]});
  EXPECT_EQ(named.transform_columns({cols[0]})[0].strings[2], "unknown");
  EXPECT_EQ(error_of([&] { SimpleImputer().fit_columns(cols); }),
            "SimpleImputer: cannot use strategy 'mean' with non-numeric column 'letter' (use "
            "most_frequent or constant)");
  EXPECT_NE(error_of([&] {
              SimpleImputer(json{{"strategy", "constant"}, {"fill_value", "z"}})
                  .fit_columns({cols[2]});
            }).find("Expected a numerical value"),
            std::string::npos);
  // State round trip (strings, numbers, null for an empty column).
  std::vector<data::Column> with_empty = cols;
  with_empty.push_back(numeric_column("empty", {kNaN, kNaN, kNaN, kNaN, kNaN}));
  imputer.fit_columns(with_empty);
  EXPECT_EQ(imputer.transform_columns(with_empty).size(), 3u);
  const std::string text = imputer.state().dump();
  SimpleImputer loaded(imputer.params());
  ASSERT_TRUE(loaded.load_state(json::parse(text)).is_ok());
  EXPECT_EQ(loaded.state().dump(), text);
  EXPECT_EQ(loaded.transform_columns(with_empty)[0].strings, out[0].strings);
}

TEST(SimpleImputer, Errors) {
  EXPECT_EQ(error_of([] { SimpleImputer(json{{"strategy", "mode"}}); }),
            "SimpleImputer: parameter 'strategy' must be one of mean, median, most_frequent, "
            "constant (received \"mode\")");
  EXPECT_EQ(error_of([] { SimpleImputer(json{{"fill_value", json::array()}}); }),
            "SimpleImputer: parameter 'fill_value' must be null, a finite number or a string "
            "(received [])");
  Matrix x(2, 2);
  x << 1, 2, 3, 4;
  EXPECT_EQ(error_of([&] { SimpleImputer().transform(x); }),
            "SimpleImputer: transform called before fit");
  SimpleImputer imputer;
  imputer.fit(x);
  EXPECT_EQ(error_of([&] { imputer.transform(Matrix::Zero(2, 3)); }),
            "SimpleImputer: X has 3 features, but the imputer was fitted with 2 features");
  Matrix inf = x;
  inf(1, 0) = std::numeric_limits<double>::infinity();
  EXPECT_EQ(error_of([&] { SimpleImputer().fit(inf); }),
            "SimpleImputer: X contains infinity in column 0 (row 1)");
}

TEST(MinMaxScaler, MatchesScikitLearn) {
  Matrix x(4, 3);
  x << 1, -5, 3, 2, 0, 3, 4, 5, 3, 0.5, 10, 3;
  Matrix fresh(1, 3);
  fresh << 5, -10, 4;
  MinMaxScaler scaler;
  scaler.fit(x);
  // sklearn 1.2.1 MinMaxScaler().fit(x): scale_, min_, transform(x), transform(fresh).
  const double scale[] = {0.2857142857142857, 0.06666666666666667, 1.0};
  const double offset[] = {-0.14285714285714285, 0.3333333333333333, -3.0};
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(scaler.scale()(j), scale[j]);
    EXPECT_EQ(scaler.min()(j), offset[j]);
  }
  Matrix z = scaler.transform(x);
  Matrix want(4, 3);
  want << 0.14285714285714285, 0.0, 0.0, 0.42857142857142855, 0.3333333333333333, 0.0, 1.0,
      0.6666666666666666, 0.0, 0.0, 1.0, 0.0;
  EXPECT_EQ(z, want);
  Matrix f = scaler.transform(fresh);
  EXPECT_EQ(f(0, 0), 1.2857142857142856);
  EXPECT_EQ(f(0, 1), -0.3333333333333333);
  EXPECT_EQ(f(0, 2), 1.0);
  MinMaxScaler wide(json{{"feature_range", {-1, 2}}});
  wide.fit(x);
  Matrix w = wide.transform(x);
  EXPECT_EQ(w(0, 0), -0.5714285714285715);
  EXPECT_EQ(w(1, 0), 0.2857142857142856);
  EXPECT_EQ(w(2, 0), 1.9999999999999998);
  EXPECT_EQ(w(3, 2), -1.0);
  EXPECT_EQ(wide.transform(fresh)(0, 0), 2.8571428571428568);
  MinMaxScaler clip(json{{"clip", true}});
  clip.fit(x);
  Matrix c = clip.transform(fresh);
  EXPECT_EQ(c(0, 0), 1.0);
  EXPECT_EQ(c(0, 1), 0.0);
  EXPECT_EQ(c(0, 2), 1.0);
  // Round trip.
  const std::string text = wide.state().dump();
  MinMaxScaler loaded(wide.params());
  ASSERT_TRUE(loaded.load_state(json::parse(text)).is_ok());
  EXPECT_EQ(loaded.state().dump(), text);
  EXPECT_EQ(loaded.transform(x), w);
  EXPECT_EQ(error_of([] { MinMaxScaler(json{{"feature_range", {1, 0}}}); }),
            "MinMaxScaler: parameter 'feature_range' must be [min, max] with min < max (minimum "
            "of desired feature range must be smaller than maximum) (received [1,0])");
  EXPECT_EQ(error_of([] { MinMaxScaler().transform(Matrix::Zero(1, 1)); }),
            "MinMaxScaler: transform called before fit");
}

// scikit-learn 1.2.1's MinMaxScaler on data with NaN (tests/data/scaler_nan_reference.json,
// written by tests/data/make_scaler_nan_reference.py): np.nanmin / np.nanmax per column, NaN
// kept by transform (also with clip), an all-NaN column with NaN statistics.
TEST(MinMaxScaler, IgnoresNaNAsScikitLearn) {
  const json ref = load_json("tests/data/scaler_nan_reference.json");
  const Matrix x_new = json_matrix_nan(ref.at("X_new"));
  auto expect_value = [](double got, const json& want, const std::string& what) {
    if (want.is_null()) {
      EXPECT_TRUE(std::isnan(got)) << what << ": expected NaN, got " << got;
    } else {
      expect_close(got, want.get<double>(), 1e-12, what);
    }
  };
  auto expect_vector = [&](const Vector& got, const json& want, const std::string& what) {
    ASSERT_EQ(got.size(), Eigen::Index(want.size())) << what;
    for (Eigen::Index j = 0; j < got.size(); ++j) expect_value(got(j), want[size_t(j)], what);
  };
  auto expect_matrix = [&](const Matrix& got, const json& want, const std::string& what) {
    ASSERT_EQ(got.rows(), Eigen::Index(want.size())) << what;
    for (Eigen::Index i = 0; i < got.rows(); ++i) {
      for (Eigen::Index j = 0; j < got.cols(); ++j) {
        expect_value(got(i, j), want[size_t(i)][size_t(j)],
                     what + "(" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  };
  int checked = 0;
  for (const auto& c : ref.at("cases")) {
    if (c.at("estimator") != "MinMaxScaler") continue;
    SCOPED_TRACE(c.at("params").dump() + " on " + c.at("fit").get<std::string>());
    const Matrix x = json_matrix_nan(ref.at(c.at("fit").get<std::string>()));
    ASSERT_TRUE(x.array().isNaN().any());
    MinMaxScaler scaler(c.at("params"));
    scaler.fit(x);
    expect_vector(scaler.data_min(), c.at("data_min_"), "data_min_");
    expect_vector(scaler.data_max(), c.at("data_max_"), "data_max_");
    expect_vector(scaler.data_range(), c.at("data_range_"), "data_range_");
    expect_vector(scaler.scale(), c.at("scale_"), "scale_");
    expect_vector(scaler.min(), c.at("min_"), "min_");
    expect_matrix(scaler.transform(x), c.at("transform_fit"), "transform(X)");
    if (!c.at("transform_new").is_null()) {
      expect_matrix(scaler.transform(x_new), c.at("transform_new"), "transform(X_new)");
    }
    // NaN statistics survive the state (null in JSON).
    MinMaxScaler loaded(c.at("params"));
    ASSERT_TRUE(loaded.load_state(json::parse(scaler.state().dump())).is_ok());
    expect_matrix(loaded.transform(x), c.at("transform_fit"), "loaded transform(X)");
    ++checked;
  }
  EXPECT_EQ(checked, 6);
  // Infinity is still refused, naming the column and row.
  Matrix inf = Matrix::Ones(3, 2);
  inf(2, 1) = std::numeric_limits<double>::infinity();
  EXPECT_EQ(error_of([&] { MinMaxScaler().fit(inf); }),
            "MinMaxScaler: X contains infinity in column 1 (row 2)");
  MinMaxScaler fitted;
  fitted.fit(Matrix::Ones(3, 2));
  EXPECT_EQ(error_of([&] { fitted.transform(inf); }),
            "MinMaxScaler: X contains infinity in column 1 (row 2)");
}

TEST(SparseStandardScaler, MatchesDenseScalerAndScikitLearn) {
  const json ref = load_json("tests/data/reference_values.json").at("standard_scaler");
  Matrix x = json_matrix(ref.at("X"));
  SparseMatrix s = x.sparseView();
  Vector mean, var;
  Vector scale = scaler_fit_sparse(s, true, &mean, &var);
  for (int j = 0; j < 3; ++j) {
    expect_close(mean(j), ref.at("mean")[j].get<double>(), 1e-12, "mean");
    expect_close(var(j), ref.at("var")[j].get<double>(), 1e-12, "var");
    expect_close(scale(j), ref.at("scale")[j].get<double>(), 1e-12, "scale");
  }
  // Implicit zeros count: column [0, 2, 0, 4] -> mean 1.5, var 2.75.
  Matrix y(4, 2);
  y << 0, 0, 2, 0, 0, 0, 4, 0;
  SparseMatrix sy = y.sparseView();
  Vector ys = scaler_fit_sparse(sy, true, &mean, &var);
  EXPECT_EQ(mean(0), 1.5);
  EXPECT_EQ(var(0), 2.75);
  EXPECT_EQ(ys(0), std::sqrt(2.75));
  EXPECT_EQ(ys(1), 1.0);  // all-zero column
  SparseMatrix z = scale_sparse(sy, ys);
  EXPECT_EQ(z.coeff(3, 0), 4.0 * (1.0 / std::sqrt(2.75)));
  EXPECT_EQ(z.nonZeros(), 2);
  Vector ones = scaler_fit_sparse(sy, false);
  EXPECT_EQ(ones, Vector::Ones(2));
  EXPECT_NE(error_of([&] { scale_sparse(sy, Vector::Ones(3)); }).find("3 features"),
            std::string::npos);
}

TEST(OneHotEncoder, MatchesScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("one_hot_encoder");
  auto columns_of = [](const json& rows) {
    std::vector<std::string> a, b;
    for (const auto& r : rows) {
      a.push_back(r[0].get<std::string>());
      b.push_back(r[1].get<std::string>());
    }
    return std::vector<data::Column>{string_column("x0", a), string_column("x1", b)};
  };
  OneHotEncoder encoder(json{{"handle_unknown", "ignore"}});
  SparseMatrix z = encoder.fit_transform(columns_of(ref.at("X")));
  for (size_t j = 0; j < 2; ++j) {
    EXPECT_EQ(encoder.categories()[j], ref.at("categories")[j].get<std::vector<std::string>>());
  }
  EXPECT_EQ(encoder.feature_names_out(), ref.at("feature_names").get<std::vector<std::string>>());
  EXPECT_EQ(Matrix(z), json_matrix(ref.at("transformed")));
  EXPECT_EQ(Matrix(encoder.transform(columns_of(ref.at("unknown_row")))),
            json_matrix(ref.at("unknown_row_transformed")));
  // handle_unknown="error" names the column and the value.
  OneHotEncoder strict;
  std::vector<data::Column> fit_cols = columns_of(ref.at("X"));
  fit_cols[0].name = "color";
  fit_cols[1].name = "size";
  strict.fit(fit_cols);
  EXPECT_EQ(strict.feature_names_out()[0], "color_blue");
  std::vector<data::Column> unknown = columns_of(ref.at("unknown_row"));
  unknown[0].name = "color";
  unknown[1].name = "size";
  EXPECT_EQ(error_of([&] { strict.transform(unknown); }),
            "OneHotEncoder: found unknown category 'purple' in column 'color' (row 0) during "
            "transform");
  // State round trip.
  const std::string text = strict.state().dump();
  OneHotEncoder loaded;
  ASSERT_TRUE(loaded.load_state(json::parse(text)).is_ok());
  EXPECT_EQ(loaded.state().dump(), text);
  EXPECT_EQ(Matrix(loaded.transform(fit_cols)), Matrix(strict.transform(fit_cols)));
}

TEST(OneHotEncoder, MissingValuesAndErrors) {
  // sklearn: categories [a, b, nan], [x, y]; names c_a c_b c_nan d_x d_y.
  std::vector<data::Column> cols = {string_column("c", {"a", "", "b"}, {0, 1, 0}),
                                    string_column("d", {"x", "y", "x"})};
  OneHotEncoder encoder(json{{"handle_unknown", "ignore"}});
  SparseMatrix z = encoder.fit_transform(cols);
  EXPECT_EQ(encoder.feature_names_out(),
            (std::vector<std::string>{"c_a", "c_b", "c_nan", "d_x", "d_y"}));
  EXPECT_EQ(z.coeff(1, 2), 1.0);
  std::vector<data::Column> fresh = {string_column("c", {""}, {1}), string_column("d", {"z"})};
  Matrix row = Matrix(encoder.transform(fresh));
  Matrix want(1, 5);
  want << 0, 0, 1, 0, 0;
  EXPECT_EQ(row, want);
  EXPECT_EQ(error_of([] { OneHotEncoder(json{{"drop", "first"}}); }),
            "OneHotEncoder: parameter 'drop' must be null (dropping categories is not supported) "
            "(received \"first\")");
  EXPECT_EQ(error_of([] { OneHotEncoder(json{{"handle_unknown", "warn"}}); }),
            "OneHotEncoder: parameter 'handle_unknown' must be one of error, ignore (received "
            "\"warn\")");
  EXPECT_EQ(error_of([] { OneHotEncoder().fit({numeric_column("n", {1.0})}); }),
            "OneHotEncoder: column 'n' is numeric; one-hot encoding needs a categorical (string) "
            "column");
  EXPECT_EQ(error_of([] { OneHotEncoder().transform({}); }),
            "OneHotEncoder: transform called before fit");
}

}  // namespace
}  // namespace mllab::ml
