// The sparse path of the tree models: FeatureBinner::fit and BinnedData::from_sparse on CSR
// input, fit_sparse and prediction on sparse rows. The contract is "the same model as on the
// dense copy" (so the quality checks of the dense path carry over), checked bit for bit on data
// that reach every code path (features stored sparse and dense, a major bin other than zero,
// node-local lists and whole-list scans, two and three classes, class weights, regression),
// plus hand-computed splits on sparse input, the input errors, and the course's TF-IDF forest
// against scikit-learn.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/ml/binning.hpp"
#include "core/ml/forest.hpp"
#include "core/ml/preprocessing.hpp"
#include "core/ml/text.hpp"
#include "core/ml/tree.hpp"
#include "core/util/rng.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_error;
using testing::accuracy;
using testing::read_source_file;

// Bitwise equality of two matrices (EXPECT_EQ on Eigen compares values; this also rules out
// differences hidden by ==, such as -0.0 vs 0.0).
void expect_bit_identical(const Matrix& a, const Matrix& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<size_t>(a.size())), 0);
}

// A text-like sparse set: `n` rows over `d` features, each row holding 3..12 non-zeros at
// Zipf-like feature positions (low ids frequent) with continuous positive values; the label
// depends on whether the row holds any of a few "signal" features, with 10% label noise. With
// `classes` = 3, rows holding feature 2 form the third class. Also returns the dense copy.
void text_like(int n, int d, int classes, uint64_t seed, SparseMatrix* x, Matrix* dense,
               std::vector<int>* y) {
  Rng rng(seed);
  std::vector<Eigen::Triplet<double>> trip;
  y->assign(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const int nnz = 3 + static_cast<int>(rng.below(10));
    std::vector<int> cols;
    for (int k = 0; k < nnz; ++k) {
      const double u = rng.uniform();
      const int j = static_cast<int>(std::floor(d * u * u * u));  // skewed to low ids
      if (std::find(cols.begin(), cols.end(), j) == cols.end()) cols.push_back(j);
    }
    bool signal = false, third = false;
    for (int j : cols) {
      trip.emplace_back(i, j, 0.05 + rng.uniform());
      signal = signal || j == 1 || j == 5 || j == 11 || j == 40;
      third = third || j == 2;
    }
    int label = signal ? 1 : 0;
    if (classes == 3 && third) label = 2;
    if (rng.uniform() < 0.1) label = static_cast<int>(rng.below(static_cast<uint32_t>(classes)));
    (*y)[static_cast<size_t>(i)] = label;
  }
  x->resize(n, d);
  x->setFromTriplets(trip.begin(), trip.end());
  *dense = Matrix(*x);
}

// A sparse matrix from rows of values (zeros not stored).
SparseMatrix sparse_rows(std::initializer_list<std::initializer_list<double>> rows) {
  std::vector<Eigen::Triplet<double>> trip;
  int i = 0, cols = 0;
  for (const auto& r : rows) {
    int j = 0;
    for (double v : r) {
      if (v != 0.0) trip.emplace_back(i, j, v);
      ++j;
    }
    cols = j;
    ++i;
  }
  SparseMatrix m(i, cols);
  m.setFromTriplets(trip.begin(), trip.end());
  return m;
}

// A 400 x 6 matrix whose columns exercise the binning rules:
//  0: all zeros;  1: mostly zero, negative and positive values;  2: > 255 distinct values and
//  zeros (quantile edges);  3: no zeros;  4: 70% equal to 5.0, 20% zero, the rest spread (the
//  major bin is not the zeros' bin);  5: exactly half zeros (stored dense).
Matrix binning_matrix() {
  Rng rng(3);
  Matrix x = Matrix::Zero(400, 6);
  for (int i = 0; i < 400; ++i) {
    if (i % 7 == 0) x(i, 1) = (i % 2 ? -1.0 : 1.0) * (1 + i % 5);
    if (i % 3 != 0) x(i, 2) = rng.uniform() - 0.3;
    x(i, 3) = 1.0 + static_cast<double>(i % 9);
    if (i % 10 < 7) {
      x(i, 4) = 5.0;
    } else if (i % 10 < 9) {
      x(i, 4) = 0.0;
    } else {
      x(i, 4) = static_cast<double>(i);
    }
    if (i % 2 == 0) x(i, 5) = 0.5 + static_cast<double>(i % 4);
  }
  return x;
}

TEST(TreeBinnerSparseTest, SparseFitLearnsTheDenseEdges) {
  const Matrix x = binning_matrix();
  SparseMatrix sp = x.sparseView();
  // A stored zero is a zero.
  sp.coeffRef(1, 0) = 0.0;
  FeatureBinner dense, sparse;
  dense.fit(x, FeatureBinner::kMaxBins);
  sparse.fit(sp, FeatureBinner::kMaxBins);
  ASSERT_EQ(sparse.n_features(), 6);
  for (int j = 0; j < 6; ++j) EXPECT_EQ(sparse.edges(j), dense.edges(j)) << "column " << j;
  // The rules themselves: column 0 is constant; column 1 holds 0 and +-1..+-5 (x(i, 1) for
  // i = 7k: the sign by parity, 1 + i % 5), 11 distinct values, so the 10 midpoints; column 2
  // has more than 255 distinct values, so quantile edges (at most 254).
  EXPECT_EQ(dense.n_bins(0), 1);
  EXPECT_EQ(dense.edges(1), (std::vector<double>{-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5,
                                                 3.5, 4.5}));
  EXPECT_LE(dense.n_bins(2), FeatureBinner::kMaxBins);
  EXPECT_GT(dense.n_bins(2), 100);
}

TEST(TreeBinnedDataTest, FromSparseEqualsFromDense) {
  const Matrix x = binning_matrix();
  const SparseMatrix sp = x.sparseView();
  FeatureBinner binner;
  binner.fit(x, FeatureBinner::kMaxBins);
  const BinnedData a = BinnedData::from_dense(x, binner);
  const BinnedData b = BinnedData::from_sparse(sp, binner);
  EXPECT_EQ(a.major_bin, b.major_bin);
  EXPECT_EQ(a.is_sparse, b.is_sparse);
  EXPECT_EQ(a.dense_offset, b.dense_offset);
  EXPECT_EQ(a.dense_codes, b.dense_codes);
  EXPECT_EQ(a.col_start, b.col_start);
  EXPECT_EQ(a.col_row, b.col_row);
  EXPECT_EQ(a.col_code, b.col_code);
  EXPECT_EQ(a.row_start, b.row_start);
  EXPECT_EQ(a.row_feature, b.row_feature);
  EXPECT_EQ(a.row_code, b.row_code);
  // By hand: column 0 is one bin; column 1 has 342 zeros (rows i % 7 != 0) of 400; column 2
  // has 134 zeros, and its non-zero values are distinct, so no bin holds more than half; column
  // 3 has no zeros; column 4 has 280 rows at 5.0; column 5 has exactly 200 zeros, not more
  // than half. Features 0, 1 and 4 are stored sparse.
  EXPECT_EQ(a.is_sparse, (std::vector<uint8_t>{1, 1, 0, 0, 1, 0}));
  // Column 0 lists nothing; column 1 lists its 58 non-zeros (rows 0, 7, ..., 399).
  EXPECT_EQ(a.col_start[1] - a.col_start[0], 0);
  EXPECT_EQ(a.col_start[2] - a.col_start[1], 58);
  // Column 4: the major bin is 5.0's; its list holds the 80 zeros and the 40 other values, rows
  // ascending (the rows with i % 10 >= 7).
  const int b4 = a.col_start[4], e4 = a.col_start[5];
  ASSERT_EQ(e4 - b4, 120);
  EXPECT_EQ(a.major_bin[4], binner.code(4, 5.0));
  for (int k = b4; k < e4; ++k) {
    EXPECT_GE(a.col_row[static_cast<size_t>(k)] % 10, 7);
    if (k > b4) {
      EXPECT_LT(a.col_row[static_cast<size_t>(k) - 1], a.col_row[static_cast<size_t>(k)]);
    }
  }
  EXPECT_GE(a.dense_offset[5], 0);
  // The per-row lists hold the same entries as the per-feature ones.
  EXPECT_EQ(a.row_start.back(), a.col_start.back());
}

// Fits `params` on the sparse set and on its dense copy and expects identical forests and
// predictions (dense and sparse prediction paths, on new rows). With 900 rows x 300 features
// (about 7 entries per row, 21 per feature) the grower reads small nodes through node-local
// lists and larger ones through the features' whole lists.
void expect_same_forest(const json& params, int classes) {
  SparseMatrix x, xt;
  Matrix dense, dense_t;
  std::vector<int> y, yt;
  text_like(900, 300, classes, 21, &x, &dense, &y);
  text_like(200, 300, classes, 22, &xt, &dense_t, &yt);
  RandomForestClassifier on_dense(params), on_sparse(params);
  on_dense.fit(dense, y, classes);
  on_sparse.fit_sparse(x, y, classes);
  EXPECT_EQ(on_sparse.state(), on_dense.state());
  const Matrix p = on_dense.predict_proba(dense_t);
  expect_bit_identical(on_sparse.predict_proba_sparse(xt), p);
  expect_bit_identical(on_sparse.predict_proba(dense_t), p);
  EXPECT_EQ(on_sparse.predict_sparse(xt), on_dense.predict(dense_t));
  // Not a degenerate forest: the trees split and predict new rows well.
  EXPECT_GT(on_dense.trees()[0].n_nodes(), 20);
  EXPECT_GT(accuracy(on_dense.predict(dense_t), yt), 0.7);
}

TEST(RandomForestSparseTest, BinaryGiniForestEqualsTheDenseOne) {
  expect_same_forest({{"n_estimators", 15}, {"random_state", 1}}, 2);
}

TEST(RandomForestSparseTest, ThreeClassEntropyWithClassWeightsEqualsTheDenseOne) {
  // Non-integer sample weights (balanced_subsample) make the sums order-sensitive.
  expect_same_forest({{"n_estimators", 12},
                      {"criterion", "entropy"},
                      {"class_weight", "balanced_subsample"},
                      {"random_state", 2}},
                     3);
}

TEST(RandomForestSparseTest, LimitsAndAllFeaturesEqualTheDenseForest) {
  expect_same_forest({{"n_estimators", 8},
                      {"max_features", "all"},
                      {"max_depth", 6},
                      {"min_samples_leaf", 3},
                      {"bootstrap", false},
                      {"class_weight", "balanced"},
                      {"random_state", 3}},
                     2);
}

TEST(RandomForestSparseTest, RegressorEqualsTheDenseOne) {
  SparseMatrix x;
  Matrix dense;
  std::vector<int> labels;
  text_like(700, 200, 2, 31, &x, &dense, &labels);
  // A real target: the sum of a few columns plus the label.
  Vector y(dense.rows());
  for (Eigen::Index i = 0; i < dense.rows(); ++i) {
    y(i) = 2.0 * dense(i, 1) - dense(i, 7) + 0.5 * labels[static_cast<size_t>(i)];
  }
  const json params = {{"n_estimators", 10}, {"max_features", "0.3"}, {"random_state", 4}};
  RandomForestRegressor on_dense(params), on_sparse(params);
  on_dense.fit(dense, y);
  on_sparse.fit_sparse(x, y);
  EXPECT_EQ(on_sparse.state(), on_dense.state());
  const Vector p = on_dense.predict(dense);
  EXPECT_EQ(std::memcmp(on_sparse.predict_sparse(x).data(), p.data(),
                        sizeof(double) * static_cast<size_t>(p.size())),
            0);
}

TEST(DecisionTreeSparseTest, TreesEqualTheDenseOnes) {
  SparseMatrix x;
  Matrix dense;
  std::vector<int> y;
  text_like(500, 120, 3, 41, &x, &dense, &y);
  DecisionTreeClassifier a(json{{"random_state", 0}, {"max_features", "sqrt"}});
  DecisionTreeClassifier b(json{{"random_state", 0}, {"max_features", "sqrt"}});
  a.fit(dense, y, 3);
  b.fit_sparse(x, y, 3);
  EXPECT_EQ(b.state(), a.state());
  expect_bit_identical(b.predict_proba_sparse(x), a.predict_proba(dense));
  EXPECT_EQ(b.predict_sparse(x), a.predict(dense));
  Vector t(dense.rows());
  for (Eigen::Index i = 0; i < t.size(); ++i) t(i) = dense(i, 0) + y[static_cast<size_t>(i)];
  const json rparams = {{"max_depth", 5}, {"random_state", 0}};
  DecisionTreeRegressor r1(rparams), r2(rparams);
  r1.fit(dense, t);
  r2.fit_sparse(x, t);
  EXPECT_EQ(r2.state(), r1.state());
}

TEST(DecisionTreeSparseTest, SplitsOnTheWordThatSeparatesTheClasses) {
  // Six "documents" over three terms: term 1 (value 2.0) occurs exactly in the class-1 rows,
  // term 0 in rows of both classes, term 2 nowhere. The root's Gini impurity is 1 - 2 * 0.5^2 =
  // 0.5; splitting on term 1 at the midpoint between 0 and 2 (threshold 1.0) leaves two pure
  // leaves, a weighted decrease of 6 * 0.5 = 3 (all of the importance); term 0 at best leaves
  // impurity behind. One level suffices.
  const SparseMatrix x = sparse_rows({{0.7, 0, 0}, {0, 0, 0}, {0.3, 0, 0},
                                      {0.7, 2.0, 0}, {0, 2.0, 0}, {0, 2.0, 0}});
  const std::vector<int> y = {0, 0, 0, 1, 1, 1};
  DecisionTreeClassifier tree(json{{"max_depth", 1}, {"random_state", 0}});
  tree.fit_sparse(x, y, 2);
  const TreeModel& t = tree.tree();
  ASSERT_EQ(t.n_nodes(), 3);
  EXPECT_EQ(t.feature[0], 1);
  EXPECT_EQ(t.threshold[0], 1.0);
  EXPECT_EQ(tree.feature_importances(), (std::vector<double>{0.0, 1.0, 0.0}));
  const Matrix p = tree.predict_proba_sparse(sparse_rows({{0, 0, 0}, {0, 1.5, 0}, {5, 0.9, 0}}));
  EXPECT_EQ(p(0, 0), 1.0);
  EXPECT_EQ(p(1, 1), 1.0);
  EXPECT_EQ(p(2, 0), 1.0);  // 0.9 <= 1.0 goes left
}

TEST(RandomForestSparseTest, InputErrorsNameTheProblem) {
  SparseMatrix x = sparse_rows({{1, 0, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 3}});
  x.coeffRef(2, 1) = std::numeric_limits<double>::quiet_NaN();
  x.coeffRef(0, 3) = std::numeric_limits<double>::infinity();
  RandomForestClassifier rf(json{{"n_estimators", 2}});
  // The first bad value by column, then row: the NaN of column 1.
  expect_error([&] { rf.fit_sparse(x, {0, 1, 0}, 2); },
               {"RandomForestClassifier", "NaN", "column 1", "row 2"});
  const SparseMatrix ok = sparse_rows({{1, 0}, {0, 2}, {3, 0}, {0, 1}});
  expect_error([&] { rf.fit_sparse(ok, {0, 1, 0}, 2); }, {"4 rows", "3 values"});
  expect_error([&] { rf.predict_proba_sparse(ok); }, {"predict_proba called before fit"});
  rf.fit_sparse(ok, {0, 1, 0, 1}, 2);
  expect_error([&] { rf.predict_proba_sparse(x); }, {"X has 4 features", "fitted with 2"});
  RandomForestRegressor reg(json{{"n_estimators", 2}});
  Vector yr(4);
  yr << 1.0, 2.0, std::numeric_limits<double>::infinity(), 0.0;
  expect_error([&] { reg.fit_sparse(ok, yr); }, {"non-finite value at row 2"});
}

// The course's pipeline (examples/sentiment-rf-baseline.json): TfidfVectorizer(max_features
// 1000) + StandardScaler(with_mean=False) + RandomForestClassifier(100 trees, max_depth 10),
// trained on rows 0..2399 of assets/datasets/sentiment.csv and tested on rows 2400..2999.
// scikit-learn 1.2.1 on the same split, mean test accuracy over random_state 0..9: 0.757167
// (range 0.7433..0.7667), from
//   Pipeline([("tfidf", TfidfVectorizer(max_features=1000)),
//             ("scaler", StandardScaler(with_mean=False)),
//             ("model", RandomForestClassifier(n_estimators=100, max_depth=10,
//                                              random_state=rs))])
// Our forests draw other bootstrap samples (mllab::Rng), so the mean over the same ten seeds
// must be within 1.5 points of scikit-learn's.
TEST(RandomForestSparseTest, SentimentTfidfForestMatchesScikitLearn) {
  auto table = data::read_csv(read_source_file("assets/datasets/sentiment.csv"));
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  const data::Column* text = table->column("text");
  const data::Column* label = table->column("label");
  ASSERT_NE(text, nullptr);
  ASSERT_NE(label, nullptr);
  ASSERT_EQ(table->num_rows(), 3000u);
  std::vector<std::string> train_docs, test_docs;
  std::vector<int> ytr, yte;
  for (size_t i = 0; i < 3000; ++i) {
    (i < 2400 ? train_docs : test_docs).push_back(text->strings[i]);
    (i < 2400 ? ytr : yte).push_back(static_cast<int>(label->numbers[i]));
  }
  TfidfVectorizer tfidf(json{{"max_features", 1000}});
  const SparseMatrix train_counts = tfidf.fit_transform(train_docs);
  const Vector scale = scaler_fit_sparse(train_counts, true);
  const SparseMatrix xtr = scale_sparse(train_counts, scale);
  const SparseMatrix xte = scale_sparse(tfidf.transform(test_docs), scale);
  double sum = 0.0;
  for (int seed = 0; seed < 10; ++seed) {
    RandomForestClassifier rf(
        json{{"n_estimators", 100}, {"max_depth", 10}, {"random_state", seed}});
    rf.fit_sparse(xtr, ytr, 2);
    sum += accuracy(rf.predict_sparse(xte), yte);
  }
  const double ours = sum / 10.0;
  std::printf("[ RF sentiment ] mean test accuracy over random_state 0..9: %.4f "
              "(scikit-learn 0.7572)\n", ours);
  EXPECT_NEAR(ours, 0.757167, 0.015);
}

}  // namespace
}  // namespace mllab::ml
