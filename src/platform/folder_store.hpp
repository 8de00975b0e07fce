// The native Store: one file per key under a root folder, safe for many processes at once.
//
// Layout: a key's '/'-separated segments are folders and a file; a segment that is long
// (> 200 bytes) or holds characters outside [A-Za-z0-9._@:=+-] is stored under "~" + a hash, with
// the real segment in a sidecar ".~<hash>" beside it, so any valid key maps to valid file names.
// Bookkeeping lives under dot names, which keys never use:
//   .lock               flock: exclusive around each commit (and recovery), shared around reads
//   .journals/ID.json   one journal per commit, the commit point (renamed into place)
//   .staging/ID/        one process's staged values and the backups of replaced ones
//   .staging/ID.lock    flocked by that process while it lives (stale staging is then removed)
// A commit stages its values, takes the lock, writes its journal, moves each replaced value to a
// backup and the staged one into place, then removes the journal. If a step fails, the backups
// are moved back (the store is exactly as before); a journal left by a process that stopped is
// finished (or rolled back) by the next writer, and one that cannot be is set aside, with a note.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace mllab::platform {

// A Store backed by a folder on disk.
class FolderStore : public store::Store {
 public:
  enum class Mode {
    kReadWrite,  // creates the folder, finishes interrupted commits, commits
    kReadOnly,   // creates, replays and deletes nothing; a missing folder reads as empty, and
                 // commits a stopped process left unfinished read as finished (or undone)
  };
  // Opens the store at `root`. Read-write: creates it if needed and recovers (or sets aside) any
  // interrupted commit, saying so in notes(). Fails only when the folder cannot be used at all.
  static Result<std::unique_ptr<FolderStore>> open(const std::filesystem::path& root,
                                                   Mode mode = Mode::kReadWrite);
  ~FolderStore() override;

  std::optional<std::string> get(const std::string& key) const override;
  std::vector<std::string> keys(const std::string& prefix) const override;
  Status commit(const store::Batch& batch) override;
  std::string describe() const override { return "folder " + root_.string(); }

  // What opening (or a later recovery) found and did, one line each, e.g. "store ...: finished an
  // interrupted commit of 3 writes left by a process that stopped".
  const std::vector<std::string>& notes() const { return notes_; }
  // The file that holds `key` (under root()); for tests and messages.
  std::filesystem::path path_of(const std::string& key) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  class LockGuard;
  FolderStore(std::filesystem::path root, Mode mode) : root_(std::move(root)), mode_(mode) {}
  // Opens (read-write: creates) the lock file; false if there is none (read-only, no writer yet).
  bool ensure_lock_fd() const;
  // Under the exclusive lock: finishes or rolls back journals of stopped processes, removes their
  // staging. Adds notes.
  Status recover();
  Status ensure_staging();
  // Under the exclusive lock: writes the journal and applies it.
  Status apply_batch(const std::vector<store::Write>& writes, const std::vector<std::string>& staged,
                     const std::string& commit_id);
  void note(const std::string& text);
  void load_pending_journals();
  std::optional<std::filesystem::path> value_file(const std::string& key) const;

  std::filesystem::path root_;
  Mode mode_;
  mutable int lock_fd_ = -1;
  mutable int lock_held_ = 0;  // 0 none, else the flock operation held (LOCK_SH / LOCK_EX)
  int staging_lock_fd_ = -1;
  std::string staging_id_;
  bool journal_left_ = false;  // a failed commit could not be undone: keep its backups for recovery
  std::vector<std::string> notes_;
  // Read-only over journals of stopped processes: per key, where its value is while the journal
  // stands (`first` if that file exists, else the key's own file), or absent.
  struct Pending {
    std::filesystem::path journal, first;
    bool absent = false;
  };
  std::map<std::string, Pending> pending_;
};

}  // namespace mllab::platform
