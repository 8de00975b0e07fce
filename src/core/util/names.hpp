// The one rule for user-chosen names (experiments, datasets, feature groups, registered models):
// UTF-8 in any script, at most kMaxNameChars characters, no control characters, and none of the
// characters that the kind of name cannot hold (a store key's '/', a reference's separator).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/util/status.hpp"

namespace mllab {

// MLflow's limit on names and keys (MAX_ENTITY_KEY_LENGTH, MAX_EXPERIMENT_NAME_LENGTH...).
constexpr size_t kMaxNameChars = 250;

// Number of characters (code points) of valid UTF-8 `text`.
size_t utf8_chars(std::string_view text);
// Checks that `text` is valid UTF-8 without control characters; the error starts with `what`
// followed by the quoted text: "dataset name 'a\x1b' contains a control character (at byte 2)".
Status check_text(const std::string& text, const std::string& what);
// The name rule. `what` names the kind ("dataset name"); `reserved` lists characters this kind
// cannot hold, each with the reason, e.g. {{':', "':' separates the version in datasets:/NAME:VERSION"}}.
// Names never start with '.' when `key_segment` (they become a store key segment).
struct ReservedChar {
  char c;
  const char* why;
};
Status check_name(const std::string& name, const std::string& what,
                  std::initializer_list<ReservedChar> reserved = {}, bool key_segment = true);
// A length limit in characters: "<what> is 300 characters long (at most 250)".
Status check_length(const std::string& text, const std::string& what, size_t max_chars = kMaxNameChars);

}  // namespace mllab
