// The name rule and UTF-8 text checks shared by every kind of user-chosen name.
#include "core/util/names.hpp"

#include <cstdint>

#include "core/util/json_reader.hpp"

namespace mllab {
namespace {

// Length of the UTF-8 sequence starting at s[i] if it is a well-formed one, else 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;  // overlong, surrogate
  return n;
}

std::string shown(std::string_view text) { return "'" + quote_for_message(text) + "'"; }

}  // namespace

size_t utf8_chars(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) n += (static_cast<unsigned char>(text[i]) & 0xc0) != 0x80;
  return n;
}

Status check_text(const std::string& text, const std::string& what) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_length(text, i);
    if (n == 0) {
      return Status::invalid(what + " " + shown(text) + " is not valid UTF-8 (at byte " + std::to_string(i + 1) + ")");
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;  // U+0080..U+009F
    if (c < 0x20 || c == 0x7f || c1) {
      return Status::invalid(what + " " + shown(text) + " contains a control character (at byte " +
                             std::to_string(i + 1) + ")");
    }
    i += n;
  }
  return Status::ok();
}

Status check_length(const std::string& text, const std::string& what, size_t max_chars) {
  // Count bytes first: a 50 MB value is refused without walking it.
  if (text.size() > max_chars && utf8_chars(text) > max_chars) {
    return Status::invalid(what + " " + shown(text) + " is " + std::to_string(utf8_chars(text)) +
                           " characters long (at most " + std::to_string(max_chars) + ")");
  }
  return Status::ok();
}

Status check_name(const std::string& name, const std::string& what, std::initializer_list<ReservedChar> reserved,
                  bool key_segment) {
  if (name.empty()) return Status::invalid(what + " is empty");
  MLLAB_RETURN_IF_ERROR(check_length(name, what));
  MLLAB_RETURN_IF_ERROR(check_text(name, what));
  for (const auto& r : reserved) {
    if (name.find(r.c) != std::string::npos) {
      return Status::invalid(what + " " + shown(name) + " contains '" + std::string(1, r.c) + "' (" + r.why + ")");
    }
  }
  if (key_segment && name.front() == '.') return Status::invalid(what + " " + shown(name) + " starts with '.'");
  return Status::ok();
}

}  // namespace mllab
