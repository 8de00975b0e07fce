#include "core/ml/text.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"
#include "core/ml/stop_words.hpp"

namespace mllab::ml {
namespace {

// ---- UTF-8 ----

// Invalid bytes decode to kRawByte + byte (outside Unicode) and encode back unchanged.
constexpr char32_t kRawByte = 0x110000;

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
    if (b0 > 0xF4) len = 0;
    char32_t cp = len == 4 ? (b0 & 0x07) : len == 3 ? (b0 & 0x0F) : (b0 & 0x1F);
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Reject overlong forms, surrogates and code points above U+10FFFF.
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
               (cp >= 0xD800 && cp <= 0xDFFF))) {
      ok = false;
    }
    if (!ok) {
      out.push_back(kRawByte + b0);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void append_utf8(char32_t cp, std::string* out) {
  if (cp >= kRawByte) {
    out->push_back(static_cast<char>(cp - kRawByte));
  } else if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(const char32_t* begin, const char32_t* end) {
  std::string out;
  out.reserve(static_cast<size_t>(end - begin));
  for (const char32_t* p = begin; p != end; ++p) append_utf8(*p, &out);
  return out;
}

// ---- Unicode tables (generated from the build machine's Python: str.isalnum(), str.lower()) ----

struct Range {
  char32_t lo, hi;
};

// Every `step`-th code point of [lo, hi] lowercases to itself + delta.
struct LowerRun {
  char32_t lo, hi;
  int step, delta;
};

#include "mllab_generated/unicode_tables.inc"

// Whether `cp` lies in one of the sorted, disjoint `ranges`.
template <size_t N>
bool in_ranges(const Range (&ranges)[N], char32_t cp) {
  const Range* it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                                     [](char32_t c, const Range& r) { return c < r.lo; });
  return it != std::begin(ranges) && cp <= (it - 1)->hi;
}

char32_t lower_code_point(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  const LowerRun* it = std::upper_bound(std::begin(kLowerRuns), std::end(kLowerRuns), cp,
                                        [](char32_t c, const LowerRun& r) { return c < r.lo; });
  if (it == std::begin(kLowerRuns)) return cp;
  const LowerRun& r = *(it - 1);
  if (cp <= r.hi && (cp - r.lo) % static_cast<char32_t>(r.step) == 0) {
    return static_cast<char32_t>(static_cast<int64_t>(cp) + r.delta);
  }
  return cp;
}

// Unicode's Case_Ignorable and Cased (approximated, see the generator), for the final sigma rule.
bool case_ignorable(char32_t cp) {
  if (cp < 0x80) return cp == 0x27 || cp == 0x2E || cp == 0x3A || cp == 0x5E || cp == 0x60;
  return in_ranges(kCaseIgnorableRanges, cp);
}

bool cased(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
  return in_ranges(kCasedRanges, cp);
}

// Python's str.lower() over decoded code points.
std::u32string lower_code_points(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char32_t cp = in[i];
    if (cp == 0x0130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE -> i + COMBINING DOT ABOVE
      out.push_back(U'i');
      out.push_back(0x0307);
    } else if (cp == 0x03A3) {  // GREEK CAPITAL LETTER SIGMA: final form at a word's end
      size_t j = i;
      while (j > 0 && case_ignorable(in[j - 1])) --j;
      bool final_sigma = j > 0 && cased(in[j - 1]);
      if (final_sigma) {
        size_t k = i + 1;
        while (k < in.size() && case_ignorable(in[k])) ++k;
        final_sigma = k == in.size() || !cased(in[k]);
      }
      out.push_back(final_sigma ? 0x03C2 : 0x03C3);
    } else {
      out.push_back(lower_code_point(cp));
    }
  }
  return out;
}

// Maximal runs of word code points of length >= 2, as UTF-8 strings.
void append_tokens(const std::u32string& cps, std::vector<std::string>* out) {
  size_t i = 0;
  while (i < cps.size()) {
    if (!is_word_code_point(cps[i])) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < cps.size() && is_word_code_point(cps[j])) ++j;
    if (j - i >= 2) out->push_back(encode_utf8(cps.data() + i, cps.data() + j));
    i = j;
  }
}

// ---- numpy's argsort (numpy/core/src/npysort/quicksort.cpp and heapsort.cpp, 1.24) ----

bool np_less(double a, double b) { return a < b || (b != b && a == a); }

void np_aheapsort(const double* v, int64_t* tosort, int64_t n) {
  int64_t* a = tosort - 1;  // 1-based indexing
  int64_t i, j, l, tmp;
  for (l = n >> 1; l > 0; --l) {
    tmp = a[l];
    for (i = l, j = l << 1; j <= n;) {
      if (j < n && np_less(v[a[j]], v[a[j + 1]])) j += 1;
      if (np_less(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
  for (; n > 1;) {
    tmp = a[n];
    a[n] = a[1];
    n -= 1;
    for (i = 1, j = 2; j <= n;) {
      if (j < n && np_less(v[a[j]], v[a[j + 1]])) j++;
      if (np_less(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
}

void np_aquicksort(const double* v, int64_t* tosort, int64_t num) {
  constexpr int64_t kSmallQuicksort = 15;  // SMALL_QUICKSORT in npysort_common.h
  constexpr int kStack = 128;
  int64_t* pl = tosort;
  int64_t* pr = tosort + num - 1;
  int64_t* stack[kStack];
  int64_t** sptr = stack;
  int depth[kStack];
  int* psdepth = depth;
  int cdepth = 0;
  for (uint64_t u = static_cast<uint64_t>(num); u >>= 1;) ++cdepth;  // npy_get_msb
  cdepth *= 2;
  for (;;) {
    if (cdepth < 0) {
      np_aheapsort(v, pl, pr - pl + 1);
      goto stack_pop;
    }
    while ((pr - pl) > kSmallQuicksort) {
      int64_t* pm = pl + ((pr - pl) >> 1);
      if (np_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
      if (np_less(v[*pr], v[*pm])) std::swap(*pr, *pm);
      if (np_less(v[*pm], v[*pl])) std::swap(*pm, *pl);
      double vp = v[*pm];
      int64_t* pi = pl;
      int64_t* pj = pr - 1;
      std::swap(*pm, *pj);
      for (;;) {
        do {
          ++pi;
        } while (np_less(v[*pi], vp));
        do {
          --pj;
        } while (np_less(vp, v[*pj]));
        if (pi >= pj) break;
        std::swap(*pi, *pj);
      }
      int64_t* pk = pr - 1;
      std::swap(*pi, *pk);
      // Push the larger partition on the stack.
      if (pi - pl < pr - pi) {
        *sptr++ = pi + 1;
        *sptr++ = pr;
        pr = pi - 1;
      } else {
        *sptr++ = pl;
        *sptr++ = pi - 1;
        pl = pi + 1;
      }
      *psdepth++ = --cdepth;
    }
    // Insertion sort.
    for (int64_t* pi = pl + 1; pi <= pr; ++pi) {
      int64_t vi = *pi;
      double vp = v[vi];
      int64_t* pj = pi;
      int64_t* pk = pi - 1;
      while (pj > pl && np_less(vp, v[*pk])) *pj-- = *pk--;
      *pj = vi;
    }
  stack_pop:
    if (sptr == stack) break;
    pr = *(--sptr);
    pl = *(--sptr);
    cdepth = *(--psdepth);
  }
}

// ---- parameters ----

ParamSpec bool_spec(const char* name, bool value, const char* doc) {
  ParamSpec s;
  s.name = name;
  s.kind = ParamSpec::Kind::kBool;
  s.default_value = value;
  s.doc = doc;
  return s;
}

std::vector<ParamSpec> count_specs() {
  ParamSpec stop_words;
  stop_words.name = "stop_words";
  stop_words.kind = ParamSpec::Kind::kString;
  stop_words.default_value = nullptr;
  stop_words.choices = {"english"};
  stop_words.doc = "null, \"english\" (scikit-learn's list) or a list of words to drop.";
  ParamSpec ngram_range;
  ngram_range.name = "ngram_range";
  ngram_range.kind = ParamSpec::Kind::kString;
  ngram_range.default_value = json::array({1, 1});
  ngram_range.doc = "[min_n, max_n]: word n-gram sizes to extract (1 <= min_n <= max_n).";
  ParamSpec min_df;
  min_df.name = "min_df";
  min_df.kind = ParamSpec::Kind::kFloat;
  min_df.default_value = 1;
  min_df.min = 0.0;
  min_df.doc = "Drop terms in fewer documents: an integer count or a float proportion in [0, 1].";
  ParamSpec max_df;
  max_df.name = "max_df";
  max_df.kind = ParamSpec::Kind::kFloat;
  max_df.default_value = 1.0;
  max_df.min = 0.0;
  max_df.doc = "Drop terms in more documents: an integer count or a float proportion in [0, 1].";
  ParamSpec max_features;
  max_features.name = "max_features";
  max_features.kind = ParamSpec::Kind::kIntOrNull;
  max_features.default_value = nullptr;
  max_features.min = 1;
  max_features.doc = "Keep only the terms with the largest corpus counts (null: all).";
  return {bool_spec("lowercase", true, "Convert all characters to lowercase before tokenizing."),
          stop_words,
          ngram_range,
          min_df,
          max_df,
          max_features,
          bool_spec("binary", false, "Count 1 for every present term instead of its count.")};
}

[[noreturn]] void fail_param(const std::string& owner, const std::string& name,
                             const std::string& what, const json& value) {
  throw Error(Status::invalid(owner + ": parameter '" + name + "' must be " + what +
                              " (received " + value.dump() + ")"));
}

// min_df / max_df: an integer >= 0 (count) or a float in [0, 1] (proportion).
json check_df(const std::string& owner, const std::string& name, const json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() ? false : v.get<int64_t>() < 0) {
      fail_param(owner, name, "an integer >= 0 or a float in [0, 1]", v);
    }
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double x = v.get<double>();
    if (!(x >= 0.0 && x <= 1.0)) fail_param(owner, name, "an integer >= 0 or a float in [0, 1]", v);
    return x;
  }
  fail_param(owner, name, "an integer >= 0 or a float in [0, 1]", v);
}

// Resolves vectorizer params: the kinds ParamSpec cannot express (null-or-string, lists,
// integer-or-float) are checked here; the rest by resolve_params.
json resolve_vectorizer_params(const std::string& owner, const std::vector<ParamSpec>& specs,
                               const json& given) {
  static const char* kSpecial[] = {"stop_words", "ngram_range", "min_df", "max_df", "norm"};
  json plain = given;
  json special = json::object();
  if (given.is_object()) {
    for (const char* key : kSpecial) {
      bool declared = std::any_of(specs.begin(), specs.end(),
                                  [&](const ParamSpec& s) { return s.name == key; });
      if (declared && given.contains(key)) {
        special[key] = given.at(key);
        plain.erase(key);
      }
    }
  }
  auto resolved = resolve_params(owner, specs, plain);
  if (!resolved) throw Error(resolved.status());
  json out = std::move(resolved.value());
  for (const auto& item : special.items()) {
    const std::string& key = item.key();
    const json& v = item.value();
    if (key == "stop_words") {
      bool ok = v.is_null() || (v.is_string() && v.get<std::string>() == "english");
      if (v.is_array()) {
        ok = true;
        for (const auto& w : v) ok = ok && w.is_string();
      }
      if (!ok) fail_param(owner, key, "null, \"english\" or a list of strings", v);
      out[key] = v;
    } else if (key == "ngram_range") {
      bool ok = v.is_array() && v.size() == 2 && v[0].is_number_integer() &&
                v[1].is_number_integer();
      if (!ok) fail_param(owner, key, "a pair [min_n, max_n] of integers", v);
      int64_t lo = v[0].get<int64_t>(), hi = v[1].get<int64_t>();
      if (lo < 1 || hi > 1000) fail_param(owner, key, "a pair of integers in [1, 1000]", v);
      if (lo > hi) {
        fail_param(owner, key, "[min_n, max_n] with min_n <= max_n (lower boundary larger "
                   "than the upper boundary)", v);
      }
      out[key] = json::array({lo, hi});
    } else if (key == "min_df" || key == "max_df") {
      out[key] = check_df(owner, key, v);
    } else if (key == "norm") {
      bool ok = v.is_null() || (v.is_string() && (v.get<std::string>() == "l1" ||
                                                  v.get<std::string>() == "l2"));
      if (!ok) fail_param(owner, key, "\"l2\", \"l1\" or null", v);
      out[key] = v;
    }
  }
  return out;
}

}  // namespace

// ---- free functions ----

bool is_word_code_point(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_';
  }
  return in_ranges(kWordRanges, cp);
}

std::string utf8_lower(std::string_view text) {
  std::u32string cps = lower_code_points(decode_utf8(text));
  return encode_utf8(cps.data(), cps.data() + cps.size());
}

std::vector<std::string> word_tokens(std::string_view text) {
  std::vector<std::string> out;
  append_tokens(decode_utf8(text), &out);
  return out;
}

std::vector<int64_t> numpy_argsort(const std::vector<double>& v) {
  std::vector<int64_t> idx(v.size());
  for (size_t i = 0; i < v.size(); ++i) idx[i] = static_cast<int64_t>(i);
  if (v.size() > 1) np_aquicksort(v.data(), idx.data(), static_cast<int64_t>(v.size()));
  return idx;
}

// ---- CountVectorizer ----

const std::vector<ParamSpec>& CountVectorizer::param_specs() {
  static const std::vector<ParamSpec> specs = count_specs();
  return specs;
}

CountVectorizer::CountVectorizer(const json& params)
    : CountVectorizer("CountVectorizer", param_specs(), params) {}

CountVectorizer::CountVectorizer(const std::string& owner, const std::vector<ParamSpec>& specs,
                                 const json& params)
    : owner_(owner) {
  params_ = resolve_vectorizer_params(owner, specs, params);
  lowercase_ = params_.at("lowercase").get<bool>();
  binary_ = params_.at("binary").get<bool>();
  min_n_ = params_.at("ngram_range")[0].get<int>();
  max_n_ = params_.at("ngram_range")[1].get<int>();
  const json& sw = params_.at("stop_words");
  if (sw.is_string()) {
    stop_words_ = english_stop_words();
  } else if (sw.is_array()) {
    for (const auto& w : sw) stop_words_.push_back(w.get<std::string>());
  }
  std::sort(stop_words_.begin(), stop_words_.end());
  stop_words_.erase(std::unique(stop_words_.begin(), stop_words_.end()), stop_words_.end());
}

std::vector<std::string> CountVectorizer::analyze(std::string_view document) const {
  std::u32string cps = decode_utf8(document);
  if (lowercase_) cps = lower_code_points(cps);
  std::vector<std::string> tokens;
  append_tokens(cps, &tokens);
  if (!stop_words_.empty()) {
    std::erase_if(tokens, [&](const std::string& t) {
      return std::binary_search(stop_words_.begin(), stop_words_.end(), t);
    });
  }
  if (max_n_ == 1) return tokens;
  // sklearn's _word_ngrams: unigrams first (when min_n == 1), then each n in turn.
  std::vector<std::string> out;
  int lo = min_n_;
  if (lo == 1) {
    out = tokens;
    lo = 2;
  }
  const int n_tokens = static_cast<int>(tokens.size());
  for (int n = lo; n <= std::min(max_n_, n_tokens); ++n) {
    for (int i = 0; i + n <= n_tokens; ++i) {
      std::string gram = tokens[static_cast<size_t>(i)];
      for (int k = 1; k < n; ++k) {
        gram += ' ';
        gram += tokens[static_cast<size_t>(i + k)];
      }
      out.push_back(std::move(gram));
    }
  }
  return out;
}

void CountVectorizer::set_vocabulary(std::vector<std::string> terms) {
  vocabulary_ = std::move(terms);
  index_.clear();
  index_.reserve(vocabulary_.size());
  for (size_t i = 0; i < vocabulary_.size(); ++i) {
    index_.emplace(vocabulary_[i], static_cast<int32_t>(i));
  }
}

int64_t CountVectorizer::vocabulary_index(const std::string& term) const {
  auto it = index_.find(term);
  return it == index_.end() ? -1 : it->second;
}

void CountVectorizer::check_fitted(const char* method) const {
  if (!is_fitted()) throw_invalid(owner_, std::string(method) + " called before fit");
}

// sklearn's _count_vocab (new vocabulary, ids by first appearance, rows sorted by id),
// binary, then _sort_features / _limit_features (min_df, max_df, max_features).
CountVectorizer::Counts CountVectorizer::fit_counts(const std::vector<std::string>& documents) {
  std::unordered_map<std::string, int32_t> ids;
  std::vector<std::string> terms;     // by id
  std::vector<int32_t> slot;          // id -> position in the current row, or -1
  std::vector<std::pair<int32_t, double>> row;
  Counts c;
  c.rows = static_cast<int64_t>(documents.size());
  c.indptr.reserve(documents.size() + 1);
  for (const auto& doc : documents) {
    row.clear();
    for (auto& term : analyze(doc)) {
      auto [it, inserted] = ids.try_emplace(term, static_cast<int32_t>(terms.size()));
      if (inserted) {
        terms.push_back(std::move(term));
        slot.push_back(-1);
      }
      int32_t id = it->second;
      if (slot[static_cast<size_t>(id)] < 0) {
        slot[static_cast<size_t>(id)] = static_cast<int32_t>(row.size());
        row.emplace_back(id, 1.0);
      } else {
        row[static_cast<size_t>(slot[static_cast<size_t>(id)])].second += 1.0;
      }
    }
    for (const auto& e : row) slot[static_cast<size_t>(e.first)] = -1;
    std::sort(row.begin(), row.end());
    for (const auto& e : row) {
      c.cols.push_back(e.first);
      c.values.push_back(binary_ ? 1.0 : e.second);
    }
    c.indptr.push_back(static_cast<int64_t>(c.cols.size()));
  }
  if (terms.empty()) {
    throw_invalid(owner_, "empty vocabulary; perhaps the documents only contain stop words");
  }

  const size_t n_terms = terms.size();
  std::vector<double> df(n_terms, 0.0), tf(n_terms, 0.0);
  for (size_t k = 0; k < c.cols.size(); ++k) {
    df[static_cast<size_t>(c.cols[k])] += 1.0;
    tf[static_cast<size_t>(c.cols[k])] += c.values[k];
  }
  const auto n_doc = static_cast<double>(c.rows);
  auto doc_count = [&](const json& v) {
    return v.is_number_integer() ? static_cast<double>(v.get<int64_t>()) : v.get<double>() * n_doc;
  };
  const double max_doc_count = doc_count(params_.at("max_df"));
  const double min_doc_count = doc_count(params_.at("min_df"));
  if (max_doc_count < min_doc_count) {
    throw_invalid(owner_, "max_df corresponds to < documents than min_df (max_df " +
                              params_.at("max_df").dump() + ", min_df " +
                              params_.at("min_df").dump() + ")");
  }
  // Alphabetical order of the ids (Python's str order = UTF-8 byte order).
  std::vector<int32_t> alpha(n_terms);
  for (size_t i = 0; i < n_terms; ++i) alpha[i] = static_cast<int32_t>(i);
  std::sort(alpha.begin(), alpha.end(), [&](int32_t a, int32_t b) {
    return terms[static_cast<size_t>(a)] < terms[static_cast<size_t>(b)];
  });
  std::vector<char> keep(n_terms, 0);  // by alphabetical position
  size_t n_keep = 0;
  for (size_t a = 0; a < n_terms; ++a) {
    double d = df[static_cast<size_t>(alpha[a])];
    keep[a] = d <= max_doc_count && d >= min_doc_count;
    n_keep += keep[a] ? 1 : 0;
  }
  const json& max_features = params_.at("max_features");
  if (!max_features.is_null() && n_keep > max_features.get<uint64_t>()) {
    // (-tfs[mask]).argsort()[:limit], candidates in alphabetical order.
    std::vector<size_t> cand;
    std::vector<double> neg_tf;
    for (size_t a = 0; a < n_terms; ++a) {
      if (!keep[a]) continue;
      cand.push_back(a);
      neg_tf.push_back(-tf[static_cast<size_t>(alpha[a])]);
    }
    std::vector<int64_t> order = numpy_argsort(neg_tf);
    std::fill(keep.begin(), keep.end(), 0);
    const auto limit = max_features.get<size_t>();
    for (size_t r = 0; r < limit; ++r) keep[cand[static_cast<size_t>(order[r])]] = 1;
    n_keep = limit;
  }
  if (n_keep == 0) {
    throw_invalid(owner_, "After pruning, no terms remain. Try a lower min_df or a higher max_df.");
  }
  std::vector<int32_t> final_index(n_terms, -1);  // by id
  std::vector<std::string> vocab;
  vocab.reserve(n_keep);
  for (size_t a = 0; a < n_terms; ++a) {
    if (!keep[a]) continue;
    final_index[static_cast<size_t>(alpha[a])] = static_cast<int32_t>(vocab.size());
    vocab.push_back(std::move(terms[static_cast<size_t>(alpha[a])]));
  }
  // Relabel (and drop) columns; entries keep their storage order (ascending id).
  Counts out;
  out.rows = c.rows;
  out.indptr.reserve(c.indptr.size());
  for (int64_t i = 0; i < c.rows; ++i) {
    for (int64_t k = c.indptr[static_cast<size_t>(i)]; k < c.indptr[static_cast<size_t>(i) + 1];
         ++k) {
      int32_t col = final_index[static_cast<size_t>(c.cols[static_cast<size_t>(k)])];
      if (col < 0) continue;
      out.cols.push_back(col);
      out.values.push_back(c.values[static_cast<size_t>(k)]);
    }
    out.indptr.push_back(static_cast<int64_t>(out.cols.size()));
  }
  set_vocabulary(std::move(vocab));
  return out;
}

CountVectorizer::Counts CountVectorizer::transform_counts(
    const std::vector<std::string>& documents) const {
  check_fitted("transform");
  std::vector<std::pair<int32_t, double>> row;
  std::vector<int32_t> slot(vocabulary_.size(), -1);  // column -> position in the row, or -1
  Counts c;
  c.rows = static_cast<int64_t>(documents.size());
  c.indptr.reserve(documents.size() + 1);
  for (const auto& doc : documents) {
    row.clear();
    for (const auto& term : analyze(doc)) {
      auto it = index_.find(term);
      if (it == index_.end()) continue;
      int32_t& pos = slot[static_cast<size_t>(it->second)];
      if (pos < 0) {
        pos = static_cast<int32_t>(row.size());
        row.emplace_back(it->second, 1.0);
      } else {
        row[static_cast<size_t>(pos)].second += 1.0;
      }
    }
    for (const auto& e : row) slot[static_cast<size_t>(e.first)] = -1;
    std::sort(row.begin(), row.end());
    for (const auto& e : row) {
      c.cols.push_back(e.first);
      c.values.push_back(binary_ ? 1.0 : e.second);
    }
    c.indptr.push_back(static_cast<int64_t>(c.cols.size()));
  }
  return c;
}

SparseMatrix CountVectorizer::to_sparse(const Counts& c) const {
  SparseMatrix m(c.rows, n_features());
  m.reserve(static_cast<Eigen::Index>(c.cols.size()));
  std::vector<std::pair<int32_t, double>> row;
  for (int64_t i = 0; i < c.rows; ++i) {
    row.clear();
    for (int64_t k = c.indptr[static_cast<size_t>(i)]; k < c.indptr[static_cast<size_t>(i) + 1];
         ++k) {
      row.emplace_back(c.cols[static_cast<size_t>(k)], c.values[static_cast<size_t>(k)]);
    }
    std::sort(row.begin(), row.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    m.startVec(i);
    for (const auto& e : row) m.insertBack(i, e.first) = e.second;
  }
  m.finalize();
  return m;
}

void CountVectorizer::fit(const std::vector<std::string>& documents) { fit_transform(documents); }

SparseMatrix CountVectorizer::fit_transform(const std::vector<std::string>& documents) {
  return to_sparse(fit_counts(documents));
}

SparseMatrix CountVectorizer::transform(const std::vector<std::string>& documents) const {
  return to_sparse(transform_counts(documents));
}

json CountVectorizer::state() const {
  check_fitted("state");
  return json{{"vocabulary", vocabulary_}};
}

Status CountVectorizer::load_state(const json& state) {
  const std::string who = owner_ + " state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  if (!state.contains("vocabulary") || !state.at("vocabulary").is_array() ||
      state.at("vocabulary").empty()) {
    return Status::invalid(who + ": 'vocabulary' must be a non-empty array of strings");
  }
  std::vector<std::string> terms;
  for (const auto& t : state.at("vocabulary")) {
    if (!t.is_string()) return Status::invalid(who + ": 'vocabulary' must hold strings");
    terms.push_back(t.get<std::string>());
    if (terms.size() > 1 && !(terms[terms.size() - 2] < terms.back())) {
      return Status::invalid(who + ": 'vocabulary' must be sorted and unique (at '" +
                             terms.back() + "')");
    }
  }
  set_vocabulary(std::move(terms));
  return Status::ok();
}

// ---- TfidfVectorizer ----

const std::vector<ParamSpec>& TfidfVectorizer::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    std::vector<ParamSpec> s = count_specs();
    ParamSpec norm;
    norm.name = "norm";
    norm.kind = ParamSpec::Kind::kString;
    norm.default_value = "l2";
    norm.choices = {"l2", "l1"};
    norm.doc = "Row normalization: \"l2\", \"l1\" or null (none).";
    s.push_back(norm);
    s.push_back(bool_spec("use_idf", true, "Weigh terms by inverse document frequency."));
    s.push_back(bool_spec("smooth_idf", true, "Add one to document frequencies (as if an extra "
                                              "document held every term once)."));
    s.push_back(bool_spec("sublinear_tf", false, "Use 1 + ln(tf) instead of tf."));
    return s;
  }();
  return specs;
}

TfidfVectorizer::TfidfVectorizer(const json& params)
    : CountVectorizer("TfidfVectorizer", param_specs(), params) {
  const json& norm = params_.at("norm");
  norm_ = norm.is_null() ? "" : norm.get<std::string>();
  use_idf_ = params_.at("use_idf").get<bool>();
  smooth_idf_ = params_.at("smooth_idf").get<bool>();
  sublinear_tf_ = params_.at("sublinear_tf").get<bool>();
}

SparseMatrix TfidfVectorizer::fit_transform(const std::vector<std::string>& documents) {
  Counts counts = fit_counts(documents);
  Vector idf;
  if (use_idf_) {
    // TfidfTransformer.fit: df += smooth, n += smooth, idf = ln(n / df) + 1.
    const int64_t n_features = this->n_features();
    Vector df = Vector::Zero(n_features);
    for (int32_t col : counts.cols) df(col) += 1.0;
    const double smooth = smooth_idf_ ? 1.0 : 0.0;
    const double n = static_cast<double>(counts.rows) + smooth;
    idf.resize(n_features);
    for (int64_t j = 0; j < n_features; ++j) idf(j) = std::log(n / (df(j) + smooth)) + 1.0;
  }
  idf_ = std::move(idf);
  return weigh(std::move(counts));
}

SparseMatrix TfidfVectorizer::transform(const std::vector<std::string>& documents) const {
  return weigh(transform_counts(documents));
}

SparseMatrix TfidfVectorizer::weigh(Counts c) const {
  if (sublinear_tf_) {
    for (double& v : c.values) v = std::log(v) + 1.0;
  }
  if (use_idf_) {
    for (size_t k = 0; k < c.values.size(); ++k) c.values[k] *= idf_(c.cols[k]);
    // X * idf_diag (scipy's csr_matmat) emits each row's entries in reverse order.
    for (int64_t i = 0; i < c.rows; ++i) {
      auto b = static_cast<std::ptrdiff_t>(c.indptr[static_cast<size_t>(i)]);
      auto e = static_cast<std::ptrdiff_t>(c.indptr[static_cast<size_t>(i) + 1]);
      std::reverse(c.cols.begin() + b, c.cols.begin() + e);
      std::reverse(c.values.begin() + b, c.values.begin() + e);
    }
  }
  if (!norm_.empty()) {
    // sklearn's inplace_csr_row_normalize_l1 / _l2, summing in storage order.
    const bool l2 = norm_ == "l2";
    for (int64_t i = 0; i < c.rows; ++i) {
      const auto b = static_cast<size_t>(c.indptr[static_cast<size_t>(i)]);
      const auto e = static_cast<size_t>(c.indptr[static_cast<size_t>(i) + 1]);
      double sum = 0.0;
      for (size_t k = b; k < e; ++k) sum += l2 ? c.values[k] * c.values[k] : std::fabs(c.values[k]);
      if (sum == 0.0) continue;
      if (l2) sum = std::sqrt(sum);
      for (size_t k = b; k < e; ++k) c.values[k] /= sum;
    }
  }
  return to_sparse(c);
}

json TfidfVectorizer::state() const {
  json s = CountVectorizer::state();
  s["idf"] = vector_to_json(idf_);
  return s;
}

Status TfidfVectorizer::load_state(const json& state) {
  const std::string who = owner_ + " state";
  Vector idf;
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  if (!state.contains("vocabulary") || !state.at("vocabulary").is_array()) {
    return Status::invalid(who + ": 'vocabulary' must be a non-empty array of strings");
  }
  const auto n = static_cast<int64_t>(state.at("vocabulary").size());
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "idf", use_idf_ ? n : 0, who, &idf));
  for (Eigen::Index j = 0; j < idf.size(); ++j) {
    if (!(std::isfinite(idf(j)) && idf(j) >= 1.0)) {
      return Status::invalid(who + ": 'idf' values must be finite and >= 1 (received " +
                             format_double(idf(j)) + ")");
    }
  }
  MLLAB_RETURN_IF_ERROR(CountVectorizer::load_state(state));
  idf_ = std::move(idf);
  return Status::ok();
}

}  // namespace mllab::ml
