#include "core/features/timestamp.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace mllab::features {
namespace {

// Expected epoch values come from Python's datetime, e.g.
//   (datetime(2024, 2, 29, tzinfo=timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc))
//       // timedelta(microseconds=1)  ->  1709164800000000

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

int64_t ok(std::string_view text) {
  auto r = parse_timestamp(text);
  EXPECT_TRUE(r.is_ok()) << text << ": " << r.status().to_string();
  return r.is_ok() ? *r : 0;
}

TEST(Timestamp, DaysFromCivilKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);     // 951868800 / 86400
  EXPECT_EQ(days_from_civil(1600, 2, 29), -135081);  // -11670998400 / 86400
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);      // -62167219200 / 86400 (year 0 is leap)
  // civil_from_days inverts it on every day of 1599-2401 (covers 1600 and 2000 leap, 1700,
  // 1800, 1900, 2100, 2200, 2300 not leap, and the 400-year era boundaries).
  for (int64_t d = days_from_civil(1599, 1, 1); d <= days_from_civil(2401, 12, 31); ++d) {
    int64_t y = 0;
    int m = 0, day = 0;
    civil_from_days(d, &y, &m, &day);
    ASSERT_EQ(days_from_civil(y, m, day), d) << y << "-" << m << "-" << day;
  }
}

TEST(Timestamp, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(ok("1970-01-01"), 0);
  EXPECT_EQ(ok("2024-02-29"), 1709164800000000);    // a leap day
  EXPECT_EQ(ok("2000-03-01"), 951868800000000);     // 2000 is a leap year (divisible by 400)
  EXPECT_EQ(ok("1900-01-01"), -2208988800000000);   // before 1970
  EXPECT_EQ(ok("0000-01-01"), -62167219200000000);  // first accepted instant
}

TEST(Timestamp, TimeSeparatorsAndFractions) {
  // 2024-03-10 12:34:56.789012 UTC = 1710074096789012 us.
  EXPECT_EQ(ok("2024-03-10T12:34:56.789012"), 1710074096789012);
  EXPECT_EQ(ok("2024-03-10 12:34:56.789012"), 1710074096789012);
  EXPECT_EQ(ok("2024-03-10t12:34:56.789012z"), 1710074096789012);
  EXPECT_EQ(ok("  2024-03-10T12:34:56.789012Z  "), 1710074096789012);
  // Nanosecond digits beyond the sixth are dropped (not rounded).
  EXPECT_EQ(ok("2024-03-10T12:34:56.789012999"), 1710074096789012);
  // Fewer digits are tenths, hundredths...: .5 = 500000 us.
  EXPECT_EQ(ok("1970-01-01T00:00:00.5"), 500000);
  // Seconds are optional.
  EXPECT_EQ(ok("1970-01-01 01:02"), 3720000000);
}

TEST(Timestamp, ZoneOffsetsConvertToUtc) {
  // 10:00 at +01:00 is 09:00 UTC: 2024-01-01T09:00:00Z = 1704099600 s.
  EXPECT_EQ(ok("2024-01-01T10:00:00+01:00"), 1704099600000000);
  EXPECT_EQ(ok("2024-01-01T10:00:00+0100"), 1704099600000000);
  EXPECT_EQ(ok("2024-01-01T10:00:00+01"), 1704099600000000);
  EXPECT_EQ(ok("2024-01-01 10:00:00 +01:00"), 1704099600000000);
  EXPECT_EQ(ok("2024-01-01T09:00:00Z"), 1704099600000000);
  EXPECT_EQ(ok("2024-01-01T09:00:00"), 1704099600000000);  // tz-naive = UTC
  // 10:00 at -05:30 is 15:30 UTC: Python gives 1704123000000000.
  EXPECT_EQ(ok("2024-01-01T10:00:00-05:30"), 1704123000000000);
  // An offset can move the instant across midnight and before the epoch.
  EXPECT_EQ(ok("1970-01-01T00:30:00+01:00"), -1800000000);
}

TEST(Timestamp, PlainNumbersAreEpochSeconds) {
  EXPECT_EQ(ok("0"), 0);
  EXPECT_EQ(ok("1700000000"), 1700000000000000);
  EXPECT_EQ(ok("1700000000.123456"), 1700000000123456);  // exact decimal, no float rounding
  EXPECT_EQ(ok("-1.5"), -1500000);
  EXPECT_EQ(ok("+2"), 2000000);
  EXPECT_EQ(ok("1.7e9"), 1700000000000000);
  auto r = timestamp_from_epoch_seconds(1700000000.25);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, 1700000000250000);
  EXPECT_EQ(*timestamp_from_epoch_seconds(-0.000001), -1);
}

TEST(Timestamp, ErrorsQuoteTheText) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"2023-02-29", "day out of range"},  // 2023 is not a leap year
      {"1900-02-29", "day out of range"},  // 1900 is not (divisible by 100, not 400)
      {"2024-13-01", "month out of range"},
      {"2024-00-10", "month out of range"},
      {"2024-04-31", "day out of range"},
      {"2024-01-01T24:00:00", "hour out of range"},
      {"2024-01-01T23:60", "minute out of range"},
      {"2024-01-01T23:59:60", "second out of range"},
      {"2024-01-01T10:00:00+1", "zone offset"},
      {"2024-01-01T10:00:00 UTC", "after the time"},
      {"2024-1-01", "expected YYYY-MM-DD"},
      {"yesterday", "expected YYYY-MM-DD"},
      {"", "empty"},
      {"2024-01-01T10:00:00.", "no digits"},
      {"99999999999999", "outside years 0000-9999"},
      {"1e300", "outside years 0000-9999"},
  };
  for (const auto& c : cases) {
    auto r = parse_timestamp(c.text);
    ASSERT_FALSE(r.is_ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kParseError);
    EXPECT_TRUE(contains(r.status().message(), "'" + std::string(c.text) + "'")) << r.status().message();
    EXPECT_TRUE(contains(r.status().message(), c.why)) << r.status().message();
  }
  EXPECT_FALSE(timestamp_from_epoch_seconds(std::numeric_limits<double>::quiet_NaN()).is_ok());
}

TEST(Timestamp, FormatAndRoundTrip) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(1709164800000000), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_timestamp(1710074096789012), "2024-03-10T12:34:56.789012Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");  // floor, not truncation
  EXPECT_EQ(format_timestamp(-500000), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(format_timestamp(-2208988800000000), "1900-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(253402300799999999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(-62167219200000000), "0000-01-01T00:00:00Z");
  // format -> parse is the identity on a spread of instants, before and after 1970.
  for (int64_t t : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{951782399999999}, int64_t{951782400000000},
                    int64_t{-11670998400000001}, int64_t{4107542400000000}, int64_t{-62167219200000000},
                    int64_t{253402300799999999}, int64_t{1710074096789012}}) {
    auto back = parse_timestamp(format_timestamp(t));
    ASSERT_TRUE(back.is_ok()) << format_timestamp(t);
    EXPECT_EQ(*back, t) << format_timestamp(t);
  }
  // parse -> format normalizes offsets to Z.
  EXPECT_EQ(format_timestamp(ok("2024-01-01T10:00:00.25+01:00")), "2024-01-01T09:00:00.250000Z");
}

TEST(Duration, ParsesUnitsAndSeconds) {
  constexpr int64_t s = 1000000;
  EXPECT_EQ(*parse_duration("0"), 0);
  EXPECT_EQ(*parse_duration("7d"), 7 * 86400 * s);
  EXPECT_EQ(*parse_duration("12h"), 12 * 3600 * s);
  EXPECT_EQ(*parse_duration("30m"), 30 * 60 * s);
  EXPECT_EQ(*parse_duration("45s"), 45 * s);
  EXPECT_EQ(*parse_duration("1d12h"), 36 * 3600 * s);
  EXPECT_EQ(*parse_duration("1h30m15s"), (3600 + 1800 + 15) * s);
  EXPECT_EQ(*parse_duration("1.5h"), 5400 * s);
  EXPECT_EQ(*parse_duration("3600"), 3600 * s);
  EXPECT_EQ(*parse_duration("0.25"), 250000);
  EXPECT_EQ(*parse_duration(" 2D "), 2 * 86400 * s);
  for (const char* bad : {"", "-1d", "7x", "d", "1d2", "1..5h", "99999999999999d", "abc"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_TRUE(contains(r.status().message(), "'" + std::string(bad) + "'")) << r.status().message();
  }
}

TEST(Duration, FormatRoundTrips) {
  EXPECT_EQ(format_duration(0), "0");
  EXPECT_EQ(format_duration(*parse_duration("7d")), "7d");
  EXPECT_EQ(format_duration(*parse_duration("1d12h")), "1d12h");
  EXPECT_EQ(format_duration(*parse_duration("90m")), "1h30m");
  EXPECT_EQ(format_duration(1500000), "1.5s");
  EXPECT_EQ(format_duration(1), "0.000001s");
  for (int64_t us : {int64_t{1}, int64_t{1500000}, int64_t{86400000001}, int64_t{3723000000}}) {
    EXPECT_EQ(*parse_duration(format_duration(us)), us) << format_duration(us);
  }
}

}  // namespace
}  // namespace mllab::features
