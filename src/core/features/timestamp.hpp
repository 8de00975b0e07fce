// Timestamps and durations for the feature store, as microseconds (int64) since the Unix epoch,
// UTC. Calendar arithmetic is our own days-from-civil code (proleptic Gregorian calendar), not
// <chrono> calendar types, so native and wasm builds give the same answers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/status.hpp"

namespace mllab::features {

// Microseconds in one second.
inline constexpr int64_t kMicrosPerSecond = 1000000;

// Days since 1970-01-01 of a proleptic Gregorian date (negative before 1970). `month` is 1-12,
// `day` 1-31; the date is not validated.
int64_t days_from_civil(int64_t year, int month, int day);
// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of days_from_civil).
void civil_from_days(int64_t days, int64_t* year, int* month, int* day);

// Parses a timestamp into microseconds since the epoch, UTC. Accepts (surrounding spaces ignored):
//   YYYY-MM-DD                              midnight
//   YYYY-MM-DD[T| ]HH:MM[:SS[.fffffffff]]   'T', 't' or one space between date and time;
//                                           1-9 fraction digits, beyond the 6th dropped
//   ... followed by Z / z, or an offset ±HH:MM, ±HHMM or ±HH (optionally after one space);
//   no zone = UTC (tz-naive timestamps are UTC, as in Feast)
//   a plain number (digits, optional sign / '.' / exponent): epoch seconds, may be fractional
// Years 0000-9999; month, day (leap years included), hour 0-23, minute and second 0-59 are
// checked. An error (kParseError) quotes the text: "timestamp '2024-02-30': day out of range".
Result<int64_t> parse_timestamp(std::string_view text);

// Epoch seconds (a numeric column's value) as microseconds, rounded to the nearest microsecond.
// Errors for NaN / infinities and for values outside years 0000-9999, naming the value.
Result<int64_t> timestamp_from_epoch_seconds(double seconds);

// Formats microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; the six fraction
// digits appear only when the microseconds are not zero. parse_timestamp reads it back exactly.
std::string format_timestamp(int64_t micros);

// Parses a duration (a TTL) into microseconds: one or more <number><unit> parts with units
// d, h, m, s ("7d", "12h", "30m", "45s", "1d12h", "1.5h"), or a plain number of seconds
// ("3600", "0.25"); "0" = no TTL. Up to 6 fraction digits count (more are dropped). Negative
// values, unknown units and overflow are errors (kParseError) that quote the text.
Result<int64_t> parse_duration(std::string_view text);

// Formats a duration as parse_duration reads it: "0", "7d", "1d12h", "30m", "1.5s".
std::string format_duration(int64_t micros);

}  // namespace mllab::features
