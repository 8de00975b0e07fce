// Text vectorizers with scikit-learn 1.2's semantics: CountVectorizer (token counts) and
// TfidfVectorizer (TF-IDF weights), from UTF-8 documents to a sparse document-term matrix.
//
// Analysis, as sklearn's default word analyzer: lowercase (optional), tokenize with the
// equivalent of token_pattern (?u)\b\w\w+\b, drop stop words, then form word n-grams joined by
// one space. A word character (\w) is '_' or any code point for which Python's str.isalnum() is
// true, in every script (letters, digits, CJK ideographs, 'ª', '²', '½', ...); combining marks,
// punctuation, symbols, emoji and invalid UTF-8 bytes separate tokens, as in Python's re. A
// token is a maximal run of word characters of at least 2 code points. Lowercasing is Python's
// str.lower() (including 'İ' -> "i̇" and the final sigma rule 'Σ' -> 'ς' at the end of a word).
// The tables come from the build machine's Python Unicode database (scripts/
// gen_unicode_tables.py; Debian bookworm: Python 3.11, Unicode 14), the one scikit-learn uses.
// Terms are ordered as Python sorts str (by code point, which is UTF-8 byte order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// Python's str.lower(); invalid UTF-8 bytes are copied unchanged.
std::string utf8_lower(std::string_view text);
// True when `cp` is a word character (\w) as defined above.
bool is_word_code_point(char32_t cp);
// The tokens of `text` as token_pattern (?u)\b\w\w+\b finds them (no lowercasing).
std::vector<std::string> word_tokens(std::string_view text);
// numpy's np.argsort(v) with the default kind (introsort "quicksort", numpy 1.24, not stable):
// the permutation that sorts `v` ascending, ties ordered exactly as numpy orders them.
std::vector<int64_t> numpy_argsort(const std::vector<double>& v);

// Convert a collection of text documents to a matrix of token counts (sklearn's
// CountVectorizer, analyzer="word", dtype float64). Columns are the vocabulary terms in sorted
// order (feature_names_out()). Empty documents give empty rows; at transform, terms outside
// the vocabulary are ignored.
class CountVectorizer {
 public:
  // The parameter table: lowercase (true), stop_words (null | "english" | list of words),
  // ngram_range ([1, 1]), min_df (1), max_df (1.0), max_features (null), binary (false).
  // min_df / max_df: an integer is a document count, a float in [0, 1] a proportion.
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted vectorizer; throws mllab::Error on invalid params (naming them).
  explicit CountVectorizer(const json& params = json::object());
  virtual ~CountVectorizer() = default;

  // "CountVectorizer".
  virtual std::string type() const { return "CountVectorizer"; }
  // The resolved parameters (min_df / max_df keep their integer-or-float type).
  const json& params() const { return params_; }
  // Learns the vocabulary (and, for TF-IDF, the idf) from `documents`.
  void fit(const std::vector<std::string>& documents);
  // fit, then the document-term matrix of `documents` (as sklearn's fit_transform).
  virtual SparseMatrix fit_transform(const std::vector<std::string>& documents);
  // The document-term matrix of `documents` over the fitted vocabulary.
  virtual SparseMatrix transform(const std::vector<std::string>& documents) const;
  // True after fit or load_state.
  bool is_fitted() const { return !vocabulary_.empty(); }
  // {"vocabulary": [terms in column order]} (+ "idf" for TF-IDF).
  virtual json state() const;
  // Restores a state written by state(); validates it (sorted unique terms, sizes).
  virtual Status load_state(const json& state);

  // The vocabulary terms in column order (sklearn's get_feature_names_out()).
  const std::vector<std::string>& feature_names_out() const { return vocabulary_; }
  // Number of columns (vocabulary size).
  int64_t n_features() const { return static_cast<int64_t>(vocabulary_.size()); }
  // The column of `term`, or -1 when it is not in the vocabulary.
  int64_t vocabulary_index(const std::string& term) const;
  // The terms (n-grams) of one document, in order, as sklearn's build_analyzer()(doc).
  std::vector<std::string> analyze(std::string_view document) const;

 protected:
  // Row-major counts whose entries per row are kept in scipy's storage order (which decides
  // the summation order of the row norms, so TF-IDF matches sklearn bit for bit).
  struct Counts {
    int64_t rows = 0;
    std::vector<int64_t> indptr{0};
    std::vector<int32_t> cols;
    std::vector<double> values;
  };

  // For TfidfVectorizer: `owner` names the class in messages, `specs` is its table.
  CountVectorizer(const std::string& owner, const std::vector<ParamSpec>& specs,
                  const json& params);
  // Learns the vocabulary; returns the counts of `documents` over it (sklearn's fit_transform).
  Counts fit_counts(const std::vector<std::string>& documents);
  // Counts over the fitted vocabulary (sklearn's transform before TF-IDF).
  Counts transform_counts(const std::vector<std::string>& documents) const;
  // Counts as an Eigen matrix (entries sorted by column within each row).
  SparseMatrix to_sparse(const Counts& counts) const;
  // Throws "<owner>: <method> called before fit" when not fitted.
  void check_fitted(const char* method) const;
  // Sets the vocabulary (sorted unique terms) and rebuilds the term index.
  void set_vocabulary(std::vector<std::string> terms);

  std::string owner_;
  json params_;

 private:
  bool lowercase_ = true;
  bool binary_ = false;
  int min_n_ = 1;
  int max_n_ = 1;
  std::vector<std::string> stop_words_;  // sorted; empty when none
  std::vector<std::string> vocabulary_;
  std::unordered_map<std::string, int32_t> index_;
};

// Convert a collection of text documents to a matrix of TF-IDF features (sklearn's
// TfidfVectorizer): counts (1 + ln(count) if sublinear_tf) times idf, rows normalized.
// idf = ln((1 + n) / (1 + df)) + 1 with smooth_idf, ln(n / df) + 1 without.
class TfidfVectorizer : public CountVectorizer {
 public:
  // CountVectorizer's table plus norm ("l2" | "l1" | null), use_idf (true), smooth_idf (true),
  // sublinear_tf (false).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted vectorizer; throws mllab::Error on invalid params.
  explicit TfidfVectorizer(const json& params = json::object());

  // "TfidfVectorizer".
  std::string type() const override { return "TfidfVectorizer"; }
  // Learns vocabulary and idf; returns the TF-IDF matrix of `documents`.
  SparseMatrix fit_transform(const std::vector<std::string>& documents) override;
  // The TF-IDF matrix of `documents` (terms outside the vocabulary ignored).
  SparseMatrix transform(const std::vector<std::string>& documents) const override;
  // {"vocabulary": [...], "idf": [...]} (idf empty when use_idf is false).
  json state() const override;
  // Restores a state written by state().
  Status load_state(const json& state) override;

  // Per-column idf (empty when use_idf is false).
  const Vector& idf() const { return idf_; }

 private:
  // Applies sublinear tf, idf and the norm to `counts` in sklearn's order of operations.
  SparseMatrix weigh(Counts counts) const;

  std::string norm_;  // "l2", "l1" or "" (null)
  bool use_idf_ = true;
  bool smooth_idf_ = true;
  bool sublinear_tf_ = false;
  Vector idf_;
};

}  // namespace mllab::ml
