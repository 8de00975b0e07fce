#include "core/tracking/search.hpp"
#include "core/util/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>

namespace mllab::tracking {
namespace {

using Kind = FilterClause::Kind;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A token of the filter language.
struct Token {
  enum class Type { kWord, kString, kNumber, kOperator, kPunct, kEnd } type = Type::kEnd;
  std::string text;
  size_t pos = 0;  // 1-based character position
};

class Lexer {
 public:
  explicit Lexer(const std::string& s) : s_(s) {}
  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (true) {
      while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
      Token t;
      t.pos = i_ + 1;
      if (i_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      char c = s_[i_];
      if (c == '\'' || c == '"' || c == '`') {
        size_t end = s_.find(c, i_ + 1);
        if (end == std::string::npos) {
          return Status::invalid("filter: at position " + std::to_string(t.pos) + ": unclosed quote " +
                                 std::string(1, c));
        }
        t.type = c == '`' ? Token::Type::kWord : Token::Type::kString;
        t.text = s_.substr(i_ + 1, end - i_ - 1);
        if (c == '"') t.type = Token::Type::kString;
        i_ = end + 1;
      } else if (c == '<' || c == '>' || c == '=' || c == '!') {
        size_t len = (i_ + 1 < s_.size() && s_[i_ + 1] == '=') ? 2 : 1;
        t.type = Token::Type::kOperator;
        t.text = s_.substr(i_, len);
        if (t.text == "!") return Status::invalid("filter: at position " + std::to_string(t.pos) + ": '!' must be '!='");
        i_ += len;
      } else if (c == '(' || c == ')' || c == ',') {
        t.type = Token::Type::kPunct;
        t.text = std::string(1, c);
        ++i_;
      } else if (c == '.') {
        t.type = Token::Type::kPunct;
        t.text = ".";
        ++i_;
      } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
        size_t j = i_ + 1;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                                 ((s_[j] == '-' || s_[j] == '+') && (s_[j - 1] == 'e' || s_[j - 1] == 'E')))) {
          ++j;
        }
        t.type = Token::Type::kNumber;
        t.text = s_.substr(i_, j - i_);
        i_ = j;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i_ + 1;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_' || s_[j] == '-')) ++j;
        t.type = Token::Type::kWord;
        t.text = s_.substr(i_, j - i_);
        i_ = j;
      } else {
        return Status::invalid("filter: at position " + std::to_string(t.pos) + ": unexpected character '" +
                               std::string(1, c) + "'");
      }
      out.push_back(t);
    }
  }
 private:
  const std::string& s_;
  size_t i_ = 0;
};

// A key from token i on, with unquoted dotted parts joined: tags.mlflow.parentRunId has the key
// "mlflow.parentRunId", as in MLflow. Advances i past it.
std::string dotted_key(const std::vector<Token>& t, size_t& i) {
  std::string key = t[i++].text;
  if (t[i - 1].type != Token::Type::kWord) return key;
  while (t[i].type == Token::Type::kPunct && t[i].text == "." && t[i + 1].type == Token::Type::kWord) {
    key += "." + t[i + 1].text;
    i += 2;
  }
  return key;
}

Status error_at(const Token& t, const std::string& what) {
  std::string tok = t.type == Token::Type::kEnd ? "end of filter" : "'" + quote_for_message(t.text) + "'";
  return Status::invalid("filter: at position " + std::to_string(t.pos) + " (" + tok + "): " + what);
}

Result<Kind> kind_of(const Token& t) {
  const std::string p = lower(t.text);
  if (p == "metrics" || p == "metric") return Kind::kMetric;
  if (p == "params" || p == "param" || p == "parameters" || p == "parameter") return Kind::kParam;
  if (p == "tags" || p == "tag") return Kind::kTag;
  if (p == "attributes" || p == "attribute" || p == "attr" || p == "run") return Kind::kAttribute;
  if (p == "datasets" || p == "dataset") return Kind::kDataset;
  return error_at(t, "unknown identifier type; use metrics., params., tags., attributes. or datasets.");
}

const std::set<std::string> kNumericAttributes = {"start_time", "end_time", "created"};
const std::set<std::string> kStringAttributes = {"run_id", "run_name", "status", "artifact_uri", "user_id",
                                                 "lifecycle_stage"};

bool like(const std::string& s, const std::string& pattern, bool case_insensitive) {
  std::string a = case_insensitive ? lower(s) : s, p = case_insensitive ? lower(pattern) : pattern;
  // Iterative SQL LIKE: % any run, _ any one character.
  size_t i = 0, j = 0, star = std::string::npos, mark = 0;
  while (i < a.size()) {
    if (j < p.size() && (p[j] == '_' || p[j] == a[i])) { ++i; ++j; }
    else if (j < p.size() && p[j] == '%') { star = j++; mark = i; }
    else if (star != std::string::npos) { j = star + 1; i = ++mark; }
    else return false;
  }
  while (j < p.size() && p[j] == '%') ++j;
  return j == p.size();
}

bool compare_string(const std::string& v, const FilterClause& c) {
  if (c.op == "=") return v == c.values[0];
  if (c.op == "!=") return v != c.values[0];
  if (c.op == "LIKE") return like(v, c.values[0], false);
  if (c.op == "ILIKE") return like(v, c.values[0], true);
  bool in = std::find(c.values.begin(), c.values.end(), v) != c.values.end();
  return c.op == "IN" ? in : !in;
}

bool compare_number(double v, const FilterClause& c) {
  if (c.op == ">") return v > c.number;
  if (c.op == ">=") return v >= c.number;
  if (c.op == "<") return v < c.number;
  if (c.op == "<=") return v <= c.number;
  if (c.op == "=") return v == c.number;
  return v != c.number;
}

}  // namespace

Result<std::vector<FilterClause>> parse_filter(const std::string& filter) {
  Lexer lexer(filter);
  auto tokens = lexer.run();
  if (!tokens) return tokens.status();
  const auto& t = *tokens;
  std::vector<FilterClause> out;
  size_t i = 0;
  if (t[0].type == Token::Type::kEnd) return out;
  while (true) {
    FilterClause c;
    // identifier: kind '.' key
    if (t[i].type != Token::Type::kWord) return error_at(t[i], "expected an identifier such as metrics.accuracy");
    auto kind = kind_of(t[i]);
    if (!kind) return kind.status();
    c.kind = *kind;
    ++i;
    if (t[i].type != Token::Type::kPunct || t[i].text != ".") return error_at(t[i], "expected '.' after the identifier type");
    ++i;
    if (t[i].type != Token::Type::kWord && t[i].type != Token::Type::kString) {
      return error_at(t[i], "expected a key name after '.'");
    }
    c.key = dotted_key(t, i);
    if (c.kind == Kind::kAttribute) {
      if (c.key == "run name") c.key = "run_name";
      if (!kNumericAttributes.count(c.key) && !kStringAttributes.count(c.key)) {
        return error_at(t[i - 1], "unknown attribute (known: run_id, run_name, status, start_time, end_time, "
                                  "artifact_uri, user_id)");
      }
    }
    if (c.kind == Kind::kDataset && c.key != "name" && c.key != "digest" && c.key != "context") {
      return error_at(t[i - 1], "unknown dataset field (known: name, digest, context)");
    }
    // comparator
    const bool numeric = c.kind == Kind::kMetric || (c.kind == Kind::kAttribute && kNumericAttributes.count(c.key));
    const bool allow_in = c.kind == Kind::kDataset || (c.kind == Kind::kAttribute && !numeric);
    if (t[i].type == Token::Type::kOperator) {
      c.op = t[i].text;
      if (!numeric && c.op != "=" && c.op != "!=") {
        return error_at(t[i], "comparator not allowed here (strings take =, !=, LIKE, ILIKE" +
                                  std::string(allow_in ? ", IN, NOT IN)" : ")"));
      }
    } else if (t[i].type == Token::Type::kWord) {
      std::string w = upper(t[i].text);
      if (w == "NOT" && t[i + 1].type == Token::Type::kWord && upper(t[i + 1].text) == "IN") {
        w = "NOT IN";
        ++i;
      }
      if (w != "LIKE" && w != "ILIKE" && w != "IN" && w != "NOT IN") return error_at(t[i], "expected a comparator");
      if (numeric) return error_at(t[i], "numbers take > >= = != < <=");
      if ((w == "IN" || w == "NOT IN") && !allow_in) return error_at(t[i], "IN is only for attributes and datasets");
      c.op = w;
    } else {
      return error_at(t[i], "expected a comparator");
    }
    ++i;
    // value
    if (c.op == "IN" || c.op == "NOT IN") {
      if (t[i].type != Token::Type::kPunct || t[i].text != "(") return error_at(t[i], "expected '(' after IN");
      ++i;
      while (true) {
        if (t[i].type != Token::Type::kString) return error_at(t[i], "expected a quoted string in the IN list");
        c.values.push_back(t[i].text);
        ++i;
        if (t[i].type == Token::Type::kPunct && t[i].text == ",") { ++i; continue; }
        if (t[i].type == Token::Type::kPunct && t[i].text == ")") { ++i; break; }
        return error_at(t[i], "expected ',' or ')' in the IN list");
      }
    } else if (numeric) {
      if (t[i].type != Token::Type::kNumber) return error_at(t[i], "expected a number");
      char* end = nullptr;
      c.number = std::strtod(t[i].text.c_str(), &end);
      if (end == t[i].text.c_str() || *end != '\0') return error_at(t[i], "not a number");
      ++i;
    } else {
      if (t[i].type != Token::Type::kString) {
        return error_at(t[i], "expected a quoted string value, e.g. '10' (params and tags are strings)");
      }
      c.values.push_back(t[i].text);
      ++i;
    }
    out.push_back(std::move(c));
    if (t[i].type == Token::Type::kEnd) return out;
    if (t[i].type == Token::Type::kWord && upper(t[i].text) == "AND") {
      ++i;
      continue;
    }
    if (t[i].type == Token::Type::kWord && upper(t[i].text) == "OR") return error_at(t[i], "OR is not supported (AND only)");
    return error_at(t[i], "expected AND or the end of the filter");
  }
}

Result<OrderBy> parse_order_by(const std::string& term) {
  auto tokens = Lexer(term).run();
  if (!tokens) return tokens.status();
  const auto& t = *tokens;
  OrderBy o;
  size_t i = 0;
  if (t[i].type != Token::Type::kWord) return error_at(t[i], "order_by: expected an identifier such as metrics.f1");
  auto kind = kind_of(t[i]);
  if (!kind) return kind.status();
  o.kind = *kind;
  ++i;
  if (t[i].type != Token::Type::kPunct || t[i].text != ".") return error_at(t[i], "order_by: expected '.'");
  ++i;
  if (t[i].type != Token::Type::kWord && t[i].type != Token::Type::kString) return error_at(t[i], "order_by: expected a key");
  o.key = dotted_key(t, i);
  if (t[i].type == Token::Type::kWord) {
    std::string d = upper(t[i].text);
    if (d != "ASC" && d != "DESC") return error_at(t[i], "order_by: expected ASC or DESC");
    o.ascending = d == "ASC";
    ++i;
  }
  if (t[i].type != Token::Type::kEnd) return error_at(t[i], "order_by: unexpected text");
  return o;
}

bool matches(const Run& run, const std::vector<FilterClause>& clauses) {
  for (const auto& c : clauses) {
    switch (c.kind) {
      case Kind::kMetric: {
        auto it = run.metrics.find(c.key);
        if (it == run.metrics.end() || !compare_number(it->second.value, c)) return false;
        break;
      }
      case Kind::kParam:
      case Kind::kTag: {
        const auto& m = c.kind == Kind::kParam ? run.params : run.tags;
        auto it = m.find(c.key);
        if (it == m.end() || !compare_string(it->second, c)) return false;
        break;
      }
      case Kind::kAttribute: {
        if (kNumericAttributes.count(c.key)) {
          if (c.key == "end_time" && !run.end_time) return false;
          double v = c.key == "end_time" ? double(*run.end_time) : double(run.start_time);
          if (!compare_number(v, c)) return false;
        } else {
          std::string v = c.key == "run_id" ? run.run_id
                          : c.key == "run_name" ? run.run_name
                          : c.key == "status" ? std::string(run_status_name(run.status))
                          : c.key == "lifecycle_stage" ? run.lifecycle_stage
                          : c.key == "artifact_uri" ? "mllab-artifacts:/" + run.run_id
                          : (run.tags.count("mlflow.user") ? run.tags.at("mlflow.user") : "");
          if (!compare_string(v, c)) return false;
        }
        break;
      }
      case Kind::kDataset: {
        bool any = false;
        for (const auto& in : run.inputs) {
          const std::string& v = c.key == "name" ? in.name : c.key == "digest" ? in.digest : in.context;
          if (compare_string(v, c)) { any = true; break; }
        }
        if (!any) return false;
        break;
      }
    }
  }
  return true;
}

Result<std::vector<Run>> search_runs(const std::vector<Run>& runs, const std::string& filter,
                                     const std::vector<std::string>& order_by) {
  auto clauses = parse_filter(filter);
  if (!clauses) return clauses.status();
  std::vector<OrderBy> orders;
  for (const auto& term : order_by) {
    auto o = parse_order_by(term);
    if (!o) return o.status();
    orders.push_back(*o);
  }
  std::vector<Run> out;
  for (const auto& r : runs) {
    if (matches(r, *clauses)) out.push_back(r);
  }
  // A run's sort value: a number, a string, or missing (missing sorts last, as MLflow).
  struct Value { bool present = false; bool numeric = false; double num = 0; std::string str; };
  auto value_of = [](const Run& r, const OrderBy& o) {
    Value v;
    if (o.kind == Kind::kMetric) {
      auto it = r.metrics.find(o.key);
      if (it != r.metrics.end()) { v.present = true; v.numeric = true; v.num = it->second.value; }
    } else if (o.kind == Kind::kParam || o.kind == Kind::kTag) {
      const auto& m = o.kind == Kind::kParam ? r.params : r.tags;
      auto it = m.find(o.key);
      if (it != m.end()) { v.present = true; v.str = it->second; }
    } else if (o.key == "start_time" || o.key == "end_time") {
      if (o.key == "start_time" || r.end_time) {
        v.present = true; v.numeric = true;
        v.num = double(o.key == "start_time" ? r.start_time : *r.end_time);
      }
    } else {
      v.present = true;
      v.str = o.key == "run_name" ? r.run_name : o.key == "status" ? run_status_name(r.status) : r.run_id;
    }
    return v;
  };
  std::stable_sort(out.begin(), out.end(), [&](const Run& a, const Run& b) {
    for (const auto& o : orders) {
      Value va = value_of(a, o), vb = value_of(b, o);
      if (va.present != vb.present) return va.present;  // missing last
      if (!va.present) continue;
      if (va.numeric) {
        if (va.num != vb.num) return o.ascending ? va.num < vb.num : va.num > vb.num;
      } else if (va.str != vb.str) {
        return o.ascending ? va.str < vb.str : va.str > vb.str;
      }
    }
    if (a.start_time != b.start_time) return a.start_time > b.start_time;
    return a.run_id < b.run_id;
  });
  return out;
}

}  // namespace mllab::tracking
