// A value computed from the store and kept until the store's revision changes: the panels' lists
// (runs, datasets, models) reload after any committed batch — ours, a rolled-back one, or one
// from another tab — and never otherwise, without dirty flags set by every writer.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace mllab {

template <typename T>
class Cached {
 public:
  // The value for `revision`, computed by `load()` when none is held or it is older.
  template <typename Load>
  const T& get(uint64_t revision, Load&& load) {
    if (!value_ || revision != revision_) {
      value_.emplace(load());
      revision_ = revision;
      ++loads_;
    }
    return *value_;
  }
  // Forgets the value (a setting it depends on changed, not the store).
  void reset() { value_.reset(); }
  // True when the value was (re)loaded by the last get() that loaded: callers re-sort then.
  uint64_t loads() const { return loads_; }

 private:
  std::optional<T> value_;
  uint64_t revision_ = 0;
  uint64_t loads_ = 0;
};

}  // namespace mllab
