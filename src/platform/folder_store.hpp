// The native Store: one file per key under a root folder. A batch commits atomically through a
// journal: new values are written to temp files, then a journal naming every write is renamed
// into place (the commit point), then the renames are applied and the journal removed. Opening
// a store replays a journal left by a crash.
#pragma once

#include <filesystem>
#include <string>

#include "core/store/store.hpp"

namespace mllab::platform {

// A Store backed by a folder on disk.
class FolderStore : public store::Store {
 public:
  // Opens (creating if needed) the store at `root`, finishing any interrupted commit.
  static Result<std::unique_ptr<FolderStore>> open(const std::filesystem::path& root);

  std::optional<std::string> get(const std::string& key) const override;
  std::vector<std::string> keys(const std::string& prefix) const override;
  Status commit(const store::Batch& batch) override;
  std::string describe() const override { return "folder " + root_.string(); }

 private:
  explicit FolderStore(std::filesystem::path root) : root_(std::move(root)) {}
  Status replay_journal();
  std::filesystem::path root_;
};

}  // namespace mllab::platform
