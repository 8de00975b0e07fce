#include "core/data/table.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <version>

// Floating-point std::to_chars is missing from older libc++ (emscripten 3.1.6); there the
// shortest digits come from snprintf + strtod instead. Both paths yield the same text.
#if defined(__cpp_lib_to_chars) && !defined(MLLAB_NO_FLOAT_CHARCONV)
#define MLLAB_HAVE_FLOAT_TO_CHARS 1
#else
#define MLLAB_HAVE_FLOAT_TO_CHARS 0
#endif

namespace mllab::data {
namespace {

// The shortest round-trip decimal digits of a finite, positive value: d1.d2...dk * 10^exponent.
struct Digits {
  char digits[32];
  int count = 0;
  int exponent = 0;
};

// Parses "d[.ddd]e[+-]xx" (from to_chars / printf scientific) into Digits, dropping trailing
// zeros of the mantissa.
void parse_scientific(const char* text, Digits* out) {
  out->count = 0;
  const char* p = text;
  for (; *p != 'e' && *p != 'E' && *p != '\0'; ++p) {
    if (*p >= '0' && *p <= '9') out->digits[out->count++] = *p;
  }
  while (out->count > 1 && out->digits[out->count - 1] == '0') --out->count;
  out->exponent = (*p == '\0') ? 0 : std::atoi(p + 1);
}

#if !MLLAB_HAVE_FLOAT_TO_CHARS
// strtod that reads '.' as the decimal point whatever the C locale says.
double strtod_dot(const char* text) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s", text);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') {
    for (char* c = buf; *c != '\0'; ++c) {
      if (*c == '.') *c = point;
    }
  }
  return std::strtod(buf, nullptr);
}

// printf "%.*e" with `significant` digits, '.' as the decimal point.
void print_scientific(double value, int significant, char* buf, size_t size) {
  std::snprintf(buf, size, "%.*e", significant - 1, value);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') {
    for (char* c = buf; *c != '\0'; ++c) {
      if (*c == point) *c = '.';
    }
  }
}

// Short decimals without printf: finds the smallest p <= 22 with an integer n < 1e15 such that
// n / 10^p (one correctly rounded division of exact doubles) is `value`. A decimal of <= 15
// significant digits that reads back as `value` is the unique shortest one, so these are the
// digits to_chars would print. Returns false when there is no such p.
bool fast_path_digits(double value, Digits* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  for (int p = 0; p <= 22; ++p) {
    const double scaled = value * kPow10[p];
    if (scaled >= 1e15) return false;
    const double n = std::nearbyint(scaled);
    if (n == 0 || n / kPow10[p] != value) continue;
    char buf[32];
    const int len = std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(n));
    out->count = len;
    while (out->count > 1 && buf[out->count - 1] == '0') --out->count;
    std::memcpy(out->digits, buf, static_cast<size_t>(out->count));
    out->exponent = len - 1 - p;
    return true;
  }
  return false;
}
#endif

void shortest_digits(double value, Digits* out) {
#if MLLAB_HAVE_FLOAT_TO_CHARS
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf) - 1, value, std::chars_format::scientific);
  *res.ptr = '\0';
  parse_scientific(buf, out);
#else
  // Correctly rounded printing at 15 significant digits is the shortest round trip whenever
  // one with <= 15 digits exists (for normal numbers); otherwise 16 or 17 digits, again
  // correctly rounded, which is what to_chars picks. Subnormals need a full search.
  if (fast_path_digits(value, out)) return;
  char buf[64];
  const int first = value < DBL_MIN ? 1 : 15;
  for (int p = first; p <= 17; ++p) {
    print_scientific(value, p, buf, sizeof(buf));
    if (p == 17 || strtod_dot(buf) == value) break;
  }
  parse_scientific(buf, out);
#endif
}

// The exact decimal digits of an integral double >= 2^53.
std::string exact_integer_digits(double value) {
  if (value < 18446744073709551616.0) return std::to_string(static_cast<uint64_t>(value));
  int exponent = 0;
  const double fraction = std::frexp(value, &exponent);  // value = fraction * 2^exponent
  const auto mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  // Little-endian decimal digits of mantissa * 2^(exponent - 53).
  std::string rev = std::to_string(mantissa);
  std::reverse(rev.begin(), rev.end());
  for (int i = 0; i < exponent - 53; ++i) {
    int carry = 0;
    for (char& c : rev) {
      const int d = (c - '0') * 2 + carry;
      c = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    if (carry > 0) rev.push_back(static_cast<char>('0' + carry));
  }
  std::reverse(rev.begin(), rev.end());
  return rev;
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  Digits d;
  shortest_digits(std::fabs(value), &d);
  const std::string_view digits(d.digits, static_cast<size_t>(d.count));
  const int k = d.count;
  const int x = d.exponent;

  // Fixed notation.
  std::string fixed;
  if (x >= k - 1) {
    if (std::fabs(value) >= 9007199254740992.0) {
      // An integer beyond 2^53: like to_chars, print its exact digits (same length as the
      // shortest digits padded with zeros, and exact).
      fixed = exact_integer_digits(std::fabs(value));
    } else {
      fixed.append(digits);
      fixed.append(static_cast<size_t>(x - (k - 1)), '0');
    }
  } else if (x >= 0) {
    fixed.append(digits.substr(0, static_cast<size_t>(x + 1)));
    fixed.push_back('.');
    fixed.append(digits.substr(static_cast<size_t>(x + 1)));
  } else {
    fixed.append("0.");
    fixed.append(static_cast<size_t>(-x - 1), '0');
    fixed.append(digits);
  }

  // Scientific notation, exponent with at least two digits (as printf and to_chars).
  std::string sci;
  sci.push_back(digits[0]);
  if (k > 1) {
    sci.push_back('.');
    sci.append(digits.substr(1));
  }
  sci.push_back('e');
  sci.push_back(x < 0 ? '-' : '+');
  const int ax = x < 0 ? -x : x;
  if (ax < 10) sci.push_back('0');
  sci.append(std::to_string(ax));

  std::string out = value < 0 ? "-" : "";
  out += fixed.size() <= sci.size() ? fixed : sci;
  return out;
}

const char* column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kNumeric: return "numeric";
    case ColumnType::kCategorical: return "categorical";
    case ColumnType::kText: return "text";
  }
  return "unknown";
}

Result<ColumnType> parse_column_type(const std::string& name) {
  if (name == "numeric") return ColumnType::kNumeric;
  if (name == "categorical") return ColumnType::kCategorical;
  if (name == "text") return ColumnType::kText;
  return Status::invalid("unknown column type '" + name +
                         "' (expected numeric, categorical or text)");
}

size_t Column::missing_count() const {
  if (type == ColumnType::kNumeric) {
    return static_cast<size_t>(
        std::count_if(numbers.begin(), numbers.end(), [](double v) { return std::isnan(v); }));
  }
  return static_cast<size_t>(
      std::count_if(missing.begin(), missing.end(), [](unsigned char m) { return m != 0; }));
}

std::string Column::value_string(size_t i) const {
  if (type == ColumnType::kNumeric) return format_number(numbers[i]);
  return missing[i] != 0 ? std::string() : strings[i];
}

Status Table::add_column(Column column) {
  if (find(column.name) >= 0) {
    return Status::already_exists("column '" + column.name + "' already exists");
  }
  if (column.type != ColumnType::kNumeric && column.missing.size() != column.strings.size()) {
    return Status::invalid("column '" + column.name + "' has " +
                           std::to_string(column.strings.size()) + " values but " +
                           std::to_string(column.missing.size()) + " missing flags");
  }
  if (!columns_.empty() && column.size() != num_rows()) {
    return Status::invalid("column '" + column.name + "' has " + std::to_string(column.size()) +
                           " rows but the table has " + std::to_string(num_rows()));
  }
  columns_.push_back(std::move(column));
  return Status::ok();
}

int Table::find(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const Column* Table::column(const std::string& name) const {
  const int i = find(name);
  return i < 0 ? nullptr : &columns_[static_cast<size_t>(i)];
}

Table Table::take_rows(const std::vector<size_t>& rows) const {
  Table out;
  out.columns_.reserve(columns_.size());
  for (const Column& src : columns_) {
    Column dst;
    dst.name = src.name;
    dst.type = src.type;
    if (src.type == ColumnType::kNumeric) {
      dst.numbers.reserve(rows.size());
      for (size_t r : rows) dst.numbers.push_back(src.numbers[r]);
    } else {
      dst.strings.reserve(rows.size());
      dst.missing.reserve(rows.size());
      for (size_t r : rows) {
        dst.strings.push_back(src.strings[r]);
        dst.missing.push_back(src.missing[r]);
      }
    }
    out.columns_.push_back(std::move(dst));
  }
  return out;
}

Table Table::drop_column(const std::string& name) const {
  Table out;
  out.columns_.reserve(columns_.size());
  for (const Column& c : columns_) {
    if (c.name != name) out.columns_.push_back(c);
  }
  return out;
}

}  // namespace mllab::data
