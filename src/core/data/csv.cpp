#include "core/data/csv.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <version>

// Floating-point std::from_chars is missing from older libc++ (emscripten 3.1.6); there the
// already validated text goes through strtod with the C locale's decimal point patched in.
#if defined(__cpp_lib_to_chars) && !defined(MLLAB_NO_FLOAT_CHARCONV)
#define MLLAB_HAVE_FLOAT_FROM_CHARS 1
#else
#define MLLAB_HAVE_FLOAT_FROM_CHARS 0
#endif

namespace mllab::data {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_line_break(char c) { return c == '\n' || c == '\r'; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

#if !MLLAB_HAVE_FLOAT_FROM_CHARS
// Clinger's fast path: when the digits fit in 2^53 and the power of ten is at most 1e22, both
// are exact doubles and one IEEE multiply/divide gives the correctly rounded value, the same one
// strtod returns. Returns false when it does not apply.
bool fast_path_number(const char* p, const char* last, double* value) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const bool negative = p < last && *p == '-';
  if (negative) ++p;
  uint64_t mantissa = 0;
  int digits = 0;
  int exponent = 0;
  bool fraction = false;
  for (; p < last && *p != 'e' && *p != 'E'; ++p) {
    if (*p == '.') {
      fraction = true;
      continue;
    }
    const int d = *p - '0';
    if (fraction) --exponent;
    if (mantissa == 0 && d == 0) continue;
    if (++digits > 19) return false;
    mantissa = mantissa * 10 + static_cast<uint64_t>(d);
  }
  if (p < last) {  // exponent
    ++p;
    const bool minus = *p == '-';
    if (*p == '+' || *p == '-') ++p;
    int e = 0;
    for (; p < last; ++p) {
      e = e * 10 + (*p - '0');
      if (e > 1000) return false;
    }
    exponent += minus ? -e : e;
  }
  if (mantissa > (uint64_t{1} << 53) || exponent < -22 || exponent > 22) return false;
  const double m = static_cast<double>(mantissa);
  const double v = exponent >= 0 ? m * kPow10[exponent] : m / kPow10[-exponent];
  *value = negative ? -v : v;
  return true;
}
#endif

// Converts text already known to match the number grammar (no '+', no spaces).
bool convert_number(const char* first, const char* last, double* value) {
#if MLLAB_HAVE_FLOAT_FROM_CHARS
  double v = 0;
  auto res = std::from_chars(first, last, v);
  if (res.ec != std::errc() || res.ptr != last || !std::isfinite(v)) return false;
  *value = v;
  return true;
#else
  if (fast_path_number(first, last, value)) return true;
  char small[64];
  std::string large;
  const size_t len = static_cast<size_t>(last - first);
  char* buf = small;
  if (len >= sizeof(small)) {
    large.assign(len + 1, '\0');
    buf = large.data();
  }
  const char point = *std::localeconv()->decimal_point;
  for (size_t i = 0; i < len; ++i) buf[i] = first[i] == '.' ? point : first[i];
  buf[len] = '\0';
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (end != buf + len || !std::isfinite(v)) return false;
  if (errno == ERANGE && v == 0) return false;  // underflow to zero, as from_chars reports it
  *value = v;
  return true;
#endif
}

// Counts whitespace-separated tokens.
size_t count_tokens(std::string_view s) {
  size_t tokens = 0;
  bool in_token = false;
  for (char c : s) {
    const bool space = is_space(c);
    if (!space && !in_token) ++tokens;
    in_token = !space;
  }
  return tokens;
}

// Type inference over `n` values read through `get(i)` (a string_view). Fills `numbers`
// (NaN for missing) when the result is numeric.
template <typename Get>
ColumnType infer_type(size_t n, const std::vector<unsigned char>& missing, Get get,
                      std::vector<double>* numbers) {
  numbers->clear();
  numbers->reserve(n);
  bool numeric = true;
  for (size_t i = 0; i < n; ++i) {
    if (i < missing.size() && missing[i] != 0) {
      numbers->push_back(std::nan(""));
      continue;
    }
    double v = 0;
    if (!parse_number(get(i), &v)) {
      numeric = false;
      break;
    }
    numbers->push_back(v);
  }
  if (numeric) return ColumnType::kNumeric;
  numbers->clear();

  size_t present = 0;
  size_t tokens = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i < missing.size() && missing[i] != 0) continue;
    ++present;
    tokens += count_tokens(get(i));
  }
  if (present == 0 || tokens < 3 * present) return ColumnType::kCategorical;
  std::unordered_set<std::string_view> distinct;
  distinct.reserve(present);
  for (size_t i = 0; i < n; ++i) {
    if (i < missing.size() && missing[i] != 0) continue;
    distinct.insert(get(i));
  }
  return 2 * distinct.size() > present ? ColumnType::kText : ColumnType::kCategorical;
}

// Checks the UTF-8 sequence whose lead byte (>= 0x80) is at p[0]. Returns its length, or 0 and
// a reason when it is malformed.
size_t check_utf8(const unsigned char* p, const unsigned char* end, const char** reason) {
  const unsigned char b = p[0];
  size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte
  unsigned char hi = 0xBF;
  if (b < 0xC0) {
    *reason = "unexpected continuation byte";
    return 0;
  } else if (b < 0xC2) {
    *reason = "overlong encoding";
    return 0;
  } else if (b < 0xE0) {
    len = 2;
  } else if (b < 0xF0) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b < 0xF5) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    *reason = "byte never used in UTF-8";
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (p + k >= end || p[k] < 0x80 || p[k] > 0xBF) {
      *reason = "truncated multi-byte sequence";
      return 0;
    }
  }
  if (p[1] < lo) {
    *reason = "overlong encoding";
    return 0;
  }
  if (p[1] > hi) {
    *reason = b == 0xED ? "encoded surrogate (U+D800..U+DFFF)" : "code point above U+10FFFF";
    return 0;
  }
  return len;
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", static_cast<unsigned>(b));
  return buf;
}

// Single-pass CSV parser over the input bytes. Field values are views into the input, or into
// `unescaped_` for quoted fields containing "".
class CsvParser {
 public:
  CsvParser(std::string_view in, const CsvOptions& options) : in_(in), options_(options) {}

  Result<Table> parse() {
    const char d = options_.delimiter;
    if (d == '"' || d == '\n' || d == '\r' || d == '\0' || static_cast<unsigned char>(d) >= 0x80) {
      return Status::invalid(options_.source + ": invalid CSV delimiter " +
                             hex_byte(static_cast<unsigned char>(d)));
    }
    for (int c = 0; c < 256; ++c) special_[c] = c >= 0x80;
    special_['"'] = special_['\n'] = special_['\r'] = special_[0] = true;
    quoted_special_ = special_;
    special_[static_cast<unsigned char>(d)] = true;

    if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
    if (rest_is_blank()) {
      return Status::parse_error(options_.source + ": empty file, a header row is required");
    }

    // Header.
    std::vector<size_t> header_lines;
    MLLAB_RETURN_IF_ERROR(parse_record(true, &header_lines));
    std::unordered_map<std::string_view, size_t> seen;  // name -> first column index
    seen.reserve(header_.size());
    for (size_t j = 0; j < header_.size(); ++j) {
      if (header_[j].empty()) return error(header_lines[j], j, "empty column name");
      auto [it, inserted] = seen.emplace(header_[j], j);
      if (!inserted) {
        return error(header_lines[j], j,
                     "duplicate column name '" + header_[j] + "' (also column " +
                         std::to_string(it->second + 1) + ")");
      }
    }
    names_ = header_;
    const size_t ncols = names_.size();

    // Data rows. Reserve for one row per remaining line, but never more cells than half the
    // remaining bytes (many quoted newlines would otherwise over-reserve).
    const size_t rest = in_.size() - pos_;
    const size_t lines = static_cast<size_t>(std::count(in_.begin() + pos_, in_.end(), '\n')) + 1;
    cells_.reserve(std::min(lines * ncols, rest / 2 + ncols));
    size_t rows = 0;
    while (!rest_is_blank()) {
      const size_t row_line = line_;
      const bool blank = is_line_break(in_[pos_]);
      size_t count = 0;
      MLLAB_RETURN_IF_ERROR(parse_record(false, nullptr, &count));
      if (count > ncols) {
        return error(
            row_line, ncols,
            "expected " + std::to_string(ncols) + " fields, found " + std::to_string(count));
      }
      if (count < ncols) {
        return error(row_line, count - 1,
                     "expected " + std::to_string(ncols) + " fields, found " +
                         std::to_string(count) + (blank ? " (blank line)" : ""));
      }
      ++rows;
    }
    if (rows == 0) {
      return Status::parse_error(options_.source +
                                 ": no data rows (the input has only a header row)");
    }

    Table table;
    std::vector<unsigned char> missing(rows);
    std::vector<double> numbers;
    for (size_t j = 0; j < ncols; ++j) {
      auto get = [&](size_t r) { return cells_[r * ncols + j]; };
      for (size_t r = 0; r < rows; ++r) missing[r] = is_missing_token(get(r)) ? 1 : 0;
      Column col;
      col.name = names_[j];
      col.type = infer_type(rows, missing, get, &numbers);
      if (col.type == ColumnType::kNumeric) {
        col.numbers = std::move(numbers);
        numbers = {};
      } else {
        col.strings.resize(rows);
        for (size_t r = 0; r < rows; ++r) {
          if (missing[r] == 0) col.strings[r].assign(get(r));
        }
        col.missing = missing;
      }
      MLLAB_RETURN_IF_ERROR(table.add_column(std::move(col)));
    }
    return table;
  }

 private:
  // "source: line L, column C (name): message"; `field` is 0-based.
  Status error(size_t line, size_t field, const std::string& message) const {
    std::string text = options_.source + ": line " + std::to_string(line) + ", column " +
                       std::to_string(field + 1);
    if (field < names_.size()) text += " (" + names_[field] + ")";
    text += ": ";
    text += message;
    return Status::parse_error(std::move(text));
  }

  // True when only line breaks remain (trailing blank lines are ignored).
  bool rest_is_blank() {
    if (pos_ < content_at_) return false;
    size_t p = pos_;
    while (p < in_.size() && is_line_break(in_[p])) ++p;
    if (p == in_.size()) return true;
    content_at_ = p;
    return false;
  }

  // Consumes a line break (LF, CRLF or a lone CR) at pos_.
  void consume_line_break() {
    if (in_[pos_] == '\r' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  // A NUL byte is not text (a binary file, or "2\0" that would silently become a category).
  Status nul_error(size_t field) const {
    return error(line_, field,
                 "NUL byte at byte " + std::to_string(pos_ - line_start_ + 1) +
                     " of the line (a CSV holds text; is this a binary file?)");
  }

  Status utf8_error(size_t field, const char* reason) const {
    return error(line_, field,
                 "invalid UTF-8 at byte " + std::to_string(pos_ - line_start_ + 1) +
                     " of the line (" + reason + ", " +
                     hex_byte(static_cast<unsigned char>(in_[pos_])) + ")");
  }

  // Parses one record starting at pos_ and consumes its line break. The header goes to
  // header_ (with each field's line in `lines`); data fields go to cells_ (extra fields are
  // only counted).
  Status parse_record(bool header, std::vector<size_t>* lines, size_t* count = nullptr) {
    const size_t n = in_.size();
    const auto* bytes = reinterpret_cast<const unsigned char*>(in_.data());
    const char delim = options_.delimiter;
    const size_t ncols = names_.size();
    size_t field = 0;
    while (true) {
      const size_t field_line = line_;
      std::string_view value;
      if (pos_ < n && in_[pos_] == '"') {
        ++pos_;
        const size_t start = pos_;
        bool escaped = false;
        size_t end = 0;
        while (true) {
          while (pos_ < n && !quoted_special_[bytes[pos_]]) ++pos_;
          if (pos_ >= n) {
            return error(field_line, field,
                         "unclosed quote (the quoted field starting here runs to the end of "
                         "input)");
          }
          const char c = in_[pos_];
          if (c == '"') {
            if (pos_ + 1 < n && in_[pos_ + 1] == '"') {
              escaped = true;
              pos_ += 2;
              continue;
            }
            end = pos_;
            ++pos_;
            break;
          }
          if (is_line_break(c)) {
            consume_line_break();
            continue;
          }
          if (c == '\0') return nul_error(field);
          const char* reason = nullptr;
          const size_t len = check_utf8(bytes + pos_, bytes + n, &reason);
          if (len == 0) return utf8_error(field, reason);
          pos_ += len;
        }
        value = in_.substr(start, end - start);
        if (escaped) {
          std::string& s = unescaped_.emplace_back();
          s.reserve(value.size());
          for (size_t i = 0; i < value.size(); ++i) {
            s.push_back(value[i]);
            if (value[i] == '"') ++i;  // skip the second quote of ""
          }
          value = s;
        }
        if (pos_ < n && in_[pos_] != delim && !is_line_break(in_[pos_])) {
          const auto b = static_cast<unsigned char>(in_[pos_]);
          const std::string what = (b >= 0x20 && b < 0x7F) ? "'" + std::string(1, in_[pos_]) + "'"
                                                           : "byte " + hex_byte(b);
          return error(line_, field,
                       "unexpected " + what +
                           " after a closing quote (expected the delimiter or "
                           "a line end)");
        }
      } else {
        const size_t start = pos_;
        while (true) {
          while (pos_ < n && !special_[bytes[pos_]]) ++pos_;
          if (pos_ >= n) break;
          const char c = in_[pos_];
          if (c == delim || is_line_break(c)) break;
          if (c == '"') {
            return error(line_, field,
                         "unexpected '\"' in an unquoted field (quote the whole field and write "
                         "each quote inside it as \"\")");
          }
          if (c == '\0') return nul_error(field);
          const char* reason = nullptr;
          const size_t len = check_utf8(bytes + pos_, bytes + n, &reason);
          if (len == 0) return utf8_error(field, reason);
          pos_ += len;
        }
        value = in_.substr(start, pos_ - start);
      }

      if (header) {
        header_.emplace_back(value);
        lines->push_back(field_line);
      } else if (field < ncols) {
        cells_.push_back(value);
      }
      ++field;
      if (pos_ >= n) break;
      if (in_[pos_] == delim) {
        ++pos_;
        continue;
      }
      consume_line_break();
      break;
    }
    if (count != nullptr) *count = field;
    return Status::ok();
  }

  std::string_view in_;
  const CsvOptions& options_;
  std::array<bool, 256> special_{};         // bytes that end a run inside an unquoted field
  std::array<bool, 256> quoted_special_{};  // bytes that end a run inside a quoted field
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t line_start_ = 0;
  size_t content_at_ = 0;  // a non-line-break byte is known to exist at or after this offset
  std::vector<std::string> header_;
  std::vector<std::string> names_;
  std::vector<std::string_view> cells_;
  std::deque<std::string> unescaped_;
};

// True when a field must be quoted in write_csv.
bool needs_quotes(std::string_view s) {
  return s.find_first_of(",\"\r\n") != std::string_view::npos;
}

void append_field(std::string& out, std::string_view s, bool force_quotes = false) {
  if (!force_quotes && !needs_quotes(s)) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

bool is_missing_token(std::string_view field) {
  return field.empty() || field == "NA" || field == "NaN" || field == "null";
}

bool parse_number(std::string_view field, double* value) {
  size_t b = 0;
  size_t e = field.size();
  while (b < e && (field[b] == ' ' || field[b] == '\t')) ++b;
  while (e > b && (field[e - 1] == ' ' || field[e - 1] == '\t')) --e;
  size_t p = b;
  size_t first = b;  // where conversion starts: from_chars takes '-' but not '+'
  if (p < e && field[p] == '+') {
    first = ++p;
  } else if (p < e && field[p] == '-') {
    ++p;
  }
  size_t mantissa_digits = 0;
  while (p < e && is_digit(field[p])) ++p, ++mantissa_digits;
  if (p < e && field[p] == '.') {
    ++p;
    while (p < e && is_digit(field[p])) ++p, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (p < e && (field[p] == 'e' || field[p] == 'E')) {
    ++p;
    if (p < e && (field[p] == '+' || field[p] == '-')) ++p;
    size_t exponent_digits = 0;
    while (p < e && is_digit(field[p])) ++p, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  if (p != e) return false;
  return convert_number(field.data() + first, field.data() + e, value);
}

ColumnType infer_column_type(const std::vector<std::string>& values,
                             const std::vector<unsigned char>& missing) {
  std::vector<double> numbers;
  return infer_type(
      values.size(), missing, [&](size_t i) { return std::string_view(values[i]); }, &numbers);
}

Result<Table> read_csv(std::string_view bytes, const CsvOptions& options) {
  CsvParser parser(bytes, options);
  return parser.parse();
}

std::string write_csv(const Table& table) {
  std::string out;
  const size_t ncols = table.num_columns();
  const size_t nrows = table.num_rows();
  for (size_t j = 0; j < ncols; ++j) {
    if (j > 0) out.push_back(',');
    const std::string& name = table.column(j).name;
    // A leading byte-order mark in the first name is quoted so it is not skipped as one.
    append_field(out, name, j == 0 && name.compare(0, 3, "\xEF\xBB\xBF") == 0);
  }
  if (ncols > 0) out.push_back('\n');
  for (size_t r = 0; r < nrows; ++r) {
    for (size_t j = 0; j < ncols; ++j) {
      const Column& col = table.column(j);
      if (j > 0) out.push_back(',');
      if (col.is_missing(r)) {
        if (ncols == 1) out.append("\"\"");
      } else if (col.type == ColumnType::kNumeric) {
        out.append(format_number(col.numbers[r]));
      } else {
        append_field(out, col.strings[r]);
      }
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace mllab::data
