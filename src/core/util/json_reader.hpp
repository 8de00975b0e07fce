// The one way MLLab reads JSON text that came from outside the process (spec files, API
// arguments, request bodies, stored records, bundle entries): a depth limit, errors that name
// line, column and the field, and values quoted in messages cut to a readable length.
#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab {

// Documents nesting deeper than this are refused: every reader after the parser (and
// nlohmann's dump) recurses, so an unbounded depth is a stack overflow waiting for input.
inline constexpr int kMaxJsonDepth = 128;

struct JsonReadOptions {
  int max_depth = kMaxJsonDepth;
};

// Parses `text`. `what` names the document in messages ("pipeline spec", "request body",
// "run record runs/abc"). Errors (ErrorCode::kParseError):
//   "<what>: invalid JSON at line 3, column 14: <reason>"
//   "<what>: JSON nests deeper than 128 levels at line 1, column 129"
//   "<what>: number 1e400 at line 2, column 9 (field 'split.test_size') is out of range"
Result<nlohmann::json> read_json(std::string_view text, std::string_view what, JsonReadOptions options = {});
// The same, keeping object key order (documents that are shown or exported as written).
Result<nlohmann::ordered_json> read_ordered_json(std::string_view text, std::string_view what,
                                                 JsonReadOptions options = {});

// 1-based line and column of byte `offset` in `text` (columns count bytes, as most editors'
// "column" for ASCII; an offset past the end points just after the last byte).
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition text_position(std::string_view text, size_t offset);

// `value` for a message: at most `max_bytes` bytes (cut on a UTF-8 boundary, with "..." and the
// full size), control characters escaped as \n, \t, \x1b... so a message stays one line and
// cannot drive a terminal.
std::string quote_for_message(std::string_view value, size_t max_bytes = 80);
// A JSON value for a message: its compact dump, cut as above.
std::string json_for_message(const nlohmann::json& value, size_t max_bytes = 80);
// The reason of a nlohmann exception without its "[json.exception.type_error.302] " prefix, cut
// as above: "type must be string, but is number".
std::string json_error_reason(const nlohmann::json::exception& e, size_t max_bytes = 200);

// What a command boundary (the CLI, window.mllab's API, the scoring server) reports for an
// exception that escaped the code below it: an mllab::Error's own Status; otherwise one short
// line (out of memory, invalid UTF-8, a size limit, "unexpected error: ...") without library
// prefixes. Use as `catch (...) { st = exception_status(std::current_exception()); }`.
Status exception_status(std::exception_ptr e);

}  // namespace mllab
