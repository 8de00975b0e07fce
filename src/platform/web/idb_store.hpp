// The web Store: every record in memory (loaded from IndexedDB before main), each committed
// batch sent to IndexedDB as one readwrite transaction. A failed transaction (quota, abort)
// rolls the in-memory change back and is reported, so memory and IndexedDB agree again. Batches
// other tabs complete are re-read from IndexedDB and applied to memory.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
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
  // The last failure, if any ("" when none), e.g. "Saving run 'iris' (3f2a1b2c) failed and was
  // rolled back: QuotaExceededError: ...; storage used 4.9 MB of 5.0 MB", and the keys its batch wrote.
  const std::string& last_error() const { return last_error_; }
  const std::vector<std::string>& last_failed_keys() const { return last_failed_keys_; }
  // Called with the keys another tab changed, after they are applied to memory.
  void set_remote_change_listener(std::function<void(const std::vector<std::string>&)> listener) {
    remote_listener_ = std::move(listener);
  }

  // Bridge callbacks (routed from mllab_idb_on_batch_done / mllab_idb_on_remote_change).
  void on_batch_done(int batch_id, bool ok, const std::string& error);
  // The version of the latest local write (a snapshot for apply_remote).
  int write_version() const { return int(next_version_ - 1); }
  // Applies records re-read from IndexedDB (the bridge's loaded list) after another tab's change;
  // `snapshot` was write_version() when the read began: keys written locally since keep their
  // newer value (the value read becomes what a failure of that write rolls back to).
  void apply_remote(int snapshot);

 private:
  IdbStore() = default;
  struct Pending {
    // For each written key: its value before the batch (nullopt: absent)...
    std::map<std::string, std::optional<std::string>> before;
    // ...and the write version the batch gave it (a later batch gives it a higher one).
    std::map<std::string, uint64_t> version;
    // The run records it writes (small), to name the run should the batch fail.
    std::map<std::string, std::string> runs;
  };
  std::map<int, Pending> pending_;
  std::map<std::string, uint64_t> key_version_;
  uint64_t next_version_ = 1;
  int next_batch_id_ = 1;
  std::function<void(const Status&)> listener_;
  std::function<void(const std::vector<std::string>&)> remote_listener_;
  std::string last_error_;
  std::vector<std::string> last_failed_keys_;
};

}  // namespace mllab::platform
