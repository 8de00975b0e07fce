#include "core/features/timestamp.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/data/csv.hpp"

namespace mllab::features {
namespace {

constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the range parse_timestamp accepts.
constexpr int64_t kMinMicros = -62167219200LL * kMicrosPerSecond;
constexpr int64_t kMaxMicros = 253402300800LL * kMicrosPerSecond - 1;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status ts_error(std::string_view text, const std::string& why) {
  return Status::parse_error("timestamp '" + std::string(text) + "': " + why);
}

Status duration_error(std::string_view text, const std::string& why) {
  return Status::parse_error("duration '" + std::string(text) + "': " + why);
}

// Reads exactly `n` digits at `*pos`; false if they are not all there.
bool read_digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + size_t(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + size_t(i)];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += size_t(n);
  *out = v;
  return true;
}

bool is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

// A decimal "digits[.digits]" (no sign, no exponent) as whole units plus up to six fraction
// digits scaled to millionths (further digits dropped). False if `s` is not of that form or
// the whole part has more than 15 digits.
bool parse_plain_decimal(std::string_view s, int64_t* whole, int64_t* millionths) {
  size_t p = 0;
  int64_t w = 0;
  int whole_digits = 0;
  for (; p < s.size() && is_digit(s[p]); ++p) {
    if (++whole_digits > 15) return false;
    w = w * 10 + (s[p] - '0');
  }
  int64_t f = 0;
  int frac_digits = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    for (; p < s.size() && is_digit(s[p]); ++p) {
      if (frac_digits < 6) f = f * 10 + (s[p] - '0');
      ++frac_digits;
    }
    for (int i = frac_digits; i < 6; ++i) f *= 10;
  }
  if (p != s.size() || whole_digits + frac_digits == 0) return false;  // "", ".", "1x"
  *whole = w;
  *millionths = f;
  return true;
}

}  // namespace

int64_t days_from_civil(int64_t year, int month, int day) {
  // Count from 0000-03-01 so the leap day ends the (shifted) year; 146097 days per 400 years.
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = (month + 9) % 12;                        // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;                         // 719468 = 0000-03-01 .. 1970-01-01
}

void civil_from_days(int64_t days, int64_t* year, int* month, int* day) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March = 0
  *day = int(doy - (153 * mp + 2) / 5 + 1);
  *month = int(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

Result<int64_t> timestamp_from_epoch_seconds(double seconds) {
  if (!std::isfinite(seconds)) {
    return Status::parse_error("epoch seconds " + data::format_number(seconds) + " is not a finite number");
  }
  const double micros = std::nearbyint(seconds * 1e6);
  if (micros < double(kMinMicros) || micros > double(kMaxMicros)) {
    return Status::parse_error("epoch seconds " + data::format_number(seconds) + " is outside years 0000-9999");
  }
  return int64_t(micros);
}

Result<int64_t> parse_timestamp(std::string_view original) {
  const std::string_view s = trim(original);
  if (s.empty()) return ts_error(original, "empty");
  const bool looks_like_date =
      s.size() >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-';
  if (!looks_like_date) {
    // Epoch seconds. Exact decimal arithmetic for "[+-]digits[.digits]"; other number forms
    // (exponents) go through a double.
    std::string_view body = s;
    bool negative = false;
    if (body.front() == '+' || body.front() == '-') {
      negative = body.front() == '-';
      body.remove_prefix(1);
    }
    int64_t whole = 0, millionths = 0;
    if (parse_plain_decimal(body, &whole, &millionths)) {
      if (whole > kMaxMicros / kMicrosPerSecond) return ts_error(original, "outside years 0000-9999");
      int64_t micros = whole * kMicrosPerSecond + millionths;
      if (negative) micros = -micros;
      if (micros < kMinMicros || micros > kMaxMicros) return ts_error(original, "outside years 0000-9999");
      return micros;
    }
    double value = 0;
    if (data::parse_number(s, &value)) {
      auto r = timestamp_from_epoch_seconds(value);
      if (!r) return ts_error(original, "outside years 0000-9999");
      return r;
    }
    return ts_error(original, "expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|+HH:MM] or a number of epoch seconds");
  }

  size_t p = 0;
  int year = 0, month = 0, day = 0;
  const std::string kForm = "expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|+HH:MM]";
  if (!read_digits(s, &p, 4, &year) || s[p] != '-') return ts_error(original, kForm);
  ++p;
  if (!read_digits(s, &p, 2, &month) || p >= s.size() || s[p] != '-') return ts_error(original, kForm);
  ++p;
  if (!read_digits(s, &p, 2, &day)) return ts_error(original, kForm);
  if (month < 1 || month > 12) return ts_error(original, "month out of range");
  if (day < 1 || day > days_in_month(year, month)) return ts_error(original, "day out of range");
  int64_t micros = days_from_civil(year, month, day) * kMicrosPerDay;
  if (p == s.size()) return micros;

  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return ts_error(original, kForm);
  ++p;
  int hour = 0, minute = 0, second = 0;
  if (!read_digits(s, &p, 2, &hour) || p >= s.size() || s[p] != ':') return ts_error(original, kForm);
  ++p;
  if (!read_digits(s, &p, 2, &minute)) return ts_error(original, kForm);
  int64_t fraction = 0;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!read_digits(s, &p, 2, &second)) return ts_error(original, kForm);
    if (p < s.size() && s[p] == '.') {
      ++p;
      int digits = 0;
      while (p < s.size() && is_digit(s[p])) {
        if (++digits > 9) return ts_error(original, "more than 9 fraction digits");
        if (digits <= 6) fraction = fraction * 10 + (s[p] - '0');
        ++p;
      }
      if (digits == 0) return ts_error(original, "no digits after '.'");
      for (int i = digits; i < 6; ++i) fraction *= 10;
    }
  }
  if (hour > 23) return ts_error(original, "hour out of range");
  if (minute > 59) return ts_error(original, "minute out of range");
  if (second > 59) return ts_error(original, "second out of range");
  micros += hour * kMicrosPerHour + minute * kMicrosPerMinute + second * kMicrosPerSecond + fraction;

  if (p < s.size() && s[p] == ' ') ++p;  // "2024-01-01 10:00:00 +01:00"
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      ++p;
      int oh = 0, om = 0;
      if (!read_digits(s, &p, 2, &oh)) return ts_error(original, "expected a zone offset like +01:00");
      if (p < s.size()) {
        if (s[p] == ':') ++p;
        if (!read_digits(s, &p, 2, &om)) return ts_error(original, "expected a zone offset like +01:00");
      }
      if (oh > 23 || om > 59) return ts_error(original, "zone offset out of range");
      // Local time minus its offset is UTC: 10:00+01:00 is 09:00Z.
      micros -= sign * (oh * kMicrosPerHour + om * kMicrosPerMinute);
    } else {
      return ts_error(original, "unexpected '" + std::string(s.substr(p)) + "' after the time");
    }
    if (p != s.size()) return ts_error(original, "unexpected '" + std::string(s.substr(p)) + "' after the zone");
  }
  if (micros < kMinMicros || micros > kMaxMicros) return ts_error(original, "outside years 0000-9999");
  return micros;
}

std::string format_timestamp(int64_t micros) {
  int64_t secs = micros / kMicrosPerSecond;
  int64_t frac = micros % kMicrosPerSecond;
  if (frac < 0) {
    frac += kMicrosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t year = 0;
  int month = 0, day = 0;
  civil_from_days(days, &year, &month, &day);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%s%04lld-%02d-%02dT%02d:%02d:%02d", year < 0 ? "-" : "",
                        static_cast<long long>(year < 0 ? -year : year), month, day, int(sod / 3600),
                        int(sod / 60 % 60), int(sod % 60));
  std::string out(buf, size_t(n));
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

Result<int64_t> parse_duration(std::string_view original) {
  const std::string_view s = trim(original);
  if (s.empty()) return duration_error(original, "empty");
  if (s.front() == '-') return duration_error(original, "negative");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t whole = 0, millionths = 0;
  if (parse_plain_decimal(s, &whole, &millionths)) {  // plain seconds
    if (whole > (kMax - millionths) / kMicrosPerSecond) return duration_error(original, "too large");
    return whole * kMicrosPerSecond + millionths;
  }
  int64_t total = 0;
  size_t p = 0;
  while (p < s.size()) {
    size_t start = p;
    while (p < s.size() && (is_digit(s[p]) || s[p] == '.')) ++p;
    if (p == start) return duration_error(original, "expected a number at '" + std::string(s.substr(start)) + "'");
    if (!parse_plain_decimal(s.substr(start, p - start), &whole, &millionths)) {
      return duration_error(original, "bad number '" + std::string(s.substr(start, p - start)) + "'");
    }
    if (p == s.size()) return duration_error(original, "missing unit after the last number (d, h, m, s)");
    int64_t unit = 0;
    switch (s[p]) {
      case 'd':
      case 'D': unit = kMicrosPerDay; break;
      case 'h':
      case 'H': unit = kMicrosPerHour; break;
      case 'm':
      case 'M': unit = kMicrosPerMinute; break;
      case 's':
      case 'S': unit = kMicrosPerSecond; break;
      default: return duration_error(original, "unknown unit '" + std::string(1, s[p]) + "' (use d, h, m, s)");
    }
    ++p;
    // millionths * unit / 1e6 <= 999999 * 8.64e10 / 1e6: no overflow.
    const int64_t part_frac = millionths * (unit / 1000) / 1000;
    if (whole > (kMax - part_frac) / unit) return duration_error(original, "too large");
    const int64_t part = whole * unit + part_frac;
    if (part > kMax - total) return duration_error(original, "too large");
    total += part;
  }
  return total;
}

std::string format_duration(int64_t micros) {
  if (micros == 0) return "0";
  std::string out;
  uint64_t u;
  if (micros < 0) {
    out = "-";
    u = uint64_t(0) - uint64_t(micros);
  } else {
    u = uint64_t(micros);
  }
  const uint64_t d = u / uint64_t(kMicrosPerDay);
  u %= uint64_t(kMicrosPerDay);
  const uint64_t h = u / uint64_t(kMicrosPerHour);
  u %= uint64_t(kMicrosPerHour);
  const uint64_t m = u / uint64_t(kMicrosPerMinute);
  u %= uint64_t(kMicrosPerMinute);
  const uint64_t sec = u / uint64_t(kMicrosPerSecond);
  uint64_t frac = u % uint64_t(kMicrosPerSecond);
  if (d) out += std::to_string(d) + "d";
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (sec || frac) {
    out += std::to_string(sec);
    if (frac) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%06llu", static_cast<unsigned long long>(frac));
      std::string f(buf);
      while (!f.empty() && f.back() == '0') f.pop_back();
      out += "." + f;
    }
    out += "s";
  }
  return out;
}

}  // namespace mllab::features
