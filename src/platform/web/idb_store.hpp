// The web Store: every record in memory (loaded from IndexedDB before main), each committed
// batch sent to IndexedDB as one readwrite transaction. A failed transaction (quota, abort)
// rolls the in-memory change back and is reported, so memory and IndexedDB agree again.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace mllab::platform {

// A Store over the IndexedDB bridge.
class IdbStore : public store::MemoryStore {
 public:
  // Loads the records the bridge read at startup. Only one IdbStore exists at a time.
  static std::unique_ptr<IdbStore> open();
  ~IdbStore() override;

  Status commit(const store::Batch& batch) override;
  std::string describe() const override { return "IndexedDB"; }

  // Batches sent but not yet confirmed durable.
  size_t pending_batches() const { return pending_.size(); }
  // Called with the error when a batch fails and has been rolled back.
  void set_error_listener(std::function<void(const Status&)> listener) { listener_ = std::move(listener); }
  // The last failure, if any ("" when none).
  const std::string& last_error() const { return last_error_; }

  // Bridge callback (routed from mllab_idb_on_batch_done).
  void on_batch_done(int batch_id, bool ok, const std::string& error);

 private:
  IdbStore() = default;
  struct Pending {
    // For each written key: its value before the batch (nullopt: absent)...
    std::vector<std::pair<std::string, std::optional<std::string>>> before;
    // ...and the write version the batch gave it (a later batch gives it a higher one).
    std::map<std::string, uint64_t> version;
  };
  std::map<int, Pending> pending_;
  std::map<std::string, uint64_t> key_version_;
  uint64_t next_version_ = 1;
  int next_batch_id_ = 1;
  std::function<void(const Status&)> listener_;
  std::string last_error_;
};

}  // namespace mllab::platform
