// The Store: the one way the core persists anything. A key -> bytes map whose writes are
// grouped into batches that commit all-or-nothing (one IndexedDB transaction on the web,
// a journal + renames in a folder natively).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::store {

// One write of a batch: a put (value set) or a delete (value empty).
struct Write {
  std::string key;
  std::optional<std::string> value;
};

// The writes of one logical operation, applied in order.
class Batch {
 public:
  // Sets `key` to `value`.
  void put(std::string key, std::string value) { writes_.push_back({std::move(key), std::move(value)}); }
  // Removes `key` (no error if absent).
  void erase(std::string key) { writes_.push_back({std::move(key), std::nullopt}); }
  // Makes the batch fail (ErrorCode::kResourceAlreadyExists, nothing written) if `key` holds a
  // value when it commits: a new record under a computed id cannot replace one that another
  // process (or tab) created meanwhile.
  void expect_absent(std::string key) { absent_.push_back(std::move(key)); }
  const std::vector<Write>& writes() const { return writes_; }
  const std::vector<std::string>& expected_absent() const { return absent_; }
  bool empty() const { return writes_.empty(); }

 private:
  std::vector<Write> writes_;
  std::vector<std::string> absent_;
};

// Keys are '/'-separated paths of segments in UTF-8 (any script; no control characters), none
// empty or starting with '.', at most kMaxKeyBytes bytes and kMaxKeySegments segments, e.g.
// "runs/<run_id>" or "datasets/données". Returns an error naming the key if it is not one.
constexpr size_t kMaxKeyBytes = 2048;
constexpr size_t kMaxKeySegments = 32;
Status validate_key(const std::string& key);

class Store;
// Checks a batch before it is applied: every key valid, every expect_absent() key absent, and no
// key that would also be the folder of other keys ("a" and "a/b"), counting the batch's own puts
// and deletes. Every Store calls it,
// so all of them accept and refuse the same batches.
Status check_batch(const Store& store, const Batch& batch);

// The persistence interface. Reads are synchronous; a commit applies a whole batch or nothing.
class Store {
 public:
  virtual ~Store() = default;
  // The value of `key`, or nullopt.
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  // All keys starting with `prefix`, sorted.
  virtual std::vector<std::string> keys(const std::string& prefix) const = 0;
  // Applies every write of `batch`, or none of them (then returns the error).
  virtual Status commit(const Batch& batch) = 0;
  // Human-readable location, for messages ("folder ./mllab-store", "IndexedDB mllab").
  virtual std::string describe() const = 0;
  // A counter that grows whenever what the store holds may have changed: a committed batch, a
  // write rolled back, batches from another tab. Caches keyed on it reload only after a change.
  uint64_t revision() const { return revision_.load(std::memory_order_acquire); }

 protected:
  void bump_revision() { revision_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::atomic<uint64_t> revision_{0};
};

// A store in memory; the base of the web store's cache and handy in tests.
class MemoryStore : public Store {
 public:
  std::optional<std::string> get(const std::string& key) const override;
  std::vector<std::string> keys(const std::string& prefix) const override;
  Status commit(const Batch& batch) override;
  std::string describe() const override { return "memory"; }
  // Number of records.
  size_t size() const { return records_.size(); }

 protected:
  std::map<std::string, std::string> records_;
};

}  // namespace mllab::store
