#include "core/util/json_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace mllab {
namespace {

// The deepest bracket of `text` outside strings, checked before parsing so that the error can
// name where the limit was crossed. Returns the offset of the first bracket past `max_depth`.
std::optional<size_t> too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (ch == '\\') escaped = true;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    else if (ch == '[' || ch == '{') {
      if (++depth > max_depth) return i;
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

// Builds the document from nlohmann's SAX events and keeps the path of the value being read
// ("split.test_size", "data[3][1]") so an error can name the field.
template <typename J>
class Builder {
 public:
  using number_integer_t = typename J::number_integer_t;
  using number_unsigned_t = typename J::number_unsigned_t;
  using number_float_t = typename J::number_float_t;
  using string_t = typename J::string_t;
  using binary_t = typename J::binary_t;

  bool null() { return add(nullptr); }
  bool boolean(bool v) { return add(v); }
  bool number_integer(number_integer_t v) { return add(v); }
  bool number_unsigned(number_unsigned_t v) { return add(v); }
  bool number_float(number_float_t v, const string_t&) { return add(v); }
  bool string(string_t& v) { return add(std::move(v)); }
  bool binary(binary_t&) { return false; }  // JSON text has no binary values
  bool start_object(std::size_t) {
    J* j = place(J(J::value_t::object));
    frames_.push_back({j, true, {}, 0});
    return true;
  }
  bool key(string_t& k) {
    frames_.back().key = k;
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    advance();
    return true;
  }
  bool start_array(std::size_t) {
    J* j = place(J(J::value_t::array));
    frames_.push_back({j, false, {}, 0});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    advance();
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
    error_position_ = position;
    error_token_ = token;
    error_id_ = ex.id;
    error_what_ = ex.what();
    return false;
  }

  J& root() { return root_; }
  size_t error_position() const { return error_position_; }
  const std::string& error_token() const { return error_token_; }
  int error_id() const { return error_id_; }
  const std::string& error_what() const { return error_what_; }

  // "split.test_size", "steps[1].params.C", or "" at the top level.
  std::string path() const {
    std::string p;
    for (const auto& f : frames_) {
      if (f.object) {
        if (!p.empty()) p += '.';
        p += f.key;
      } else {
        p += "[" + std::to_string(f.index) + "]";
      }
    }
    return p;
  }

 private:
  struct Frame {
    J* value;
    bool object;
    std::string key;
    size_t index;
  };

  template <typename V>
  bool add(V&& v) {
    place(J(std::forward<V>(v)));
    advance();
    return true;
  }
  // Puts `v` where the parser is: the root, the next array element or the current key.
  J* place(J v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.object) {
      J& slot = (*f.value)[f.key];
      slot = std::move(v);
      return &slot;
    }
    f.value->push_back(std::move(v));
    return &f.value->back();
  }
  void advance() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  J root_;
  std::vector<Frame> frames_;
  size_t error_position_ = 0;
  std::string error_token_;
  int error_id_ = 0;
  std::string error_what_;
};

std::string where(std::string_view text, size_t offset) {
  const TextPosition p = text_position(text, offset);
  return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column);
}

template <typename J>
Result<J> read(std::string_view text, std::string_view what_sv, JsonReadOptions options) {
  const std::string what(what_sv);
  if (auto at = too_deep_at(text, options.max_depth)) {
    return Status::parse_error(what + ": JSON nests deeper than " + std::to_string(options.max_depth) +
                               " levels at " + where(text, *at));
  }
  Builder<J> b;
  bool ok = false;
  try {
    ok = J::sax_parse(text, &b);
  } catch (const std::exception& e) {  // e.g. a value the builder cannot hold
    return Status::parse_error(what + ": invalid JSON: " + quote_for_message(e.what(), 200));
  }
  if (ok) return std::move(b.root());
  const size_t offset = b.error_position() > 0 ? b.error_position() - 1 : 0;
  if (b.error_id() == 406) {  // out_of_range.406: a number beyond double's range
    const std::string field = b.path();
    const size_t start = b.error_position() >= b.error_token().size() ? b.error_position() - b.error_token().size() : 0;
    return Status::parse_error(what + ": number " + quote_for_message(b.error_token(), 40) + " at " +
                               where(text, start) + (field.empty() ? "" : " (field '" + field + "')") +
                               " is out of range");
  }
  // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1, column 5: <reason>".
  std::string reason = b.error_what();
  const size_t colon = reason.find(": ", reason.find("] "));
  if (colon != std::string::npos) reason = reason.substr(colon + 2);
  return Status::parse_error(what + ": invalid JSON at " + where(text, offset) + ": " +
                             quote_for_message(reason, 160));
}

}  // namespace

Result<nlohmann::json> read_json(std::string_view text, std::string_view what, JsonReadOptions options) {
  return read<nlohmann::json>(text, what, options);
}

Result<nlohmann::ordered_json> read_ordered_json(std::string_view text, std::string_view what,
                                                 JsonReadOptions options) {
  return read<nlohmann::ordered_json>(text, what, options);
}

TextPosition text_position(std::string_view text, size_t offset) {
  TextPosition p;
  const size_t end = std::min(offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string quote_for_message(std::string_view value, size_t max_bytes) {
  size_t n = value.size();
  bool cut = false;
  if (n > max_bytes) {
    n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    cut = true;
  }
  std::string out;
  out.reserve(n + 16);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char ch = static_cast<unsigned char>(value[i]);
    switch (ch) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20 || ch == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  if (cut) out += "... (" + std::to_string(value.size()) + " bytes)";
  return out;
}

std::string json_for_message(const nlohmann::json& value, size_t max_bytes) {
  return quote_for_message(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max_bytes);
}

std::string json_error_reason(const nlohmann::json::exception& e, size_t max_bytes) {
  std::string_view reason = e.what();
  const size_t bracket = reason.find("] ");
  if (reason.rfind("[json.exception.", 0) == 0 && bracket != std::string_view::npos) reason.remove_prefix(bracket + 2);
  return quote_for_message(reason, max_bytes);
}

Status exception_status(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& ex) {
    return ex.status();
  } catch (const std::bad_alloc&) {
    return Status::internal("out of memory (the input is too large)");
  } catch (const nlohmann::json::exception& ex) {
    if (ex.id == 316) return Status::invalid("a value is not valid UTF-8 (" + json_error_reason(ex) + ")");
    return Status::internal("unexpected JSON error: " + json_error_reason(ex));
  } catch (const std::length_error& ex) {
    return Status::internal("a size limit was exceeded (" + quote_for_message(ex.what(), 200) + ")");
  } catch (const std::exception& ex) {
    return Status::internal("unexpected error: " + quote_for_message(ex.what(), 200));
  } catch (...) {
    return Status::internal("unexpected error");
  }
}

}  // namespace mllab
